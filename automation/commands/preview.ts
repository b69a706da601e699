// `preview`, the pull-request preview flow: a Pulumi preview through the stack port, the runtime plan of a release
// from this commit, the Markdown written to preview-<stack>.md and delivered as a PR comment, step summary or stdout.
import * as path from "path";
import { planRollout } from "../plan/deployments";
import { formatEvent } from "../plan/events";
import { parseStackOutputs, StackOutputsError, type EnvironmentOutputs } from "../plan/outputs";
import { commentMarker, pullRequestFromEvent, renderPreviewComment, summarizePreview, type PreviewSummary, type ReleasePreview } from "../plan/preview";
import { planRelease } from "../plan/release";
import type { CommentPort, EngineEvent, ReleaseStorePort, SourcePort, StackPort } from "../ports";
import { describeThreshold, diffCost, exceeds, renderCostSection, type CostDelta, type CostThreshold } from "../../infra/cost/diff";
import type { RevisionCost } from "../../infra/cost/revision";

/** GitHub caps a job's step summary at 1 MiB; a larger preview goes there trimmed, like the comment. */
export const STEP_SUMMARY_LIMIT = 1_000_000;

/** A precondition the user must fix (missing token): the CLI exits 3 with the message only. */
export class PreviewInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreviewInputError";
    }
}

/** The engine reported a failed preview (a program or provider error): exit 2, message only. */
export class PreviewFailedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreviewFailedError";
    }
}

export interface PreviewFiles {
    write(file: string, text: string): void;
    append(file: string, text: string): void;
    read(file: string): string;
}

export interface PreviewPorts {
    stack: StackPort;
    /** The released-set store named by the stack's outputs. */
    storeFor(outputs: EnvironmentOutputs): ReleaseStorePort;
    /** service → build-context digest of this checkout. */
    contextDigests(outputs: EnvironmentOutputs): Record<string, string>;
    source: SourcePort;
    now(): number;
    /** The pull-request comment port, given the token (and GITHUB_API_URL when set). */
    comments(options: { token: string; baseUrl?: string }): CommentPort;
    files: PreviewFiles;
    env: NodeJS.ProcessEnv;
    /** Machine output: the Markdown when it is not delivered elsewhere. */
    stdout(text: string): void;
    /** Human progress lines (stderr). */
    progress(line: string): void;
    /** The monthly cost estimate of this checkout and of the base commit (when there is one), synthesized offline. */
    cost?: { base: string | undefined; estimate(revision?: string): Promise<RevisionCost> };
}

export interface PreviewOptions {
    comment: boolean;
    failOnStatefulReplace: boolean;
    /** `--fail-on cost-increase=<USD or %>`. */
    failOnCostIncrease?: CostThreshold;
    /** Where preview-<stack>.md is written. */
    outputDir: string;
    signal?: AbortSignal;
}

export type Delivery = "comment-created" | "comment-updated" | "step-summary" | "stdout";

export interface PreviewOutcome {
    exitCode: 0 | 1;
    summary: PreviewSummary;
    release?: ReleasePreview;
    cost?: CostDelta;
    /** Why the cost change is unknown, when it is. */
    costProblem?: string;
    /** Why the release plan is absent, when it is. */
    releaseSkipped?: string;
    /** The untrimmed Markdown, as written to `file`. */
    fullText: string;
    /** The body as delivered (trimmed to the comment limit). */
    body: string;
    file: string;
    delivery: Delivery;
    commentUrl?: string;
}

export function previewFileName(stack: string): string {
    return `preview-${stack}.md`;
}

/** Runs the preview and delivers it; exit 1 only for `--fail-on stateful-replace` with stateful replacements. */
export async function runPreview(ports: PreviewPorts, options: PreviewOptions): Promise<PreviewOutcome> {
    const { stack } = ports;
    const fileName = previewFileName(stack.name);
    const file = path.join(options.outputDir, fileName);

    const events: EngineEvent[] = [];
    const errors: string[] = [];
    ports.progress(`Previewing stack ${stack.name}…`);
    const result = await stack.preview({
        signal: options.signal,
        onEvent: (event) => {
            events.push(event);
            const d = event.diagnosticEvent;
            if (d?.severity === "error") errors.push(d.message.trim());
            const line = formatEvent(event);
            if (line) ports.progress(line);
        },
    });
    if (result.result === "failed") {
        throw new PreviewFailedError(`pulumi preview of stack ${stack.name} failed${errors.length ? `: ${errors.join("; ")}` : ""} — fix the program or config and run it again`);
    }
    const summary = summarizePreview(events);

    const planned = await releasePreview(ports);
    if ("skipped" in planned) ports.progress(`Release plan left out: ${planned.skipped}`);
    const release = "skipped" in planned ? undefined : planned.release;

    const { cost, costProblem, noBase } = await costChange(ports);
    const costLines = cost ? renderCostSection(cost) : costProblem ? ["**Monthly cost estimate**", "", `Not estimated: ${costProblem}`, ""] : undefined;

    const fullText = renderPreviewComment({ stack: stack.name, summary, release, cost: costLines, fullTextAt: "", limit: Number.POSITIVE_INFINITY });
    ports.files.write(file, `${fullText}\n`);
    ports.progress(`Full preview written to ${file}`);
    const fullTextAt = `the job log and the artifact file \`${fileName}\``;
    const body = renderPreviewComment({ stack: stack.name, summary, release, cost: costLines, fullTextAt });

    const { delivery, commentUrl } = options.comment ? await deliver(ports, { stack: stack.name, fullText, body }) : { delivery: "stdout" as const, commentUrl: undefined };
    // The job log always carries the full text: the trimmed comment points at it.
    ports.stdout(`${fullText}\n`);

    let exitCode: 0 | 1 = 0;
    if (options.failOnStatefulReplace && summary.dangerous.length > 0) {
        exitCode = 1;
        ports.progress(`--fail-on stateful-replace: ${summary.dangerous.map((d) => `${d.op} ${d.name} (${d.type})`).join(", ")} would lose data`);
    }
    const limit = options.failOnCostIncrease;
    if (limit) {
        if (cost && exceeds(cost, limit)) {
            exitCode = 1;
            ports.progress(`--fail-on cost-increase=${describeThreshold(limit)}: the monthly estimate rises by $${cost.delta.toFixed(2)}${cost.percent === undefined ? "" : ` (${cost.percent.toFixed(1)}%)`}, from $${cost.before.toFixed(2)} to $${cost.after.toFixed(2)}`);
        } else if (!cost && noBase) {
            ports.progress(`--fail-on cost-increase: not checked: ${costProblem}`);
        } else if (!cost) {
            exitCode = 1;
            ports.progress(`--fail-on cost-increase: cannot check the cost change: ${costProblem ?? "no cost estimate"}`);
        }
    }
    return { exitCode, summary, release, cost, costProblem, releaseSkipped: "skipped" in planned ? planned.skipped : undefined, fullText, body, file, delivery, commentUrl };
}

