// `berth deploy|rollback|status|preview|drift --stack <name>` (and `npm run <command> -- …`): argument parsing, output and
// exit codes only. Each command's work is in commands/<command>.ts; the real adapters are wired in compose.ts.
import * as fs from "fs";
import * as path from "path";
import { Command, CommanderError, Option } from "commander";
import { ConfigError } from "../infra/config/load";
import { StackFileError } from "../infra/synth/stackFiles";
import { GitHubCommentError } from "./adapters/github";
import { mapStackError } from "./adapters/pulumiStack";
import { composeDriftPorts, composePreviewPorts, composeReleaseDeps, type ComposeOptions } from "./compose";
import type { CostThreshold } from "../infra/cost/diff";
import { StackOutputsError } from "./plan/outputs";
import { PlanInputError } from "./plan/release";
import { postSlack } from "./adapters/slack";
import { notifySlack } from "./commands/notify";
import { EXIT_BAD_INPUT, exitCodeFor, releaseResult, renderMarkdown, type ReleaseRecord } from "./plan/report";
import { SCHEMA_IDS, type ResultOf } from "../infra/contracts/results";
import { deliverResult, type ResultFlags } from "../infra/contracts/resultJson";
import { runRelease } from "./commands/deploy";
import { PreviewFailedError, PreviewInputError, runPreview, type PreviewOutcome, type PreviewPorts } from "./commands/preview";
import { runRollback } from "./commands/rollback";
import { DriftInputError, runDrift, type DriftPorts } from "./commands/drift";
import { EXIT_DRIFT } from "./plan/drift";
import { readStatus } from "./commands/status";
import { renderStatus } from "./plan/status";
import { ReleaseInputError, type ReleaseDeps } from "./stages/types";
import { RefreshFailedError } from "./ports";
import { exitWhenFlushed } from "../infra/exitWhenFlushed";
import { DUPLICATE_INTERRUPT_WINDOW_MS, listenForInterrupt } from "./interrupt";
import { DRIFT_EXIT_HELP, failOn, jsonHelp, positiveInteger, PREVIEW_EXIT_HELP, promoteFrom, releaseExitHelp, services, STATUS_EXIT_HELP, type FailOn, type Invocation, type ResultOptions } from "./cliOptions";

/** What main needs from the world; tests override any of it. */
export interface CliDeps {
    composeRelease(options: ComposeOptions): Promise<ReleaseDeps>;
    composePreview(options: ComposeOptions): Promise<PreviewPorts>;
    composeDrift(options: ComposeOptions & { env: NodeJS.ProcessEnv }): Promise<DriftPorts>;
    driver: { runRelease: typeof runRelease; runRollback: typeof runRollback; readStatus: typeof readStatus };
    runPreview: typeof runPreview;
    runDrift: typeof runDrift;
    /** `berth synth …`: the offline synthesis CLI (infra/synth/cli.ts), loaded only when asked for. */
    synth(argv: string[]): Promise<number>;
    /** `berth cost …`: the monthly cost estimate CLI (infra/cost/cli.ts), loaded only when asked for. */
    cost(argv: string[]): Promise<number>;
    stdout(text: string): void;
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
    cwd: string;
    writeFile(file: string, text: string): void;
    appendFile(file: string, text: string): void;
    /** Wires Ctrl-C to the controller; returns the unhook. */
    onInterrupt(controller: AbortController, stackName: string): () => void;
    postSlack(webhookUrl: string, payload: { text: string }): Promise<void>;
}

function defaultDeps(): CliDeps {
    const stderr = (text: string) => process.stderr.write(text);
    return {
        composeRelease: composeReleaseDeps,
        composePreview: composePreviewPorts,
        composeDrift: composeDriftPorts,
        driver: { runRelease, runRollback, readStatus },
        runPreview,
        runDrift,
        synth: async (argv) => (await import("../infra/synth/cli")).main(argv),
        cost: async (argv) => (await import("../infra/cost/cli")).main(argv),
        stdout: (text) => process.stdout.write(text),
        stderr,
        env: process.env,
        cwd: process.cwd(),
        writeFile: (file, text) => fs.writeFileSync(file, text),
        appendFile: (file, text) => fs.appendFileSync(file, text),
        onInterrupt: (controller, stackName) => listenForInterrupt(controller, stackName, stderr),
        postSlack,
    };
}


