// Pull-request comments and drift issues through the GitHub REST API (Octokit): one comment per stack, found by
// its hidden marker and edited in place, so a PR shows the current preview instead of a growing thread; one drift
// issue per stack, found by label and title, open while drift lasts.
import { Octokit } from "@octokit/rest";
import { DRIFT_LABEL, driftIssueTitle } from "../plan/drift";
import type { CommentPort, CommentTarget, DriftIssuePort } from "../ports";

export type { CommentTarget } from "../ports";
export { pullRequestFromEvent } from "../plan/preview";

export type UpsertResult = { action: "created" | "updated"; id: number; url: string };

/** An expected failure with the fix: missing permission, unknown pull request. */
export class GitHubCommentError extends Error {}

export interface GitHubOptions {
    token: string;
    /** GITHUB_API_URL on GitHub Enterprise; a loopback server in tests. */
    baseUrl?: string;
}

export function githubClient(options: GitHubOptions): Octokit {
    return new Octokit({ auth: options.token, baseUrl: options.baseUrl ?? "https://api.github.com", request: { retries: 0 } });
}

/** The comment port over the REST API, for the preview flow. */
export function githubComments(options: GitHubOptions): CommentPort {
    const client = githubClient(options);
    return { upsert: (target, marker, body) => upsertComment(client, target, marker, body) };
}

/** Finds this stack's comment by `marker` (first line of the body) and edits it, or creates one. */
export async function upsertComment(client: Octokit, target: CommentTarget, marker: string, body: string): Promise<UpsertResult> {
    if (!body.startsWith(marker)) throw new Error("the comment body must start with its marker, or the next run cannot find it");
    try {
        const comments = await client.paginate(client.rest.issues.listComments, { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 });
        const existing = comments.find((c) => (c.body ?? "").startsWith(marker));
        if (existing) {
            const r = await client.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
            return { action: "updated", id: r.data.id, url: r.data.html_url };
        }
        const r = await client.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.issueNumber, body });
        return { action: "created", id: r.data.id, url: r.data.html_url };
    } catch (e) {
        throw explain(e, target);
    }
}

function explain(e: unknown, target: CommentTarget): Error {
    const status = (e as { status?: number }).status;
    const where = `${target.owner}/${target.repo}#${target.issueNumber}`;
    if (status === 401) return new GitHubCommentError(`GitHub refused the token for ${where} (401): pass the workflow's GITHUB_TOKEN`);
    if (status === 403) return new GitHubCommentError(`GitHub denied commenting on ${where} (403): give the job \`permissions: pull-requests: write\` (and issues: write)`);
    if (status === 404) return new GitHubCommentError(`GitHub has no pull request ${where} visible to this token (404): check the repository and number`);
    return e as Error;
}

export interface Repository {
    owner: string;
    repo: string;
}

export type DriftIssueResult = { action: "created" | "updated" | "closed" | "none"; number?: number; url?: string };

/**
 * The one drift issue of `stack` in `repository`, found among open issues by the label and its exact title
 * (pull requests, which the issues API lists too, are skipped): with a body, edited in place or opened; without
 * one (no drift), closed with a comment. Duplicates someone opened by hand are closed as duplicates of the first.
 */
export async function syncDriftIssue(client: Octokit, repository: Repository, stack: string, body: string | undefined, now: () => string = () => new Date().toISOString()): Promise<DriftIssueResult> {
    const { owner, repo } = repository;
    const title = driftIssueTitle(stack);
    try {
        const open = await client.paginate(client.rest.issues.listForRepo, { owner, repo, labels: DRIFT_LABEL, state: "open", per_page: 100 });
        const mine = open.filter((i) => !i.pull_request && i.title === title).sort((a, b) => a.number - b.number);
        const [first, ...duplicates] = mine;
        for (const d of duplicates) {
            await client.rest.issues.createComment({ owner, repo, issue_number: d.number, body: `Duplicate of #${first.number}: berth keeps one drift issue per stack.` });
            await client.rest.issues.update({ owner, repo, issue_number: d.number, state: "closed", state_reason: "not_planned" });
        }
        if (body === undefined) {
            if (!first) return { action: "none" };
            await client.rest.issues.createComment({ owner, repo, issue_number: first.number, body: `No drift on stack \`${stack}\` any more (checked ${now()}): closing.` });
            const r = await client.rest.issues.update({ owner, repo, issue_number: first.number, state: "closed", state_reason: "completed" });
            return { action: "closed", number: r.data.number, url: r.data.html_url };
        }
        if (first) {
            const r = await client.rest.issues.update({ owner, repo, issue_number: first.number, body });
            return { action: "updated", number: r.data.number, url: r.data.html_url };
        }
        const r = await client.rest.issues.create({ owner, repo, title, body, labels: [DRIFT_LABEL] });
        return { action: "created", number: r.data.number, url: r.data.html_url };
    } catch (e) {
        throw explainIssue(e, repository);
    }
}

/** The drift issue port over the REST API, for `berth drift --issue`. */
export function githubDriftIssues(options: GitHubOptions & { repository: Repository }): DriftIssuePort {
    const client = githubClient(options);
    return { sync: (stack, body) => syncDriftIssue(client, options.repository, stack, body) };
}

function explainIssue(e: unknown, repository: Repository): Error {
    const status = (e as { status?: number }).status;
    const where = `${repository.owner}/${repository.repo}`;
    if (status === 401) return new GitHubCommentError(`GitHub refused the token for ${where} (401): pass the workflow's GITHUB_TOKEN`);
    if (status === 403) return new GitHubCommentError(`GitHub denied managing issues in ${where} (403): give the job \`permissions: issues: write\``);
    if (status === 404) return new GitHubCommentError(`GitHub has no repository ${where} visible to this token (404): check GITHUB_REPOSITORY`);
    if (status === 410) return new GitHubCommentError(`issues are disabled in ${where} (410): enable them, or run drift without --issue`);
    return e as Error;
}
