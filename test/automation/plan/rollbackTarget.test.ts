// Which release `rollback` returns to (automation/plan/rollbackTarget.ts), by table: the candidates' order, what
// --to matches and refuses, and the release before the current one that a rollback did not leave (F18).
import { expect } from "chai";
import { ReleaseInputError } from "../../../automation/plan/errors";
import { findRollbackTarget, previousRelease, rollbackCandidates } from "../../../automation/plan/rollbackTarget";
import type { ReleasedSet } from "../../../automation/ports";

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;

function set(releaseId: string, sha: string, releasedAt: string, images: Record<string, number>, extra: Partial<ReleasedSet> = {}): ReleasedSet {
    return {
        version: 1,
        releaseId,
        sha,
        releasedAt,
        images: Object.fromEntries(Object.entries(images).map(([s, n]) => [s, digest(n)])),
        contexts: {},
        ...extra,
    };
}

const SHA_A = "aaaaaaa1111111111111111111111111111111aa";
const SHA_B = "bbbbbbb2222222222222222222222222222222bb";
const SHA_C = "ccccccc3333333333333333333333333333333cc";

const r1 = set("20260301-100000-aaaaaaa", SHA_A, "2026-03-01T10:00:00Z", { api: 1, web: 1 });
const r2 = set("20260302-100000-bbbbbbb", SHA_B, "2026-03-02T10:00:00Z", { api: 2, web: 2 });
const r3 = set("20260303-100000-ccccccc", SHA_C, "2026-03-03T10:00:00Z", { api: 3, web: 3 });

function refusal(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        expect(err).to.be.instanceOf(ReleaseInputError);
        return (err as Error).message;
    }
    throw new Error("expected a ReleaseInputError");
}

