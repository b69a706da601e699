import { expect } from "chai";
import { chooseSourceRelease, parsePromoteFrom, planPromotion } from "../../../automation/plan/promotion";
import type { EnvironmentOutputs } from "../../../automation/plan/outputs";
import { releasedSetAfter } from "../../../automation/plan/release";
import type { ReleasedSet, ReleaseOutcome, StackHistoryEntry } from "../../../automation/ports";
import { ReleaseInputError } from "../../../automation/stages/types";
import { digest, realOutputs, T0 } from "./fixtures";

const SHA_A = "aaaaaaa1111111111111111111111111111111aa";
const SHA_B = "aaaaaaa2222222222222222222222222222222bb";
const SHA_C = "ccccccc3333333333333333333333333333333cc";

const set = (releaseId: string, sha: string, images: Record<string, string>, extra: Partial<ReleasedSet> = {}): ReleasedSet => ({
    version: 1,
    releaseId,
    sha,
    releasedAt: `2026-03-${releaseId.slice(6, 8)}T10:00:00.000Z`,
    images,
    contexts: Object.fromEntries(Object.keys(images).map((k) => [k, `ctx-${k}-${releaseId}`])),
    ...extra,
});

const R1 = set("20260310-100000-aaaaaaa", SHA_A, { web: digest("1"), api: digest("2"), worker: digest("3") });
const R2 = set("20260311-100000-aaaaaaa", SHA_B, { web: digest("4"), api: digest("2"), worker: digest("3") });
const R3 = set("20260312-100000-ccccccc", SHA_C, { web: digest("5"), api: digest("6"), worker: digest("3") });
// a rollback from R3 back to R2's images, recorded as a new release
const RB = set("20260313-100000-aaaaaaa", SHA_B, R2.images, { rolledBackFrom: R3.releaseId });

function refusal(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        expect(e).to.be.instanceOf(ReleaseInputError);
        return (e as Error).message;
    }
    throw new Error("not refused");
}

describe("promotion: the source release (pure)", () => {
    const history = [RB, R3, R2, R1];

    it("parses --promote-from: the stack alone, or with a release id or sha prefix", () => {
        expect(parsePromoteFrom("dev")).to.deep.equal({ stack: "dev" });
        expect(parsePromoteFrom("dev:20260311-100000-aaaaaaa")).to.deep.equal({ stack: "dev", ref: "20260311-100000-aaaaaaa" });
        expect(() => parsePromoteFrom("dev:")).to.throw("--promote-from dev:: nothing after the colon; give a release id or a sha prefix, or only the stack for its latest verified release");
        expect(() => parsePromoteFrom(":abc")).to.throw("--promote-from :abc: name the source stack, optionally with a release (dev, dev:<release id>, dev:<sha prefix>)");
    });

    it("by default: the source's released set, its latest verified release", () => {
        const chosen = chooseSourceRelease({ from: { stack: "dev" }, history, released: RB, updates: [] });
        expect(chosen.set).to.equal(RB);
        expect(chosen.why).to.equal("promoting the latest verified release of dev: 20260313-100000-aaaaaaa (sha aaaaaaa22222, released 2026-03-13T10:00:00.000Z)");
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev" }, history: [], released: undefined, updates: [] }))).to.equal("nothing has been released on stack dev yet: there is nothing to promote");
    });

    it("by release id (rel- accepted) or by a sha prefix naming one commit (its newest release)", () => {
        expect(chooseSourceRelease({ from: { stack: "dev", ref: "rel-20260310-100000-aaaaaaa" }, history, released: RB, updates: [] }).set).to.equal(R1);
        expect(chooseSourceRelease({ from: { stack: "dev", ref: "aaaaaaa2" }, history, released: RB, updates: [] }).set).to.equal(RB);
    });

    it("an ambiguous sha prefix is refused, listing the candidates", () => {
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev", ref: "aaaaaaa" }, history, released: RB, updates: [] }))).to.equal(
            `--promote-from dev:aaaaaaa is ambiguous: it prefixes the sha of 2 released commits: ${SHA_B} (20260313-100000-aaaaaaa, 20260311-100000-aaaaaaa); ${SHA_A} (20260310-100000-aaaaaaa); give more of the sha or a release id`,
        );
    });

    it("a release a rollback rolled back from is refused as ROLLED_BACK", () => {
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev", ref: "ccccccc" }, history, released: RB, updates: [] }))).to.equal(
            "release 20260312-100000-ccccccc (sha ccccccc33333, released 2026-03-12T10:00:00.000Z) of stack dev did not stay released: rollback 20260313-100000-aaaaaaa rolled dev back from it (ROLLED_BACK); promote a release that stayed released — verified releases of dev, newest first: 20260313-100000-aaaaaaa (sha aaaaaaa22222, released 2026-03-13T10:00:00.000Z), 20260311-100000-aaaaaaa (sha aaaaaaa22222, released 2026-03-11T10:00:00.000Z), 20260310-100000-aaaaaaa (sha aaaaaaa11111, released 2026-03-10T10:00:00.000Z)",
        );
    });

    it("a release that never ended RELEASED is refused, saying how far its updates got", () => {
        const updates: StackHistoryEntry[] = [
            { version: 9, kind: "update", result: "failed", startTime: "2026-03-14T10:01:00Z", message: "berth 20260314-100000-ddddddd" },
            { version: 8, kind: "update", result: "succeeded", startTime: "2026-03-14T10:00:00Z", message: "berth 20260314-100000-ddddddd: migration task definition" },
            { version: 7, kind: "update", result: "succeeded", startTime: "2026-03-13T10:00:00Z", message: "berth 20260313-090000-eeeeeee" },
        ];
        const known = "verified releases of dev, newest first: 20260311-100000-aaaaaaa (sha aaaaaaa22222, released 2026-03-11T10:00:00.000Z)";
        const states = "it ended ROLLED_BACK, FAILED_BEFORE_CHANGE, NEEDS_ATTENTION or INTERRUPTED";
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev", ref: "20260314-100000-ddddddd" }, history: [R2], released: R2, updates }))).to.equal(
            `release 20260314-100000-ddddddd of stack dev did not end RELEASED (${states}; no outcome history is recorded on dev: a release from before berth kept one): its last update ("berth 20260314-100000-ddddddd", Pulumi update 9) failed; only a verified release can be promoted — ${known}`,
        );
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev", ref: "eeeeeee" }, history: [R2], released: R2, updates }))).to.equal(
            `release 20260313-090000-eeeeeee of stack dev did not end RELEASED (${states}; no outcome history is recorded on dev: a release from before berth kept one): its last update ("berth 20260313-090000-eeeeeee", Pulumi update 7) succeeded, but it was never recorded as verified; only a verified release can be promoted — ${known}`,
        );
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev", ref: "fffffff" }, history: [R2], released: R2, updates }))).to.equal(`no verified release of stack dev has the id or sha fffffff; ${known}`);
        expect(refusal(() => chooseSourceRelease({ from: { stack: "dev", ref: "latest!" }, history: [R2], released: R2, updates }))).to.equal(`--promote-from dev:latest! is neither a release id nor a git sha (7 to 40 hex characters); ${known}`);
    });
});

