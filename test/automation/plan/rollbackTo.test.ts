// `rollback --to` planning (automation/plan/rollback.ts): which image each service of today's catalogue gets,
// which keep theirs, which of the source's are gone, and the release plan of that update — no build, no
// migration, exactly the changed services roll (F18: a rollback is a release like any other, nothing guessed).
import { expect } from "chai";
import { noopRollbackPlan, planRollbackTo, rollbackReleasePlan } from "../../../automation/plan/rollback";
import type { ReleasedSet } from "../../../automation/ports";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const set = (releaseId: string, images: Record<string, string>, contexts: Record<string, string>): ReleasedSet => ({ version: 1, releaseId, sha: `${releaseId.slice(-7)}${"0".repeat(33)}`, releasedAt: "2026-03-01T10:00:00Z", images, contexts });

describe("plan/rollback --to", () => {
    const source = set("20260301-100000-aaaaaaa", { api: d("1"), web: d("2"), legacy: d("3") }, { api: "ctx-api-1", legacy: "ctx-legacy-1" });
    const released = set("20260302-100000-bbbbbbb", { api: d("4"), web: d("5"), mail: d("6") }, { api: "ctx-api-4", web: "ctx-web-5", mail: "ctx-mail-6" });

    it("takes the source's image per service, keeps the current one where the source had none, and names the gone", () => {
        const current = { api: d("4"), web: d("2"), mail: d("6"), search: d("7") };
        const plan = planRollbackTo(source, released, current);
        expect(plan).to.deep.equal({
            images: { api: d("1"), web: d("2"), mail: d("6"), search: d("7") },
            // api from the source; web's source has no context; mail kept with the released set's context;
            // search kept, but the released set never had it.
            contexts: { api: "ctx-api-1", mail: "ctx-mail-6" },
            current,
            kept: ["mail", "search"],
            gone: ["legacy"],
            changed: ["api"],
        });
    });

    it("a kept service that no longer runs the released image gets no context, and without a released set none", () => {
        const current = { api: d("4"), mail: d("9") };
        expect(planRollbackTo(source, released, current).contexts).to.deep.equal({ api: "ctx-api-1" });
        expect(planRollbackTo(source, undefined, { mail: d("6") }).contexts).to.deep.equal({});
    });

    it("the update's plan: no build, no migration, the changed services roll from their current image", () => {
        const current = { api: d("4"), web: d("2"), mail: d("6") };
        const to = planRollbackTo(source, released, current);
        const plan = rollbackReleasePlan("20260303-100000-ccccccc", source, to);
        expect(plan).to.deep.equal({
            releaseId: "20260303-100000-ccccccc",
            sha: source.sha,
            imageTag: source.sha,
            services: [
                { name: "api", changed: true, reason: "context changed", contextDigest: "ctx-api-1", previousDigest: d("4"), action: "none", digest: d("1") },
                { name: "web", changed: false, reason: "unchanged", contextDigest: "", previousDigest: d("2"), action: "none", digest: d("2") },
                { name: "mail", changed: false, reason: "unchanged", contextDigest: "ctx-mail-6", previousDigest: d("6"), action: "none", digest: d("6") },
            ],
            toRoll: ["api"],
            levels: [],
            migration: { runs: false, why: "rollback" },
            imagesAfter: { api: d("1"), web: d("2"), mail: d("6") },
            awaitingDigests: [],
            releaseTags: [],
            nothingToDo: false,
            counts: { builds: 0, reused: 0, rollouts: 1 },
        });
    });

    it("a rollback that changes no image is nothing to do, and rolls nothing", () => {
        const current = { api: d("1"), web: d("2") };
        expect(noopRollbackPlan(source, current)).to.deep.equal({
            releaseId: source.releaseId,
            sha: source.sha,
            imageTag: source.sha,
            services: [
                { name: "api", changed: false, reason: "unchanged", contextDigest: "", previousDigest: d("1"), action: "none", digest: d("1") },
                { name: "web", changed: false, reason: "unchanged", contextDigest: "", previousDigest: d("2"), action: "none", digest: d("2") },
            ],
            toRoll: [],
            levels: [],
            migration: { runs: false, why: "rollback" },
            imagesAfter: current,
            awaitingDigests: [],
            releaseTags: [],
            nothingToDo: true,
            counts: { builds: 0, reused: 0, rollouts: 0 },
        });
    });
});
