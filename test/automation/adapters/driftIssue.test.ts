import { expect } from "chai";
import { GitHubCommentError, githubClient, syncDriftIssue } from "../../../automation/adapters/github";
import { fakeGitHubIssues, type FakeIssue } from "../../helpers/fakeGitHubIssues";

const repository = { owner: "acme", repo: "shop" };
const NOW = () => "2026-12-02T07:00:00.000Z";
const issue = (number: number, title: string, extra: Partial<FakeIssue> = {}): FakeIssue => ({ number, title, body: "", state: "open", labels: ["berth-drift"], comments: [], ...extra });

describe("drift issue upsert (loopback GitHub API)", () => {
    it("opens one issue per stack, edits it while drift lasts, closes it with a comment once drift is gone", async () => {
        // 50 unrelated labelled issues and pull requests in pages of 20, a PR with the same title, prod's own issue.
        const noise = Array.from({ length: 50 }, (_, i) => issue(100 + i, `other ${i}`, i % 2 ? { pull_request: { url: "x" } } : {}));
        const gh = await fakeGitHubIssues({ issues: [...noise, issue(300, "berth drift: stack dev", { pull_request: { url: "x" } }), issue(301, "berth drift: stack prod", { body: "prod" })], pageSize: 20, token: "t" });
        try {
            const client = githubClient({ token: "t", baseUrl: gh.baseUrl });
            const first = await syncDriftIssue(client, repository, "dev", "<!-- berth-drift stack=dev -->\nfirst", NOW);
            const second = await syncDriftIssue(client, repository, "dev", "<!-- berth-drift stack=dev -->\nsecond", NOW);
            expect([first.action, second.action, second.number]).to.deep.equal(["created", "updated", first.number]);
            const mine = gh.issues.filter((i) => i.title === "berth drift: stack dev" && !i.pull_request);
            expect(mine.map((i) => [i.number, i.body, i.labels, i.state])).to.deep.equal([[302, "<!-- berth-drift stack=dev -->\nsecond", ["berth-drift"], "open"]]);
            // every page of the labelled open issues was read before deciding (52 open → 3 pages each time)
            expect(gh.calls.filter((c) => c.startsWith("GET")).length).to.equal(3 + 3);
            expect(gh.calls[0]).to.equal("GET /repos/acme/shop/issues?labels=berth-drift&state=open");

            const gone = await syncDriftIssue(client, repository, "dev", undefined, NOW);
            expect(gone).to.deep.equal({ action: "closed", number: 302, url: "https://github.example/acme/shop/issues/302" });
            expect([mine[0].state, mine[0].state_reason, mine[0].comments]).to.deep.equal(["closed", "completed", ["No drift on stack `dev` any more (checked 2026-12-02T07:00:00.000Z): closing."]]);
            expect(await syncDriftIssue(client, repository, "dev", undefined, NOW)).to.deep.equal({ action: "none" });
            expect(gh.issues.find((i) => i.number === 301)).to.include({ body: "prod", state: "open" });
        } finally {
            await gh.close();
        }
    });

    it("a closed issue stays closed (the open one is edited); a hand-made duplicate is closed as a duplicate of the first", async () => {
        const gh = await fakeGitHubIssues({ issues: [issue(5, "berth drift: stack dev", { state: "closed" }), issue(9, "berth drift: stack dev"), issue(7, "berth drift: stack dev")] });
        try {
            const client = githubClient({ token: "t", baseUrl: gh.baseUrl });
            expect(await syncDriftIssue(client, repository, "dev", "drift", NOW)).to.deep.include({ action: "updated", number: 7 });
            expect(gh.issues.find((i) => i.number === 9)).to.deep.include({ state: "closed", state_reason: "not_planned", comments: ["Duplicate of #7: berth keeps one drift issue per stack."] });
            expect(gh.issues.find((i) => i.number === 5)).to.deep.include({ state: "closed", body: "" });
        } finally {
            await gh.close();
        }
    });

    it("401 and 404 become one sentence with the fix", async () => {
        const gh = await fakeGitHubIssues({ issues: [], token: "right" });
        try {
            for (const [token, repo, text] of [
                ["wrong", repository, "GitHub refused the token for acme/shop (401): pass the workflow's GITHUB_TOKEN"],
                ["right", { owner: "acme", repo: "gone" }, "GitHub has no repository acme/gone visible to this token (404): check GITHUB_REPOSITORY"],
            ] as const) {
                const error = await syncDriftIssue(githubClient({ token, baseUrl: gh.baseUrl }), repo, "dev", "x", NOW).then(() => undefined, (e: unknown) => e);
                expect(error).to.be.instanceOf(GitHubCommentError);
                expect((error as Error).message).to.equal(text);
            }
        } finally {
            await gh.close();
        }
    });
});
