import { expect } from "chai";
import { changedLevels, imageTagFor, makeReleaseId, planRelease, PlanInputError, ReleaseInput, releasedSetAfter, withDigests } from "../../../automation/plan/release";
import type { ReleasedSet } from "../../../automation/ports";
import { SHA, T0, digest, realOutputs } from "./fixtures";

const CTX = { web: "ctx-web", api: "ctx-api", worker: "ctx-worker" };
const released: ReleasedSet = {
    version: 1,
    releaseId: "20260301-000000-0000000",
    sha: "0".repeat(40),
    releasedAt: "2026-03-01T00:00:00.000Z",
    images: { web: digest("a"), api: digest("b"), worker: digest("c") },
    contexts: { ...CTX },
};

async function input(overrides: Partial<ReleaseInput> = {}): Promise<ReleaseInput> {
    return { sha: SHA, time: T0, outputs: (await realOutputs()).outputs, released, contextDigests: { ...CTX }, existingTags: {}, ...overrides };
}

describe("plan/release: planRelease", function () {
    this.timeout(30_000);

    it("derives a sortable release id from UTC time and the short sha", () => {
        expect(makeReleaseId(T0, SHA)).to.equal("20260314-091502-1a2b3c4");
    });

    it("nothing changed ⇒ 0 builds, 0 rollouts, no migration", async () => {
        const plan = planRelease(await input());
        expect(plan.nothingToDo).to.equal(true);
        expect(plan.counts).to.deep.equal({ builds: 0, reused: 0, rollouts: 0 });
        expect(plan.levels).to.deep.equal([]);
        expect(plan.migration).to.deep.equal({ runs: false, service: "api", why: "api is not changing" });
        expect(plan.services.map((s) => [s.name, s.reason, s.action])).to.deep.equal([
            ["web", "unchanged", "none"],
            ["api", "unchanged", "none"],
            ["worker", "unchanged", "none"],
        ]);
        expect(plan.imagesAfter).to.deep.equal(released.images);
    });

    const table: { title: string; contexts: Record<string, string>; released?: ReleasedSet; roll: string[]; levels: string[][]; migration: boolean }[] = [
        { title: "F11: a changed leaf rolls alone", contexts: { ...CTX, web: "new" }, roll: ["web"], levels: [["web"]], migration: false },
        { title: "F02: the migration runs when its service's image changes", contexts: { ...CTX, api: "new" }, roll: ["api"], levels: [["api"]], migration: true },
        { title: "F11: changed services keep dependency order", contexts: { web: "n1", api: "n2", worker: "n3" }, roll: ["web", "api", "worker"], levels: [["worker"], ["api"], ["web"]], migration: true },
        { title: "F11: order holds through an unchanged service in between", contexts: { ...CTX, web: "n1", worker: "n3" }, roll: ["web", "worker"], levels: [["worker"], ["web"]], migration: false },
        { title: "first release: everything never released", contexts: CTX, released: undefined as unknown as ReleasedSet, roll: ["web", "api", "worker"], levels: [["worker"], ["api"], ["web"]], migration: true },
    ];
    for (const row of table) {
        it(row.title, async () => {
            const plan = planRelease(await input({ contextDigests: row.contexts, ...("released" in row ? { released: row.released } : {}) }));
            expect(plan.toRoll).to.deep.equal(row.roll);
            expect(plan.levels).to.deep.equal(row.levels);
            expect(plan.migration.runs).to.equal(row.migration);
            expect(plan.counts).to.deep.equal({ builds: row.roll.length, reused: 0, rollouts: row.roll.length });
        });
    }

    it("F06: reuses an image whose sha tag already exists instead of rebuilding", async () => {
        const plan = planRelease(await input({ contextDigests: { ...CTX, api: "new", web: "new" }, existingTags: { api: digest("d") } }));
        const api = plan.services.find((s) => s.name === "api")!;
        expect(api).to.deep.equal({ name: "api", changed: true, reason: "context changed", previousDigest: digest("b"), contextDigest: "new", action: "reuse-tag", digest: digest("d") });
        expect(plan.counts).to.deep.equal({ builds: 1, reused: 1, rollouts: 2 });
        expect(plan.imageTag).to.equal(SHA);
        expect(plan.awaitingDigests).to.deep.equal(["web"]);
        expect(plan.imagesAfter).to.deep.equal({ api: digest("d"), worker: digest("c") });
    });

    it("F06: withDigests completes the image set and the rel- tags to add", async () => {
        const plan = withDigests(planRelease(await input({ contextDigests: { ...CTX, web: "new" } })), { web: digest("e") });
        expect(plan.awaitingDigests).to.deep.equal([]);
        expect(plan.imagesAfter).to.deep.equal({ web: digest("e"), api: digest("b"), worker: digest("c") });
        expect(plan.releaseTags).to.deep.equal([
            { service: "web", repositoryName: "berth/dev/web", tag: "rel-20260314-091502-1a2b3c4", digest: digest("e") },
            { service: "api", repositoryName: "berth/dev/api", tag: "rel-20260314-091502-1a2b3c4", digest: digest("b") },
            { service: "worker", repositoryName: "berth/dev/worker", tag: "rel-20260314-091502-1a2b3c4", digest: digest("c") },
        ]);
        expect(releasedSetAfter(plan, released, T0 + 60_000)).to.deep.equal({
            version: 1,
            releaseId: "20260314-091502-1a2b3c4",
            sha: SHA,
            releasedAt: "2026-03-14T09:16:02.000Z",
            images: { web: digest("e"), api: digest("b"), worker: digest("c") },
            contexts: { web: "new", api: "ctx-api", worker: "ctx-worker" },
        });
    });

    it("withDigests refuses a missing or malformed pushed digest", async () => {
        const plan = planRelease(await input({ contextDigests: { ...CTX, web: "new" } }));
        expect(() => withDigests(plan, {})).to.throw("no pushed digest for web");
        expect(() => withDigests(plan, { web: "latest" })).to.throw("pushed digest of web is not sha256:<64 hex> (latest)");
    });

    it("--services restricts the release without adding dependencies", async () => {
        const plan = planRelease(await input({ contextDigests: { web: "n1", api: "n2", worker: "n3" }, only: ["web"] }));
        expect(plan.toRoll).to.deep.equal(["web"]);
        expect(plan.services.map((s) => s.reason)).to.deep.equal(["context changed", "not selected", "not selected"]);
        expect(plan.migration.runs).to.equal(false);
    });

    it("--skip-migration keeps the migration from running", async () => {
        const plan = planRelease(await input({ contextDigests: { ...CTX, api: "new" }, skipMigration: true }));
        expect(plan.migration).to.deep.equal({ runs: false, service: "api", why: "--skip-migration" });
    });

    const bad: [string, Partial<ReleaseInput>, string][] = [
        ["unknown --services", { only: ["web", "nope"] }, "--services names nope, not in this stack's catalogue; known services: web, api, worker"],
        ["short sha", { sha: "1a2b3c4" }, '"1a2b3c4" is not a full git sha (40 lower-case hex digits)'],
        ["missing context digest", { contextDigests: { web: "x" } }, "no build-context digest for api, worker"],
    ];
    for (const [title, overrides, message] of bad) {
        it(`bad input (exit 3): ${title}`, async () => {
            const i = await input(overrides);
            expect(() => planRelease(i)).to.throw(PlanInputError, message);
        });
    }

    it("F11: changedLevels uses waitsFor of the outputs", async () => {
        const { outputs } = await realOutputs();
        expect(changedLevels(outputs, ["web", "worker"])).to.deep.equal([["worker"], ["web"]]);
        expect(changedLevels(outputs, [])).to.deep.equal([]);
    });

    it("F06: a clean tree's images are tagged with the sha; a dirty tree's with <sha>-dirty-<12 hex over every context digest>", () => {
        expect(imageTagFor(SHA)).to.equal(SHA);
        const a = imageTagFor(SHA, { web: "ctx-1", api: "ctx-2" });
        expect(a).to.match(new RegExp(`^${SHA}-dirty-[0-9a-f]{12}$`));
        expect(a.length).to.be.at.most(128);
        expect(imageTagFor(SHA, { api: "ctx-2", web: "ctx-1" })).to.equal(a);
        expect(imageTagFor(SHA, { web: "ctx-1", api: "ctx-3" })).to.not.equal(a);
    });
});
