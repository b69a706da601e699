import { expect } from "chai";
import { planRollback } from "../../../automation/plan/rollback";
import { planRelease, withDigests } from "../../../automation/plan/release";
import type { ReleasedSet } from "../../../automation/ports";
import { SHA, T0, digest, realOutputs } from "./fixtures";

const released: ReleasedSet = { version: 1, releaseId: "r0", sha: "0".repeat(40), releasedAt: "2026-03-01T00:00:00.000Z", images: { api: digest("b"), worker: digest("c") }, contexts: { api: "ctx-api", worker: "ctx-worker" } };

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

});
