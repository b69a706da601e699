// `drift`: a refresh preview of the stack (nothing is written), the resources that changed outside berth grouped
// by component, and — with --issue — the stack's one drift issue opened, updated or closed to match.
import { COMMENT_LIMIT } from "../plan/preview";
import { driftLine, EXIT_DRIFT, hasDrift, renderDriftMarkdown, summarizeDrift, type DriftReport } from "../plan/drift";
import type { DriftIssuePort, EngineEvent, RefreshPreviewPort } from "../ports";

/** A precondition the user must fix (--issue without GITHUB_TOKEN or GITHUB_REPOSITORY): exit 3, message only. */
export class DriftInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DriftInputError";
    }
}

/** The repository and token `--issue` needs, from the GitHub Actions environment. */
export function issueSettings(env: NodeJS.ProcessEnv): { token: string; repository: { owner: string; repo: string }; baseUrl?: string } {
    const token = env.GITHUB_TOKEN;
    const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
    if (!token) throw new DriftInputError("--issue needs GITHUB_TOKEN (the workflow's token, with `permissions: issues: write`)");
    if (!owner || !repo) throw new DriftInputError("--issue needs GITHUB_REPOSITORY as owner/name (set by GitHub Actions)");
    return { token, repository: { owner, repo }, ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}) };
}

export interface DriftPorts {
    stack: RefreshPreviewPort;
    /** The drift issue port (only asked for with --issue). */
    issues(): DriftIssuePort;
    now(): number;
    /** Human progress lines (stderr). */
    progress(line: string): void;
}

export interface DriftOptions {
    issue: boolean;
    signal?: AbortSignal;
}

export interface DriftOutcome {
    exitCode: 0 | typeof EXIT_DRIFT;
    report: DriftReport;
    markdown: string;
    issue?: Awaited<ReturnType<DriftIssuePort["sync"]>>;
}

export async function runDrift(ports: DriftPorts, options: DriftOptions): Promise<DriftOutcome> {
    // Checked first: a missing token is found before minutes of refreshing.
    const issues = options.issue ? ports.issues() : undefined;
    const events: EngineEvent[] = [];
    ports.progress(`refresh preview of stack ${ports.stack.name} (reads every resource from the cloud; writes nothing)`);
    await ports.stack.refreshPreview({ onEvent: (e) => events.push(e), signal: options.signal });
    const report = summarizeDrift(ports.stack.name, events, new Date(ports.now()).toISOString());
    const markdown = renderDriftMarkdown(report);
    ports.progress(driftLine(report));
    const outcome: DriftOutcome = { exitCode: hasDrift(report) ? EXIT_DRIFT : 0, report, markdown };
    if (issues) {
        outcome.issue = await issues.sync(report.stack, hasDrift(report) ? issueBody(markdown) : undefined);
        const at = outcome.issue.number === undefined ? "" : ` #${outcome.issue.number}${outcome.issue.url ? ` (${outcome.issue.url})` : ""}`;
        ports.progress(outcome.issue.action === "none" ? "drift issue: none open, none needed" : `drift issue${at} ${outcome.issue.action}`);
    }
    return outcome;
}

/** GitHub caps an issue body like a comment: a very long report is cut at a line, saying so. */
export function issueBody(markdown: string, limit = COMMENT_LIMIT): string {
    if (markdown.length <= limit) return markdown;
    const note = "\n\n_Trimmed to GitHub's limit: the full report is in the workflow run's log and job summary._";
    const cut = markdown.lastIndexOf("\n", limit - note.length);
    return markdown.slice(0, cut) + note;
}