describe("promotion: a refused release names the state it ended in (the outcome history)", () => {
    const SHA_D = "ddddddd4444444444444444444444444444444dd";
    const known = "verified releases of dev, newest first: 20260311-100000-aaaaaaa (sha aaaaaaa22222, released 2026-03-11T10:00:00.000Z)";
    const outcome = (releaseId: string, state: ReleaseOutcome["state"], finishedAt: string, extra: Partial<ReleaseOutcome> = {}): ReleaseOutcome => ({
        releaseId,
        sha: SHA_D,
        command: "deploy",
        state,
        finishedAt,
        summary: `summary of ${releaseId}`,
        ...extra,
    });
    const choose = (ref: string, outcomes: ReleaseOutcome[], more: Partial<Parameters<typeof chooseSourceRelease>[0]> = {}) =>
        refusal(() => chooseSourceRelease({ from: { stack: "dev", ref }, history: [R2], released: R2, outcomes, updates: [], ...more }));

    for (const state of ["ROLLED_BACK", "FAILED_BEFORE_CHANGE", "NEEDS_ATTENTION", "INTERRUPTED", "NOTHING_TO_DO"] as const) {
        it(`${state}: named with its finish time and summary, by release id and by sha prefix`, () => {
            const o = outcome("20260314-100000-ddddddd", state, "2026-03-14T10:04:10.000Z");
            const expected = `release 20260314-100000-ddddddd of stack dev ended ${state} at 2026-03-14T10:04:10.000Z: summary of 20260314-100000-ddddddd; only a release that ended RELEASED can be promoted — ${known}`;
            expect(choose("20260314-100000-ddddddd", [o])).to.equal(expected);
            expect(choose("rel-20260314-100000-ddddddd", [o])).to.equal(expected);
            expect(choose("ddddddd4", [o])).to.equal(expected);
        });
    }

    it("the outcome history wins over the update history; without a summary the state and time alone", () => {
        const updates: StackHistoryEntry[] = [{ version: 9, kind: "update", result: "failed", startTime: "2026-03-14T10:01:00Z", message: "berth 20260314-100000-ddddddd" }];
        const bare = outcome("20260314-100000-ddddddd", "NEEDS_ATTENTION", "2026-03-14T10:04:10.000Z");
        delete bare.summary;
        expect(choose("20260314-100000-ddddddd", [bare], { updates })).to.equal(
            `release 20260314-100000-ddddddd of stack dev ended NEEDS_ATTENTION at 2026-03-14T10:04:10.000Z; only a release that ended RELEASED can be promoted — ${known}`,
        );
    });

    it("a rollback run is named a rollback", () => {
        const o = outcome("20260314-110000-ddddddd", "NEEDS_ATTENTION", "2026-03-14T11:02:00.000Z", { command: "rollback", summary: "the rollback update failed on orders" });
        expect(choose("20260314-110000-ddddddd", [o])).to.equal(
            `rollback 20260314-110000-ddddddd of stack dev ended NEEDS_ATTENTION at 2026-03-14T11:02:00.000Z: the rollback update failed on orders; only a release that ended RELEASED can be promoted — ${known}`,
        );
    });

    it("a sha prefix: the commit's last run, naming the earlier ones; prefixes of several commits are ambiguous", () => {
        const last = outcome("20260314-120000-ddddddd", "ROLLED_BACK", "2026-03-14T12:05:00.000Z");
        const first = outcome("20260314-100000-ddddddd", "FAILED_BEFORE_CHANGE", "2026-03-14T10:01:00.000Z");
        expect(choose("ddddddd", [first, last])).to.equal(
            `release 20260314-120000-ddddddd of stack dev ended ROLLED_BACK at 2026-03-14T12:05:00.000Z: summary of 20260314-120000-ddddddd (the last of 2 runs of sha ddddddd44444; before it: 20260314-100000-ddddddd FAILED_BEFORE_CHANGE); only a release that ended RELEASED can be promoted — ${known}`,
        );
        // by id, only that run
        expect(choose("20260314-100000-ddddddd", [last, first])).to.match(/^release 20260314-100000-ddddddd of stack dev ended FAILED_BEFORE_CHANGE at 2026-03-14T10:01:00.000Z: summary of 20260314-100000-ddddddd; only/);
        const other = outcome("20260314-130000-ddddddd", "INTERRUPTED", "2026-03-14T13:00:00.000Z", { sha: "ddddddd5555555555555555555555555555555ee" });
        expect(choose("ddddddd", [other, last, first])).to.equal(
            `--promote-from dev:ddddddd is ambiguous: it prefixes the sha of 2 commits whose runs did not end RELEASED: ddddddd5555555555555555555555555555555ee (20260314-130000-ddddddd INTERRUPTED); ${SHA_D} (20260314-120000-ddddddd ROLLED_BACK, 20260314-100000-ddddddd FAILED_BEFORE_CHANGE); none can be promoted — ${known}`,
        );
    });

    it("a verified release is promoted even when later runs of its commit failed; a RELEASED outcome not yet in the verified history says the read lagged", () => {
        const failedLater = outcome("20260314-100000-aaaaaaa", "ROLLED_BACK", "2026-03-14T10:05:00.000Z", { sha: SHA_B });
        expect(chooseSourceRelease({ from: { stack: "dev", ref: "aaaaaaa2" }, history: [R2], released: R2, outcomes: [failedLater], updates: [] }).set).to.equal(R2);
        const lagging = outcome("20260314-100000-ddddddd", "RELEASED", "2026-03-14T10:05:00.000Z");
        expect(choose("20260314-100000-ddddddd", [lagging])).to.equal(
            `release 20260314-100000-ddddddd of stack dev ended RELEASED at 2026-03-14T10:05:00.000Z, but it is not in the verified releases read from SSM yet (reads can lag a write); try again in a minute — ${known}`,
        );
    });

    it("a release the outcome history does not name falls back to the update history, saying why", () => {
        const updates: StackHistoryEntry[] = [{ version: 9, kind: "update", result: "failed", startTime: "2026-03-14T10:01:00Z", message: "berth 20260314-100000-ddddddd" }];
        const newer = [outcome("20260315-100000-fffffff", "RELEASED", "2026-03-15T10:05:00.000Z", { sha: "f".repeat(40) })];
        const tail = `: its last update ("berth 20260314-100000-ddddddd", Pulumi update 9) failed; only a verified release can be promoted — ${known}`;
        const states = "it ended ROLLED_BACK, FAILED_BEFORE_CHANGE, NEEDS_ATTENTION or INTERRUPTED";
        expect(choose("20260314-100000-ddddddd", newer, { updates })).to.equal(
            `release 20260314-100000-ddddddd of stack dev did not end RELEASED (${states}; the outcome history of dev (its last 1 run) does not name it: a release older than that, or one whose outcome could not be written)${tail}`,
        );
        expect(choose("20260314-100000-ddddddd", [], { updates, outcomesProblem: "SSM parameter /berth/dev/outcomes/recent is not a berth outcome history (not JSON)" })).to.equal(
            `release 20260314-100000-ddddddd of stack dev did not end RELEASED (${states}; the outcome history could not be read: SSM parameter /berth/dev/outcomes/recent is not a berth outcome history (not JSON))${tail}`,
        );
        expect(choose("ddddddd", newer)).to.equal(`no verified release of stack dev has the id or sha ddddddd; ${known}`);
    });
});

