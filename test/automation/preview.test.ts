import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { githubComments } from "../../automation/adapters/github";
import { commentMarker } from "../../automation/plan/preview";
import type { EngineEvent, ReleasedSet, StackPort, StackUpdateOptions, UpdateResult } from "../../automation/ports";
import { PreviewInputError, runPreview, type PreviewPorts } from "../../automation/commands/preview";
import { realOutputs, SHA } from "./plan/fixtures";
import { type Comment, fakeGitHub } from "../helpers/fakeGitHub";

function fixture(name: string): EngineEvent[] {
    const text = fs.readFileSync(path.join(__dirname, "../fixtures/preview", name), "utf8");
    return text.trim().split("\n").map((line) => JSON.parse(line));
}

/** A StackPort whose preview replays a recorded engine event stream. */
export class ReplayStack implements StackPort {
    previews = 0;
    constructor(
        readonly name: string,
        private readonly events: EngineEvent[],
        private readonly rawOutputs: Record<string, unknown>,
    ) {}
    async outputs() {
        return this.rawOutputs;
    }
    async up(): Promise<UpdateResult> {
        throw new Error("a preview never updates");
    }
    async preview(options: StackUpdateOptions): Promise<UpdateResult> {
        this.previews += 1;
        for (const e of this.events) options.onEvent?.(e);
        return { result: "succeeded", resourceChanges: this.events.find((e) => e.summaryEvent)?.summaryEvent?.resourceChanges ?? {} };
    }
    async history() {
        return [];
    }
}

const prEnv = (baseUrl: string, eventPath: string): NodeJS.ProcessEnv => ({
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_REPOSITORY: "acme/shop",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_TOKEN: "t0ken",
    GITHUB_API_URL: baseUrl,
});