export function buildProgram(deps: Pick<CliDeps, "stdout" | "stderr">, select: (invocation: Invocation) => void): Command {
    const program = new Command("berth")
        .description("berth: synthesize, price, deploy, roll back, inspect, preview and check a stack of the Pulumi project for drift.")
        .exitOverride()
        .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
        .showHelpAfterError("(add --help for usage)");
    // Required, but checked in the action: commander checks mandatory options before unknown ones, so a typo
    // (`--stak dev`) would read "required option --stack" instead of "unknown option --stak".
    const stack = () => new Option("-s, --stack <name>", "the Pulumi stack (environment) to act on (required)");
    const selected = (invocation: Invocation, command: Command) => {
        if (command.args.length > 0) {
            // `--json <file>` took a file name before --json meant the same on every command.
            const hint = invocation.opts.json ? `: --json takes no file name; --output ${command.args[0]} writes the JSON to a file` : "";
            command.error(`error: unexpected argument '${command.args[0]}'${hint}`, { code: "commander.excessArguments", exitCode: 1 });
        }
        if (invocation.opts.stack === undefined) {
            command.error("error: required option '-s, --stack <name>' not specified", { code: "commander.missingMandatoryOptionValue", exitCode: 1 });
        }
        select(invocation);
    };
    const projectDir = () => new Option("-C, --project-dir <dir>", "the directory holding Pulumi.yaml").default(".");
    const json = (what: string) => new Option("--json", `print ${what} as JSON on stdout`);
    const output = () => new Option("--output <file>", "also write the JSON result to this file");

    program
        .command("deploy")
        .description("Release this commit: build and push changed images, migrate, roll out in dependency order, verify, roll back on failure, record and report.")
        .addOption(stack())
        .option("--services <a,b>", "release only these services (their dependencies are not added)", services)
        .option("--parallel <n>", "bound on concurrent resource operations in every stack update of the release (prepare, rollout, rollback)", positiveInteger, 4)
        .option("--skip-migration", "do not run the migration task even when its service changes")
        .option("--allow-dirty", "release from a working tree with uncommitted changes (images tagged <sha>-dirty-<contexts digest>)")
        .option("--dry-run", "go through every step and print the requests each mutating step would send; change nothing")
        .addOption(json("the release record"))
        .addOption(output())
        .option(
            "--promote-from <stack[:release]>",
            "promote instead of building: the images of the source stack's latest verified release (or the one named by a release id or sha prefix), copied by digest into this stack's repositories",
            promoteFrom,
        )
        .addOption(projectDir())
        .allowExcessArguments(true)
        .addHelpText("after", `${releaseExitHelp()}${jsonHelp("deploy", "the Markdown report on stderr")}\nThe Markdown report ends stdout and is appended to $GITHUB_STEP_SUMMARY when set; progress goes to stderr.\nWith SLACK_WEBHOOK_URL set, the outcome is also posted to Slack (a failed post only warns).\nCtrl-C stops gracefully (in-flight operations finish; exit 2, INTERRUPTED); a second Ctrl-C more than ${DUPLICATE_INTERRUPT_WINDOW_MS / 1000} s later exits at once\n(exit 2). Under \`npm run\` one Ctrl-C arrives twice (terminal and npm): signals within that second count as one.\n`)
        .action((opts, command: Command) => selected({ command: "deploy", opts }, command));

    program
        .command("rollback")
        .description(
            "Return the services to the verified release before the current one (the current one itself when the stack does not run it), or to the release named by --to. Refuses (exit 3) when there is none; a rollback that changes no image records nothing.",
        )
        .addOption(stack())
        .option("--to <release>", "a release id (20260314-091502-1a2b3c4) or a git sha of an earlier release")
        .option("--parallel <n>", "bound on concurrent resource operations in the rollback update", positiveInteger, 4)
        .addOption(json("the release record"))
        .addOption(output())
        .addOption(projectDir())
        .allowExcessArguments(true)
        .addHelpText("after", `${releaseExitHelp()}${jsonHelp("rollback", "the Markdown report on stderr")}\nWith SLACK_WEBHOOK_URL set, the outcome is also posted to Slack (a failed post only warns).\n`)
        .action((opts, command: Command) => selected({ command: "rollback", opts }, command));

    program
        .command("status")
        .description("Show what runs now: released set, ECS deployments, target health; and how the last run ended when it was not that release.")
        .addOption(stack())
        .addOption(json("the status instead of the Markdown table"))
        .addOption(output())
        .addOption(projectDir())
        .allowExcessArguments(true)
        .addHelpText("after", `${STATUS_EXIT_HELP}${jsonHelp("status", "no table")}`)
        .action((opts, command: Command) => selected({ command: "status", opts }, command));

    program
        .command("preview")
        .description("Preview the stack's infrastructure changes and the release this commit would make; write preview-<stack>.md.")
        .addOption(stack())
        .option("--comment", "post (or edit) this stack's comment on the pull request; without a pull request, append to $GITHUB_STEP_SUMMARY")
        .option(
            "--fail-on <what>",
            "exit 1 when a stateful resource (database, bucket, repository, secret, log group) would be replaced or deleted (stateful-replace), or when the monthly cost estimate rises by more than cost-increase=<USD> or cost-increase=<percent>%; repeatable",
            failOn,
        )
        .option("--base <commit>", "the commit the cost change is measured from (default: the pull request's base commit from the GitHub event)")
        .option("--output-dir <dir>", "where preview-<stack>.md is written", ".")
        .addOption(json("the preview (counts, changes, release plan, cost change, delivery)"))
        .addOption(output())
        .addOption(projectDir())
        .allowExcessArguments(true)
        .addHelpText("after", `${PREVIEW_EXIT_HELP}${jsonHelp("preview", "the Markdown on stderr")}`)
        .action((opts, command: Command) => selected({ command: "preview", opts }, command));

    program
        .command("drift")
        .description("Refresh-preview the stack (changes nothing) and list what changed outside berth, by component: a task definition edited by hand, a security group opened in the console.")
        .addOption(stack())
        .addOption(json("the drift report"))
        .addOption(output())
        .option("--issue", "open or update this stack's drift issue on GitHub while drift lasts, close it once drift is gone (GITHUB_TOKEN, GITHUB_REPOSITORY)")
        .addOption(projectDir())
        .addHelpText("after", `${DRIFT_EXIT_HELP}${jsonHelp("drift", "no Markdown")}\nThe Markdown report goes to stdout and is appended to $GITHUB_STEP_SUMMARY when set; progress goes to stderr.\n`)
        .action((opts, command: Command) => selected({ command: "drift", opts }, command));

    // Listed here for --help; main hands `synth` and `cost` with their arguments to their own CLIs before parsing.
    program.command("synth").description("Run the Pulumi program offline under the mock engine and print its resources, rollout order and policy findings (berth synth --help).");
    program.command("cost").description("Estimate the stack's monthly AWS cost from its synthesized resources, offline (berth cost --help).");

    program.addHelpText("after", `${releaseExitHelp()}\nEach command's --help lists its own options and exit codes.\n`);
    return program;
}

