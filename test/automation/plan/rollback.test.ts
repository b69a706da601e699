import { expect } from "chai";
import { findRecord, planRollback, rollbackToRecord } from "../../../automation/plan/rollback";
import { planRelease, withDigests } from "../../../automation/plan/release";
import type { ReleaseRecord } from "../../../automation/plan/report";
import type { ReleasedSet } from "../../../automation/ports";
import { SHA, T0, digest, realOutputs } from "./fixtures";

const released: ReleasedSet = { version: 1, releaseId: "r0", sha: "0".repeat(40), releasedAt: "2026-03-01T00:00:00.000Z", images: { api: digest("b"), worker: digest("c") }, contexts: { api: "ctx-api", worker: "ctx-worker" } };
const record = (o: Partial<ReleaseRecord>): ReleaseRecord => ({
    version: 1, id: "20260301-000000-aaaaaaa", sha: "a".repeat(40), stack: "dev", startedAt: "2026-03-01T00:00:00.000Z", finishedAt: "2026-03-01T00:05:00.000Z",
    state: "RELEASED", stages: [], services: [], migration: { outcome: "not-needed" }, pulumiUpdates: {}, imagesNow: { api: digest("1"), worker: digest("c") }, ...o,
});

describe("plan/rollback", function () {
    this.timeout(30_000);

    it("F13: restores the previous digests of exactly the services this release changed", async () => {
        const { outputs } = await realOutputs();
        const plan = withDigests(planRelease({ sha: SHA, time: T0, outputs, released, contextDigests: { web: "w", api: "new", worker: "ctx-worker" }, existingTags: {} }), { web: digest("e"), api: digest("f") });
        const rb = planRollback(plan, released);
        expect(rb.restore).to.deep.equal({ api: digest("b") });
        expect(rb.impossible).to.deep.equal([{ service: "web", why: "never released before: there is no previous image to return to; it keeps running this release's image" }]);
        expect(rb.images).to.deep.equal({ web: digest("e"), api: digest("b"), worker: digest("c") });
        expect(rb.stateIfRestored).to.equal("NEEDS_ATTENTION");
    });

    it("F13: a release of previously released services rolls back cleanly", async () => {
        const { outputs } = await realOutputs();
        const withWeb = { ...released, images: { ...released.images, web: digest("a") }, contexts: { ...released.contexts, web: "ctx-web" } };
        const plan = withDigests(planRelease({ sha: SHA, time: T0, outputs, released: withWeb, contextDigests: { web: "new", api: "ctx-api", worker: "ctx-worker" }, existingTags: {} }), { web: digest("e") });
        const rb = planRollback(plan, withWeb);
        expect(rb).to.deep.equal({ restore: { web: digest("a") }, impossible: [], images: withWeb.images, stateIfRestored: "ROLLED_BACK" });
    });

    it("rollback --to returns to a released record's image set", () => {
        const current = { ...released, images: { api: digest("b"), worker: digest("c"), web: digest("e") } };
        expect(rollbackToRecord(record({}), current)).to.deep.equal({
            restore: { api: digest("1") },
            impossible: [{ service: "web", why: "did not exist in release 20260301-000000-aaaaaaa; it keeps its current image" }],
            images: { api: digest("1"), worker: digest("c"), web: digest("e") },
            stateIfRestored: "NEEDS_ATTENTION",
        });
    });

    it("rollback --to refuses a release that did not end RELEASED", () => {
        expect(() => rollbackToRecord(record({ state: "ROLLED_BACK" }), released)).to.throw("release 20260301-000000-aaaaaaa ended ROLLED_BACK; only a RELEASED release can be returned to");
    });

    it("finds a record by id or sha prefix, newest first", () => {
        const a = record({});
        const b = record({ id: "20260302-000000-aaaaaaa", finishedAt: "2026-03-02T00:05:00.000Z" });
        expect(findRecord([a, b], "aaaaaaa").id).to.equal("20260302-000000-aaaaaaa");
        expect(findRecord([a, b], "20260301-000000-aaaaaaa")).to.equal(a);
        expect(() => findRecord([a], "bbbbbbb")).to.throw("no released release bbbbbbb; released: 20260301-000000-aaaaaaa");
    });
});