describe("promotion: the target's plan (pure)", () => {
    let prod: EnvironmentOutputs;
    let dev: EnvironmentOutputs;
    before(async function () {
        this.timeout(120_000);
        const { outputs } = await realOutputs();
        prod = outputs;
        // the source stack's repositories: another account's registry
        dev = { ...outputs, services: Object.fromEntries(Object.entries(outputs.services).map(([n, s]) => [n, { ...s, repositoryUrl: `210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/${n}` }])) };
    });

    it("rolls exactly the services whose digest differs, copies them by digest, takes the source's sha, runs the migration when its owner changes", () => {
        const targetReleased = set("20260301-100000-aaaaaaa", SHA_A, R1.images);
        const { plan, copies, notInSource, notInTarget } = planPromotion({ source: { stack: "dev", set: R3, outputs: dev }, target: prod, targetReleased, time: T0 });
        expect(plan.toRoll).to.deep.equal(["web", "api"]);
        expect(plan.services.map((s) => [s.name, s.reason, s.action, s.digest ?? "-"])).to.deep.equal([
            ["web", "promoted", "copy", digest("5")],
            ["api", "promoted", "copy", digest("6")],
            ["worker", "unchanged", "none", "-"],
        ]);
        expect(plan.levels).to.deep.equal([["api"], ["web"]]);
        expect([plan.sha, plan.releaseId, plan.migration.runs, plan.counts]).to.deep.equal([SHA_C, "20260314-091502-ccccccc", true, { builds: 0, reused: 0, rollouts: 2 }]);
        expect(plan.imagesAfter).to.deep.equal({ web: digest("5"), api: digest("6"), worker: digest("3") });
        expect(plan.awaitingDigests).to.deep.equal([]);
        expect(copies).to.deep.equal([
            { service: "web", digest: digest("5"), from: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/web", to: prod.services.web.repositoryUrl },
            { service: "api", digest: digest("6"), from: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/api", to: prod.services.api.repositoryUrl },
        ]);
        expect([notInSource, notInTarget]).to.deep.equal([[], []]);
        // what the record stage writes: the source's contexts for promoted services, and where they came from
        const recorded = releasedSetAfter(plan, targetReleased, T0);
        expect(recorded.promotedFrom).to.deep.equal({ stack: "dev", releaseId: R3.releaseId, sha: SHA_C });
        expect(recorded.contexts).to.deep.equal({ web: `ctx-web-${R3.releaseId}`, api: `ctx-api-${R3.releaseId}`, worker: `ctx-worker-${targetReleased.releaseId}` });
    });

    it("a service missing from the source release keeps its image; one the target lacks is not promoted; a shared repository needs no copy; --services narrows", () => {
        const source = set("20260312-100000-ccccccc", SHA_C, { web: digest("5"), extra: digest("9") });
        const shared = { ...dev, services: { ...dev.services, web: { ...dev.services.web, repositoryUrl: prod.services.web.repositoryUrl } } };
        const result = planPromotion({ source: { stack: "dev", set: source, outputs: shared }, target: prod, targetReleased: R1, time: T0 });
        expect([result.plan.toRoll, result.copies, result.notInSource, result.notInTarget]).to.deep.equal([["web"], [], ["api", "worker"], ["extra"]]);
        expect(result.plan.imagesAfter).to.deep.equal({ web: digest("5"), api: digest("2"), worker: digest("3") });
        const only = planPromotion({ source: { stack: "dev", set: R3, outputs: dev }, target: prod, targetReleased: R1, time: T0, only: ["web"] });
        expect([only.plan.toRoll, only.plan.migration.runs]).to.deep.equal([["web"], false]);
        expect(() => planPromotion({ source: { stack: "dev", set: R3, outputs: dev }, target: prod, targetReleased: R1, time: T0, only: ["nope"] })).to.throw("--services names nope, not in this stack's catalogue; known services: web, api, worker");
    });

    it("the target already runs the source's images: nothing to do", () => {
        const { plan, copies } = planPromotion({ source: { stack: "dev", set: R3, outputs: dev }, target: prod, targetReleased: R3, time: T0 });
        expect([plan.nothingToDo, copies]).to.deep.equal([true, []]);
    });
});
