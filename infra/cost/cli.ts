// `npm run cost -- --stack dev`: the monthly cost estimate of a stack, offline. Argument parsing, output and
// exit codes only; the work is in synth/ (the resources), estimate.ts (the figures) and render.ts.
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../config/load";
import { StackFileError } from "../synth/stackFiles";
import { synthesizeStack } from "../synth/synthesize";
import { estimateCost } from "./estimate";
import { loadPriceFile, PRICE_FILE, PriceFileError } from "./priceFile";
import { costJson, renderCostText } from "./render";
import { describeThreshold, diffCost, exceeds, parseCostThreshold, renderCostSection, type CostThreshold } from "./diff";
import { GitRevisionCost, RevisionCostError } from "./revision";
import { exitWhenFlushed } from "../exitWhenFlushed";
import { SCHEMA_IDS, type ResultOf } from "../contracts/results";
import { deliverResult, STD_SINKS } from "../contracts/resultJson";

export const EXIT = { ok: 0, increase: 1, bug: 2, badInput: 3 } as const;

function threshold(value: string): CostThreshold {
    try {
        return parseCostThreshold(value);
    } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
    }
}

export function buildCommand(): Command {
    return new Command("cost")
        .description("Estimate a stack's monthly AWS cost from the resources berth's program declares, synthesized offline (no Pulumi CLI, no AWS).")
        .requiredOption("-s, --stack <name>", "stack to price: reads Pulumi.yaml and Pulumi.<name>.yaml")
        .option("--json", `print the estimate as JSON (${SCHEMA_IDS.cost}, docs/json.md) on stdout`)
        .option("--output <file>", "also write the JSON to this file (the human output stays on stdout)")
        .option("--prices <file>", "the price file", PRICE_FILE)
        .option("--base <commit>", "also price the stack at this commit (its own program and stack file, synthesized offline) and print the change")
        .option("--fail-on-increase <USD|N%>", `with --base: exit ${EXIT.increase} when the monthly estimate rises by more than this (USD a month, or a percentage such as 10%)`, threshold)
        .option("--released-images <file>", "synthesize as if this released image set were recorded (changes no figure; see npm run synth)")
        .option("-C, --project-dir <dir>", "directory holding Pulumi.yaml", ".")
        .addHelpText(
            "after",
            `\nUsage figures (traffic, log volume, NAT data, stored GB) are assumptions, printed with the estimate; override them under berth:costAssumptions in the stack file.\n\nExit codes:\n  ${EXIT.ok}  estimated\n  ${EXIT.increase}  --fail-on-increase: the estimate rises by more than allowed\n  ${EXIT.bug}  unexpected error (a bug: the stack trace is printed)\n  ${EXIT.badInput}  bad configuration, stack file, price file, a region the price file lacks, a base commit that cannot be priced, or flags`,
        )
        .exitOverride();
}

export async function main(argv: string[]): Promise<number> {
    const command = buildCommand();
    try {
        command.parse(argv, { from: "user" });
    } catch (e) {
        return (e as { exitCode?: number }).exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const opts = command.opts<{ stack: string; json?: boolean; output?: string; prices: string; releasedImages?: string; projectDir: string; base?: string; failOnIncrease?: CostThreshold }>();
    if (opts.failOnIncrease && !opts.base) {
        process.stderr.write("--fail-on-increase needs --base <commit>: the increase is measured from that commit's estimate\n");
        return EXIT.badInput;
    }
    try {
        const prices = loadPriceFile(path.resolve(opts.prices));
        const releasedImages = opts.releasedImages ? fs.readFileSync(opts.releasedImages, "utf8") : undefined;
        const s = await synthesizeStack(path.resolve(opts.projectDir), opts.stack, releasedImages ? { releasedImages } : undefined);
        const region = String((s.outputs as { region?: string }).region);
        const estimate = estimateCost({ resources: s.resources, region, assumptions: s.settings.costAssumptions, prices });
        const change = opts.base ? diffCost(await new GitRevisionCost(path.resolve(opts.projectDir), opts.stack, opts.base).estimate(opts.base), estimate) : undefined;
        const text = renderCostText(estimate, `berth cost: stack ${s.stack} of project ${s.project}`);
        const human = `${text}\n${change ? `\nChange from ${opts.base}:\n${renderCostSection(change).join("\n")}\n` : ""}`;
        const document = { schema: SCHEMA_IDS.cost, stack: s.stack, project: s.project, ...(costJson(estimate) as Omit<ResultOf<"cost">, "schema" | "stack" | "project">), ...(change ? { change } : {}) };
        deliverResult("cost", document, human, { json: opts.json, ...(opts.output ? { output: path.resolve(opts.output) } : {}) }, STD_SINKS, "none");
        if (change && opts.failOnIncrease && exceeds(change, opts.failOnIncrease)) {
            process.stderr.write(`--fail-on-increase ${describeThreshold(opts.failOnIncrease)}: the monthly estimate rises by $${change.delta.toFixed(2)}, from $${change.before.toFixed(2)} to $${change.after.toFixed(2)}\n`);
            return EXIT.increase;
        }
        return EXIT.ok;
    } catch (e) {
        if (e instanceof ConfigError || e instanceof StackFileError || e instanceof PriceFileError || e instanceof RevisionCostError || (e as NodeJS.ErrnoException).code === "ENOENT") {
            process.stderr.write(`${(e as Error).message}\n`);
            return EXIT.badInput;
        }
        process.stderr.write(`berth cost failed unexpectedly (a bug):\n${(e as Error).stack ?? e}\n`);
        return EXIT.bug;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(exitWhenFlushed);
}
