// `npm run synth -- --stack dev`: the environment a `pulumi up` would declare, offline. Argument parsing,
// output and exit codes only; the work is in synthesize.ts, render.ts and the policy module.
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../config/errors";
import { evaluatePolicies, Severity } from "../policy";
import { SEVERITIES } from "../policy/types";
import { StackFileError } from "./stackFiles";
import { synthesizeStack } from "./synthesize";
import { renderRolloutGraph, renderText, synthDocument } from "./render";
import { SCHEMA_IDS, type ResultOf } from "../contracts/results";
import { deliverResult, STD_SINKS } from "../contracts/resultJson";
import * as fs from "fs";
import { estimateCost, type CostEstimate } from "../cost/estimate";
import { loadPriceFile, PriceFileError } from "../cost/priceFile";
import { costJson, renderCostText } from "../cost/render";
import { exitWhenFlushed } from "../exitWhenFlushed";

export const EXIT = { ok: 0, findings: 1, bug: 2, badInput: 3 } as const;

function severity(value: string): Severity {
    if (!(SEVERITIES as readonly string[]).includes(value)) throw new InvalidArgumentError(`use one of ${SEVERITIES.join(", ")}`);
    return value as Severity;
}

export function buildCommand(): Command {
    return new Command("synth")
        .description("Run berth's Pulumi program offline under the mock engine (no Pulumi CLI, no AWS) and print the resource inventory by component, the rollout order, each service's rollout strategy (hooks, bake, alarms), the security-policy findings and the cost estimate.")
        .requiredOption("-s, --stack <name>", "stack to synthesize: reads Pulumi.yaml and Pulumi.<name>.yaml")
        .option("--json", `print the synthesis as JSON (${SCHEMA_IDS.synth}, docs/json.md) on stdout: resources with secrets redacted, outputs, rollout levels and graph, policy, cost`)
        .option("--output <file>", "also write the JSON to this file (the human output stays on stdout)")
        .option("--graph", "print the rollout graph as a Mermaid flowchart (levels, what waits for what, the migration) instead of the text report")
        .option("--fail-on <severity>", `exit ${EXIT.findings} when a finding is at least this severe (${SEVERITIES.join(", ")})`, severity)
        .option("--released-images <file>", "synthesize as if this released image set (JSON, as the driver writes to SSM) were recorded")
        .option("-C, --project-dir <dir>", "directory holding Pulumi.yaml", ".")
        .addHelpText(
            "after",
            `\nExit codes:\n  ${EXIT.ok}  synthesized\n  ${EXIT.findings}  policy findings at or above --fail-on\n  ${EXIT.bug}  unexpected error (a bug: the stack trace is printed)\n  ${EXIT.badInput}  bad configuration, stack file or flags\n\nSecrets (secure: values) are never decrypted: they stay opaque placeholders.`,
        )
        .exitOverride();
}

export async function main(argv: string[]): Promise<number> {
    const command = buildCommand();
    try {
        command.parse(argv, { from: "user" });
    } catch (e) {
        const code = (e as { exitCode?: number }).exitCode;
        return code === 0 ? EXIT.ok : EXIT.badInput;
    }
    const opts = command.opts<{ stack: string; json?: boolean; output?: string; graph?: boolean; failOn?: Severity; releasedImages?: string; projectDir: string }>();
    try {
        const releasedImages = opts.releasedImages ? fs.readFileSync(opts.releasedImages, "utf8") : undefined;
        const s = await synthesizeStack(path.resolve(opts.projectDir), opts.stack, releasedImages ? { releasedImages } : undefined);
        const policy = evaluatePolicies(s.resources, { environment: s.settings.environment });
        const cost = costOf(s);
        const costText = "error" in cost ? `Cost: ${cost.error}` : renderCostText(cost, "Cost (npm run cost)");
        const human = opts.graph ? `${renderRolloutGraph(s)}\n` : `${renderText(s, policy)}\n\n${costText}\n`;
        const document = { ...synthDocument(s, policy), cost: "error" in cost ? cost : (costJson(cost) as ResultOf<"synth">["cost"]) };
        deliverResult("synth", document, human, { json: opts.json, ...(opts.output ? { output: path.resolve(opts.output) } : {}) }, STD_SINKS, "none");
        if (opts.failOn) {
            const limit = SEVERITIES.indexOf(opts.failOn);
            if (policy.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit)) return EXIT.findings;
        }
        return EXIT.ok;
    } catch (e) {
        if (e instanceof ConfigError || e instanceof StackFileError) {
            process.stderr.write(`${e.message}\n`);
            return EXIT.badInput;
        }
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
            process.stderr.write(`${(e as Error).message}\n`);
            return EXIT.badInput;
        }
        process.stderr.write(`berth synth failed unexpectedly (a bug):\n${(e as Error).stack ?? e}\n`);
        return EXIT.bug;
    }
}

/** The monthly estimate; a price-file problem is reported in the cost section and does not fail the synth. */
function costOf(s: Awaited<ReturnType<typeof synthesizeStack>>): CostEstimate | { error: string } {
    try {
        const region = String((s.outputs as { region?: string }).region);
        return estimateCost({ resources: s.resources, region, assumptions: s.settings.costAssumptions, prices: loadPriceFile() });
    } catch (e) {
        if (e instanceof PriceFileError) return { error: e.message };
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(exitWhenFlushed);
}