export async function main(argv: string[], overrides: Partial<CliDeps> = {}): Promise<number> {
    const deps: CliDeps = { ...defaultDeps(), ...overrides };
    if (argv[0] === "synth") return deps.synth(argv.slice(1));
    if (argv[0] === "cost") return deps.cost(argv.slice(1));
    let invocation: Invocation | undefined;
    try {
        buildProgram(deps, (i) => (invocation = i)).parse(argv, { from: "user" });
    } catch (error) {
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
        throw error;
    }
    if (!invocation) return EXIT_BAD_INPUT;

    const { command, opts } = invocation;
    const controller = new AbortController();
    const unhook = deps.onInterrupt(controller, opts.stack);
    try {
        return await run(invocation, deps, controller.signal);
    } catch (error) {
        return reportError(error, command, opts.stack, deps);
    } finally {
        unhook();
    }
}

async function run(invocation: Invocation, deps: CliDeps, signal: AbortSignal): Promise<number> {
    const projectDir = path.resolve(deps.cwd, invocation.opts.projectDir);
    const stackName = invocation.opts.stack;
    const compose: ComposeOptions = {
        projectDir,
        stackName,
        progress: (line) => deps.stderr(`${line}\n`),
        ...(invocation.command === "preview" && invocation.opts.base ? { base: invocation.opts.base } : {}),
        ...(invocation.command === "deploy" && invocation.opts.promoteFrom ? { promote: true } : {}),
    };
    switch (invocation.command) {
        case "deploy": {
            const o = invocation.opts;
            const record = await deps.driver.runRelease(await deps.composeRelease(compose), {
                projectDir,
                stackName,
                ...(o.services ? { services: o.services } : {}),
                parallel: o.parallel,
                skipMigration: o.skipMigration ?? false,
                allowDirty: o.allowDirty ?? false,
                dryRun: o.dryRun ?? false,
                signal,
                ...(o.promoteFrom ? { promoteFrom: o.promoteFrom } : {}),
            });
            return finish(record, "deploy", resultFlags(o, deps), deps);
        }
        case "rollback": {
            const o = invocation.opts;
            const record = await deps.driver.runRollback(await deps.composeRelease(compose), { projectDir, stackName, ...(o.to ? { to: o.to } : {}), parallel: o.parallel, signal });
            return finish(record, "rollback", resultFlags(o, deps), deps);
        }
        case "status": {
            const status = await deps.driver.readStatus(await deps.composeRelease(compose));
            deliverResult("status", { schema: SCHEMA_IDS.status, ...status }, renderStatus(status), resultFlags(invocation.opts, deps), deps, "none");
            return 0;
        }
        case "preview": {
            const o = invocation.opts;
            const flags = resultFlags(o, deps);
            // With --json the Markdown is human text: stderr, so stdout carries the JSON only.
            const ports: PreviewPorts = { ...(await deps.composePreview(compose)), env: deps.env, stdout: flags.json ? deps.stderr : deps.stdout };
            const outcome = await deps.runPreview(ports, {
                comment: o.comment ?? false,
                failOnStatefulReplace: (o.failOn ?? []).some((f) => f.what === "stateful-replace"),
                ...costLimit(o.failOn),
                outputDir: path.resolve(deps.cwd, o.outputDir),
                signal,
            });
            if (flags.json || flags.output) deliverResult("preview", previewResult(ports.stack.name, outcome), "", flags, deps, "none");
            return outcome.exitCode;
        }
        case "drift": {
            const o = invocation.opts;
            const outcome = await deps.runDrift(await deps.composeDrift({ ...compose, env: deps.env }), { issue: o.issue ?? false, signal });
            const summary = deps.env.GITHUB_STEP_SUMMARY;
            if (summary) deps.appendFile(summary, outcome.markdown);
            const flags = resultFlags(o, deps);
            const document = { schema: SCHEMA_IDS.drift, ...outcome.report, drifted: outcome.exitCode === EXIT_DRIFT, ...(outcome.issue ? { issue: outcome.issue } : {}), exitCode: outcome.exitCode };
            deliverResult("drift", document, outcome.markdown, flags, deps, "none");
            return outcome.exitCode;
        }
    }
}