describe("plan/rollbackTarget", () => {
    describe("rollbackCandidates", () => {
        it("orders newest first by release time, then by release id, one entry per id", () => {
            const sameTime = set("20260303-100000-ddddddd", "ddddddd", "2026-03-03T10:00:00Z", { api: 4 });
            const ids = rollbackCandidates([r1, r3, sameTime], r2).map((c) => c.releaseId);
            expect(ids).to.deep.equal([sameTime.releaseId, r3.releaseId, r2.releaseId, r1.releaseId]);
        });

        it("keeps the history's copy of a release the released set repeats", () => {
            const storedCopy = { ...r2, rolledBackFrom: r3.releaseId };
            const candidates = rollbackCandidates([storedCopy, r1], r2);
            expect(candidates).to.have.length(2);
            expect(candidates[0]).to.equal(storedCopy);
        });

        it("without a released set, is the history alone; with nothing, empty", () => {
            expect(rollbackCandidates([r1], undefined)).to.deep.equal([r1]);
            expect(rollbackCandidates([], undefined)).to.deep.equal([]);
            expect(rollbackCandidates([], r1)).to.deep.equal([r1]);
        });
    });

    describe("findRollbackTarget (--to)", () => {
        const candidates = rollbackCandidates([r1, r2, r3], undefined);

        it("matches an exact release id, with or without the rel- prefix and surrounding blanks", () => {
            expect(findRollbackTarget(candidates, r2.releaseId)).to.deep.equal({ set: r2, matchedBy: "release id", sameSha: [] });
            expect(findRollbackTarget(candidates, ` rel-${r2.releaseId} `)).to.deep.equal({ set: r2, matchedBy: "release id", sameSha: [] });
        });

        it("matches a sha prefix of 7 characters, any case, and a full sha", () => {
            expect(findRollbackTarget(candidates, "BBBBBBB")).to.deep.equal({ set: r2, matchedBy: "sha", sameSha: [] });
            expect(findRollbackTarget(candidates, SHA_C).set).to.equal(r3);
        });

        it("a sha with several releases resolves to the newest and names the older ones it passed over", () => {
            const again = set("20260304-100000-aaaaaaa", SHA_A, "2026-03-04T10:00:00Z", { api: 1, web: 1 });
            const target = findRollbackTarget(rollbackCandidates([r1, again, r2], undefined), "aaaaaaa1");
            expect(target).to.deep.equal({ set: again, matchedBy: "sha", sameSha: [r1.releaseId] });
        });

        it("refuses a prefix shorter than 7 hex characters or not hex, listing the recorded releases newest first", () => {
            const message = refusal(() => findRollbackTarget(candidates, "bbbbbb"));
            expect(message).to.equal(
                "--to bbbbbb is neither a recorded release id nor a git sha (7 to 40 hex characters); recorded releases, newest first: " +
                    "20260303-100000-ccccccc (sha ccccccc33333, released 2026-03-03T10:00:00Z), " +
                    "20260302-100000-bbbbbbb (sha bbbbbbb22222, released 2026-03-02T10:00:00Z), " +
                    "20260301-100000-aaaaaaa (sha aaaaaaa11111, released 2026-03-01T10:00:00Z)",
            );
            expect(refusal(() => findRollbackTarget(candidates, "zzzzzzzz"))).to.match(/^--to zzzzzzzz is neither/);
            expect(refusal(() => findRollbackTarget(candidates, "a".repeat(41)))).to.match(/is neither/);
        });

        it("refuses a sha no release has, and says when nothing is recorded", () => {
            expect(refusal(() => findRollbackTarget(candidates, "1234567"))).to.match(/^no recorded release has the id or sha 1234567; recorded releases, newest first: 20260303/);
            expect(refusal(() => findRollbackTarget([], "1234567"))).to.equal("no recorded release has the id or sha 1234567; no release is recorded on this stack yet");
        });

        it("lists at most 10 releases and counts the older ones", () => {
            const many = Array.from({ length: 12 }, (_, i) => set(`20260401-1000${String(i).padStart(2, "0")}-eeeeeee`, "eeeeeee", `2026-04-01T10:00:${String(i).padStart(2, "0")}Z`, { api: i }));
            const message = refusal(() => findRollbackTarget(rollbackCandidates(many, undefined), "1234567"));
            expect(message.match(/\(sha /g)).to.have.length(10);
            expect(message).to.match(/, released 2026-04-01T10:00:02Z\) and 2 older$/);
            const ten = refusal(() => findRollbackTarget(rollbackCandidates(many.slice(0, 10), undefined), "1234567"));
            expect(ten).to.not.match(/older/);
        });

        it("refuses a prefix shared by two commits as ambiguous, naming each commit and its releases", () => {
            const shaA2 = "aaaaaaa9999999999999999999999999999999aa";
            const other = set("20260305-100000-aaaaaaa", shaA2, "2026-03-05T10:00:00Z", { api: 5 });
            const message = refusal(() => findRollbackTarget(rollbackCandidates([r1, other], undefined), "AAAAAAA"));
            expect(message).to.equal(
                `--to AAAAAAA is ambiguous: it prefixes the sha of 2 released commits: ${shaA2} (${other.releaseId}); ${SHA_A} (${r1.releaseId}); give more of the sha or a release id`,
            );
        });
    });

    describe("previousRelease (rollback without --to)", () => {
        const applied = (s: ReleasedSet) => Object.fromEntries(Object.entries(s.images));

        it("returns to the released set when the stack does not run it (a release that needs attention)", () => {
            const running = { api: digest(9), web: r3.images.web };
            const { set: to, why } = previousRelease(rollbackCandidates([r1, r2], r3), r3, running, "dev");
            expect(to).to.equal(r3);
            expect(why).to.equal("stack dev does not run the released set: returning to the current release 20260303-100000-ccccccc (sha ccccccc33333, released 2026-03-03T10:00:00Z)");
        });

        it("ignores applied services the released set does not know", () => {
            const running = { ...applied(r3), extra: digest(9) };
            expect(previousRelease(rollbackCandidates([r1, r2], r3), r3, running, "dev").set).to.equal(r2);
        });

        it("otherwise takes the newest older release whose images differ", () => {
            const { set: to, why } = previousRelease(rollbackCandidates([r1, r2], r3), r3, applied(r3), "dev");
            expect(to).to.equal(r2);
            expect(why).to.equal(
                "rolling back from the current release 20260303-100000-ccccccc (sha ccccccc33333, released 2026-03-03T10:00:00Z) to the release before it: 20260302-100000-bbbbbbb (sha bbbbbbb22222, released 2026-03-02T10:00:00Z)",
            );
        });

        it("passes over a re-recorded release with the same images, and never goes forward", () => {
            const sameImages = set("20260302-120000-ddddddd", "ddddddd", "2026-03-02T12:00:00Z", { api: 3, web: 3 });
            const newer = set("20260305-100000-eeeeeee", "eeeeeee", "2026-03-05T10:00:00Z", { api: 7, web: 7 });
            const { set: to } = previousRelease(rollbackCandidates([r1, r2, sameImages, newer], r3), r3, applied(r3), "dev");
            expect(to).to.equal(r2);
        });

        it("passes over a release a rollback left and one that runs the same images as it, saying so", () => {
            // r2 was rolled back from (r4 restored r1's images); r2b re-released r2's images under a new id.
            const r0 = set("20260228-100000-0000000", "0000000", "2026-02-28T10:00:00Z", { api: 0, web: 0 });
            const r2b = set("20260302-180000-fffffff", "fffffff", "2026-03-02T18:00:00Z", { api: 2, web: 2 });
            const r4 = set("20260304-100000-aaaaaaa", SHA_A, "2026-03-04T10:00:00Z", { api: 1, web: 1 }, { rolledBackFrom: r2.releaseId });
            // The current release runs r1's images again: r4 and r1 do not differ, r2b and r2 were left.
            const r6 = set("20260306-100000-aaaaaaa", SHA_A, "2026-03-06T10:00:00Z", { api: 1, web: 1 });
            const { set: to, why } = previousRelease(rollbackCandidates([r0, r1, r2, r2b, r4], r6), r6, applied(r6), "dev");
            expect(to).to.equal(r0);
            expect(why).to.match(/\(passing over 20260302-180000-fffffff, 20260302-100000-bbbbbbb: a rollback left them\)$/);
        });

        it("names the releases it passed over because a rollback left them", () => {
            const r4 = set("20260304-100000-aaaaaaa", SHA_A, "2026-03-04T10:00:00Z", { api: 1, web: 1 }, { rolledBackFrom: r3.releaseId });
            const r5 = set("20260305-100000-ddddddd", "ddddddd", "2026-03-05T10:00:00Z", { api: 5, web: 5 });
            // Newest first: r5 (current), r4 (same images as r1, differs), r3 (left), r2, r1.
            const candidates = rollbackCandidates([r1, r2, r3, r4], r5);
            expect(previousRelease(candidates, r5, applied(r5), "dev").set).to.equal(r4);
            const fromR4 = previousRelease(rollbackCandidates([r1, r2, r3], r4), r4, applied(r4), "dev");
            expect(fromR4.set).to.equal(r2);
            expect(fromR4.why).to.match(/to the release before it: 20260302-100000-bbbbbbb .*\(passing over 20260303-100000-ccccccc: a rollback left them\)$/);
        });

        it("refuses when no earlier release has other images, and offers --to when it passed some over", () => {
            const alone = refusal(() => previousRelease(rollbackCandidates([], r1), r1, applied(r1), "dev"));
            expect(alone).to.equal(
                "stack dev runs release 20260301-100000-aaaaaaa (sha aaaaaaa11111, released 2026-03-01T10:00:00Z) and no earlier recorded release has other images: there is nothing to roll back to",
            );
            const r4 = set("20260304-100000-ccccccc", SHA_C, "2026-03-04T10:00:00Z", { api: 3, web: 3 }, { rolledBackFrom: r2.releaseId });
            const passed = refusal(() => previousRelease(rollbackCandidates([r2], r4), r4, applied(r4), "prod"));
            expect(passed).to.equal(
                "stack prod runs release 20260304-100000-ccccccc (sha ccccccc33333, released 2026-03-04T10:00:00Z) and no earlier recorded release has other images (passing over 20260302-100000-bbbbbbb: a rollback left them): there is nothing to roll back to (name one with --to to return to it anyway)",
            );
        });
    });
});
