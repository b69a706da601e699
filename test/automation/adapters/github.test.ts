import { expect } from "chai";
import { GitHubCommentError, githubClient, pullRequestFromEvent, upsertComment } from "../../../automation/adapters/github";
import { type Comment, fakeGitHub } from "../../helpers/fakeGitHub";

const target = { owner: "acme", repo: "shop", issueNumber: 7 };
const DEV = "<!-- berth-preview stack=dev -->";
const PROD = "<!-- berth-preview stack=prod -->";

describe("GitHub comment upsert (loopback GitHub API)", () => {
    it("first run creates the stack's comment, the second edits the same one, another stack's comment is left alone", async () => {
        const others = Array.from({ length: 45 }, (_, i) => ({ id: i + 1, body: `review comment ${i}`, html_url: "" }));
        const comments: Comment[] = [...others, { id: 99, body: `${PROD}\nprod preview`, html_url: "" }];
        const gh = await fakeGitHub({ comments, pageSize: 20 });
        try {
            const client = githubClient({ token: "t", baseUrl: gh.baseUrl });
            const first = await upsertComment(client, target, DEV, `${DEV}\nfirst`);
            const second = await upsertComment(client, target, DEV, `${DEV}\nsecond`);
            expect([first.action, second.action, second.id]).to.deep.equal(["created", "updated", first.id]);
            expect(comments.filter((c) => c.body.startsWith(DEV)).map((c) => c.body)).to.deep.equal([`${DEV}\nsecond`]);
            expect(comments.find((c) => c.id === 99)!.body).to.equal(`${PROD}\nprod preview`);
            // 47 comments in pages of 20: every page was read before deciding.
            expect(gh.calls.filter((c) => c.startsWith("GET")).length).to.equal(3 + 3);
        } finally {
            await gh.close();
        }
    });

    it("403 and 404 become one sentence with the fix", async () => {
        for (const [status, text] of [
            [403, "GitHub denied commenting on acme/shop#7 (403): give the job `permissions: pull-requests: write` (and issues: write)"],
            [404, "GitHub has no pull request acme/shop#7 visible to this token (404): check the repository and number"],
        ] as const) {
            const gh = await fakeGitHub({ comments: [], deny: status });
            try {
                let error: unknown;
                await upsertComment(githubClient({ token: "t", baseUrl: gh.baseUrl }), target, DEV, `${DEV}\nx`).catch((e) => (error = e));
                expect(error).to.be.instanceOf(GitHubCommentError);
                expect((error as Error).message).to.equal(text);
            } finally {
                await gh.close();
            }
        }
    });

    it("refuses a body without its marker (the next run could not find it)", async () => {
        let error: Error | undefined;
        await upsertComment(githubClient({ token: "t", baseUrl: "http://127.0.0.1:9" }), target, DEV, "no marker").catch((e) => (error = e));
        expect(error?.message).to.equal("the comment body must start with its marker, or the next run cannot find it");
    });

    it("reads the pull request from a GitHub Actions event, and nothing outside one", () => {
        const read = () => JSON.stringify({ pull_request: { number: 7 } });
        expect(pullRequestFromEvent({ GITHUB_REPOSITORY: "acme/shop", GITHUB_EVENT_PATH: "/e.json", GITHUB_EVENT_NAME: "pull_request" }, read)).to.deep.equal(target);
        expect(pullRequestFromEvent({ GITHUB_REPOSITORY: "acme/shop", GITHUB_EVENT_PATH: "/e.json", GITHUB_EVENT_NAME: "push" }, read)).to.equal(undefined);
    });
});