function costLimit(list: FailOn[] | undefined): { failOnCostIncrease?: CostThreshold } {
    const found = (list ?? []).filter((f): f is Extract<FailOn, { what: "cost-increase" }> => f.what === "cost-increase");
    return found.length ? { failOnCostIncrease: found[found.length - 1].threshold } : {};
}

function resultFlags(opts: ResultOptions, deps: CliDeps): ResultFlags {
    return { json: opts.json ?? false, ...(opts.output ? { output: path.resolve(deps.cwd, opts.output) } : {}) };
}

/** The preview's JSON result: what was found and where it went (the Markdown itself is in the file). */
function previewResult(stack: string, o: PreviewOutcome): ResultOf<"preview"> {
    return {
        schema: SCHEMA_IDS.preview,
        stack,
        exitCode: o.exitCode,
        counts: o.summary.counts,
        changes: o.summary.changes,
        dangerous: o.summary.dangerous,
        ...(o.release ? { release: o.release } : {}),
        ...(o.releaseSkipped ? { releaseSkipped: o.releaseSkipped } : {}),
        ...(o.cost ? { cost: o.cost } : {}),
        ...(o.costProblem ? { costProblem: o.costProblem } : {}),
        file: o.file,
        delivery: o.delivery,
        ...(o.commentUrl ? { commentUrl: o.commentUrl } : {}),
    };
}

/** Reports, then tells Slack when SLACK_WEBHOOK_URL is set; a failed notification warns and changes no exit code. */
async function finish(record: ReleaseRecord, command: "deploy" | "rollback", flags: ResultFlags, deps: CliDeps): Promise<number> {
    const code = report(record, command, flags, deps);
    await notifySlack(record, deps);
    return code;
}

/** The Markdown report (and the step summary) and the JSON record, as --json/--output say; the exit code by final state. */
function report(record: ReleaseRecord, command: "deploy" | "rollback", flags: ResultFlags, deps: CliDeps): number {
    const rendered = renderMarkdown(record);
    const markdown = rendered.endsWith("\n") ? rendered : `${rendered}\n`;
    const summary = deps.env.GITHUB_STEP_SUMMARY;
    if (summary) deps.appendFile(summary, markdown);
    deliverResult(command, releaseResult(record, command), markdown, flags, deps, "stderr");
    return exitCodeFor(record.state);
}

const INPUT_ERRORS = [ReleaseInputError, PlanInputError, StackOutputsError, ConfigError, StackFileError, PreviewInputError, GitHubCommentError, DriftInputError];

function reportError(error: unknown, command: string, stackName: string, deps: CliDeps): number {
    if (INPUT_ERRORS.some((type) => error instanceof type)) {
        deps.stderr(`berth ${command}: ${(error as Error).message}\n`);
        return EXIT_BAD_INPUT;
    }
    if (error instanceof PreviewFailedError || error instanceof RefreshFailedError) {
        deps.stderr(`berth ${command}: ${error.message}\n`);
        return 2;
    }
    const mapped = mapStackError(error, stackName);
    if (mapped.expected) {
        deps.stderr(`berth ${command}: ${mapped.error.message} — ${mapped.hint}\n`);
        return mapped.exitCode;
    }
    deps.stderr(`berth ${command} failed unexpectedly (a bug): ${mapped.hint}\n${mapped.error.stack ?? mapped.error.message}\n`);
    return 2;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(exitWhenFlushed);
}