describe("preview flow (fake stack replaying dev-replace-db.jsonl)", () => {
    let dir: string;
    let raw: Record<string, unknown>;
    let services: string[];
    const out: string[] = [];
    const progress: string[] = [];

    before(async () => {
        ({ raw } = await realOutputs());
        services = Object.keys((await realOutputs()).outputs.services);
    });
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-preview-"));
        out.length = 0;
        progress.length = 0;
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function ports(env: NodeJS.ProcessEnv, released?: ReleasedSet, stack = new ReplayStack("dev", fixture("dev-replace-db.jsonl"), raw)): PreviewPorts {
        return {
            stack,
            storeFor: () => ({
                readReleased: async () => released, writeReleased: async () => Promise.reject(new Error("a preview never writes")), listReleases: async () => Promise.reject(new Error("a preview never lists releases")),
                listOutcomes: async () => Promise.reject(new Error("a preview never reads outcomes")),
                recordOutcome: async () => Promise.reject(new Error("a preview never records an outcome")),
            }),
            contextDigests: () => Object.fromEntries(services.map((s) => [s, `ctx-${s}`])),
            source: { headSha: async () => SHA, dirtyPaths: async () => [] },
            now: () => Date.UTC(2026, 2, 14),
            comments: githubComments,
            files: {
                write: (f, t) => fs.writeFileSync(f, t),
                append: (f, t) => fs.appendFileSync(f, t),
                read: (f) => fs.readFileSync(f, "utf8"),
            },
            env,
            stdout: (t) => out.push(t),
            progress: (l) => progress.push(l),
        };
    }

    it("creates the stack's PR comment, then edits the same one; writes the full text to preview-dev.md", async () => {
        const comments: Comment[] = [{ id: 1, body: `${commentMarker("prod")}\nprod preview`, html_url: "" }];
        const gh = await fakeGitHub({ comments });
        const eventPath = path.join(dir, "event.json");
        fs.writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 7 } }));
        try {
            const options = { comment: true, failOnStatefulReplace: false, outputDir: dir };
            const first = await runPreview(ports(prEnv(gh.baseUrl, eventPath)), options);
            const second = await runPreview(ports(prEnv(gh.baseUrl, eventPath)), options);
            expect([first.delivery, second.delivery, first.exitCode]).to.deep.equal(["comment-created", "comment-updated", 0]);
            expect(gh.calls).to.deep.equal([
                "GET /repos/acme/shop/issues/7/comments",
                "POST /repos/acme/shop/issues/7/comments",
                "GET /repos/acme/shop/issues/7/comments",
                "PATCH /repos/acme/shop/issues/comments/500",
            ]);
            const mine = comments.filter((c) => c.body.startsWith(commentMarker("dev")));
            expect(mine.map((c) => c.id)).to.deep.equal([500]);
            expect(comments[0].body).to.equal(`${commentMarker("prod")}\nprod preview`);
            expect(mine[0].body).to.contain("> 2 stateful resource(s) would be replaced or deleted");
            expect(mine[0].body).to.contain("**Release from this commit**");
            expect(mine[0].body).to.contain("Migration: would run before the rollout");
            expect(fs.readFileSync(path.join(dir, "preview-dev.md"), "utf8")).to.equal(`${first.fullText}\n`);
            expect(progress).to.include(`Full preview written to ${path.join(dir, "preview-dev.md")}`);
            expect(out).to.deep.equal([`${first.fullText}\n`, `${second.fullText}\n`]);
        } finally {
            await gh.close();
        }
    });

    it("delivers through the comment port alone: the flow imports no GitHub client, and the port gets the target, marker and body", async () => {
        const source = fs.readFileSync(path.join(__dirname, "../../automation/commands/preview.ts"), "utf8");
        expect(source).not.to.match(/@octokit|adapters\//);
        const eventPath = path.join(dir, "event.json");
        fs.writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 7 } }));
        const seen: unknown[] = [];
        const withPort: PreviewPorts = {
            ...ports(prEnv("https://ghe.example/api/v3", eventPath)),
            comments: (options) => ({
                upsert: async (target, marker, body) => {
                    seen.push({ options, target, marker, firstLine: body.split("\n")[0] });
                    return { action: "updated", id: 9, url: "https://ghe.example/acme/shop/pull/7#issuecomment-9" };
                },
            }),
        };
        const outcome = await runPreview(withPort, { comment: true, failOnStatefulReplace: false, outputDir: dir });
        expect([outcome.delivery, outcome.commentUrl]).to.deep.equal(["comment-updated", "https://ghe.example/acme/shop/pull/7#issuecomment-9"]);
        expect(seen).to.deep.equal([
            { options: { token: "t0ken", baseUrl: "https://ghe.example/api/v3" }, target: { owner: "acme", repo: "shop", issueNumber: 7 }, marker: commentMarker("dev"), firstLine: commentMarker("dev") },
        ]);
    });

    it("the release section lists only services whose build context changed, by level", async () => {
        const released: ReleasedSet = {
            version: 1,
            releaseId: "r1",
            sha: SHA,
            releasedAt: "2026-03-13T00:00:00.000Z",
            images: Object.fromEntries(services.map((s) => [s, `sha256:${"a".repeat(64)}`])),
            contexts: Object.fromEntries(services.map((s) => [s, s === services[0] ? "old" : `ctx-${s}`])),
        };
        const outcome = await runPreview(ports({}, released), { comment: false, failOnStatefulReplace: false, outputDir: dir });
        expect(outcome.release?.levels).to.deep.equal([[services[0]]]);
        expect(outcome.fullText).to.contain(`**Release from this commit**\n\n1. ${services[0]}\n`);
        // The flowchart covers the whole catalogue of the real outputs, with only the changed service marked.
        const chart = /```mermaid\n(flowchart LR\n[\s\S]*?)\n```/.exec(outcome.fullText)![1];
        expect(outcome.release?.graph?.levels.flat().sort()).to.deep.equal([...services].sort());
        expect(chart.split("\n").filter((l) => l.includes(" rolls") && l.startsWith("    class "))).to.have.length(1);
        expect(chart).to.contain(`"${services[0]}"`);
    });

    it("--fail-on stateful-replace exits 1 on the replaced database and deleted repository, after delivering", async () => {
        const outcome = await runPreview(ports({}), { comment: false, failOnStatefulReplace: true, outputDir: dir });
        expect(outcome.exitCode).to.equal(1);
        expect(outcome.delivery).to.equal("stdout");
        expect(progress.at(-1)).to.equal(
            "--fail-on stateful-replace: replace database-instance (aws:rds/instance:Instance), delete registry-legacy (aws:ecr/repository:Repository) would lose data",
        );
        expect(fs.existsSync(path.join(dir, "preview-dev.md"))).to.equal(true);
    });

    it("without a pull request, --comment appends the preview to $GITHUB_STEP_SUMMARY", async () => {
        const summaryFile = path.join(dir, "step-summary.md");
        fs.writeFileSync(summaryFile, "earlier step\n");
        const outcome = await runPreview(ports({ GITHUB_EVENT_NAME: "push", GITHUB_STEP_SUMMARY: summaryFile, GITHUB_TOKEN: "t" }), {
            comment: true,
            failOnStatefulReplace: false,
            outputDir: dir,
        });
        expect(outcome.delivery).to.equal("step-summary");
        expect(fs.readFileSync(summaryFile, "utf8")).to.equal(`earlier step\n${outcome.fullText}\n`);
    });

    it("a pull request without GITHUB_TOKEN is a precondition error naming the fix", async () => {
        const eventPath = path.join(dir, "event.json");
        fs.writeFileSync(eventPath, JSON.stringify({ number: 7 }));
        const env = { ...prEnv("http://127.0.0.1:9", eventPath), GITHUB_TOKEN: undefined };
        let error: unknown;
        await runPreview(ports(env), { comment: true, failOnStatefulReplace: false, outputDir: dir }).catch((e) => (error = e));
        expect(error).to.be.instanceOf(PreviewInputError);
        expect((error as Error).message).to.equal("--comment needs a GitHub token in GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})");
    });

    it("a stack that was never deployed still previews, without the release section", async () => {
        const outcome = await runPreview(ports({}, undefined, new ReplayStack("dev", fixture("dev-replace-db.jsonl"), {})), { comment: false, failOnStatefulReplace: false, outputDir: dir });
        expect(outcome.release).to.equal(undefined);
        expect(outcome.releaseSkipped).to.match(/^the stack outputs are not usable yet/);
        expect(outcome.fullText).to.not.contain("Release from this commit");
        expect(outcome.summary.counts).to.deep.equal({ create: 1, update: 2, replace: 1, delete: 1, same: 8 });
    });
});
