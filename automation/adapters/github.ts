// Pull-request comments through the GitHub REST API (Octokit): one comment per stack, found by its hidden
// marker and edited in place, so a PR shows the current preview instead of a growing thread.
import { Octokit } from "@octokit/rest";
import type { CommentPort, CommentTarget } from "../ports";

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