/** This checkout's monthly estimate against the base commit's; a problem is reported, never thrown. */
async function costChange(ports: PreviewPorts): Promise<{ cost?: CostDelta; costProblem?: string; noBase?: boolean }> {
    if (!ports.cost) return {};
    try {
        ports.progress("Estimating the monthly cost of this commit (offline synth)…");
        const after = await ports.cost.estimate();
        if ("absent" in after) return { costProblem: after.absent };
        if (!ports.cost.base) return { noBase: true, costProblem: `no base commit to compare with (not a pull request; pass --base <commit>); this commit: $${after.total.monthly.toFixed(2)} a month` };
        ports.progress(`Estimating the monthly cost of the base commit ${ports.cost.base}…`);
        const before = await ports.cost.estimate(ports.cost.base);
        return { cost: diffCost(before, after) };
    } catch (e) {
        return { costProblem: (e as Error).message };
    }
}

/** `--comment`: the PR comment (through the comment port), else the step summary, else stdout only. */
async function deliver(ports: PreviewPorts, text: { stack: string; fullText: string; body: string }): Promise<{ delivery: Delivery; commentUrl?: string }> {
    const target = pullRequestFromEvent(ports.env, (p) => ports.files.read(p));
    const stepSummary = ports.env.GITHUB_STEP_SUMMARY;
    if (target) {
        const token = ports.env.GITHUB_TOKEN;
        if (!token) throw new PreviewInputError("--comment needs a GitHub token in GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})");
        const comments = ports.comments({ token, ...(ports.env.GITHUB_API_URL ? { baseUrl: ports.env.GITHUB_API_URL } : {}) });
        const upserted = await comments.upsert(target, commentMarker(text.stack), text.body);
        ports.progress(`Preview comment ${upserted.action} on ${target.owner}/${target.repo}#${target.issueNumber}: ${upserted.url}`);
        return { delivery: upserted.action === "created" ? "comment-created" : "comment-updated", commentUrl: upserted.url };
    }
    if (stepSummary) {
        ports.files.append(stepSummary, `${text.fullText.length <= STEP_SUMMARY_LIMIT ? text.fullText : text.body}\n`);
        ports.progress(`No pull request in this run: preview appended to the step summary`);
        return { delivery: "step-summary" };
    }
    ports.progress(`No pull request in this run and no GITHUB_STEP_SUMMARY: preview printed below`);
    return { delivery: "stdout" };
}

/** Which services a release from this commit would roll, by level, and whether the migration runs. */
async function releasePreview(ports: PreviewPorts): Promise<{ release: ReleasePreview } | { skipped: string }> {
    let outputs: EnvironmentOutputs;
    try {
        outputs = parseStackOutputs(await ports.stack.outputs());
    } catch (error) {
        // A stack that was never deployed has nothing to release against; its infrastructure preview still counts.
        if (error instanceof StackOutputsError) return { skipped: `the stack outputs are not usable yet (${error.problems[0]})` };
        throw error;
    }
    const released = await ports.storeFor(outputs).readReleased();
    const plan = planRelease({
        sha: await ports.source.headSha(),
        time: ports.now(),
        outputs,
        released,
        contextDigests: ports.contextDigests(outputs),
        // Whether an image is built or its tag reused does not change levels or the migration.
        existingTags: {},
    });
    const rollouts = Object.fromEntries(plan.levels.flat().map((s) => [s, planRollout(outputs.services[s].rollout, outputs.services[s].healthCheckPath)]));
    return { release: { levels: plan.levels, migration: plan.migration.runs, rollouts } };
}
