import { expect } from "chai";
import { boundOutcomes, OUTCOMES_KEPT, parseOutcomesValue, serializeOutcomes, shortSummary, type ReleaseOutcome } from "../../../infra/contracts/releaseOutcomes";

const at = (n: number, extra: Partial<ReleaseOutcome> = {}): ReleaseOutcome => ({
    releaseId: `20260314-${String(100000 + n)}-1a2b3c4`,
    sha: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
    command: "deploy",
    state: "FAILED_BEFORE_CHANGE",
    finishedAt: new Date(Date.UTC(2026, 2, 14, 10, 0, n)).toISOString(),
    ...extra,
});

describe("the outcome history contract", () => {
    it("keeps one entry per release id (the newest finish wins), newest first, at most OUTCOMES_KEPT", () => {
        const retried = at(3, { state: "NEEDS_ATTENTION", finishedAt: "2026-03-14T11:00:00.000Z" });
        expect(boundOutcomes([at(1), at(3), retried, at(2)])).to.deep.equal([retried, at(2), at(1)]);
        const many = Array.from({ length: OUTCOMES_KEPT + 5 }, (_, i) => at(i));
        expect(boundOutcomes(many).map((o) => o.releaseId)).to.deep.equal(many.slice(5).reverse().map((o) => o.releaseId));
    });

    it("writes strictly: an undeclared field, a sha that is not hex or a state outside the report's enum is refused", () => {
        expect(() => serializeOutcomes([{ ...at(1), note: "x" } as ReleaseOutcome])).to.throw(`not a valid release outcome (${at(1).releaseId}): (root): Unrecognized key: "note"`);
        expect(() => serializeOutcomes([at(1, { sha: "main" })])).to.throw(`not a valid release outcome (${at(1).releaseId}): sha: Invalid string: must match pattern /^[0-9a-f]{7,40}$/`);
        expect(() => serializeOutcomes([at(1, { state: "FAILED" as ReleaseOutcome["state"] })])).to.throw(/state: Invalid option/);
        const value = serializeOutcomes([at(1), at(2)]);
        expect(JSON.parse(value)).to.deep.equal({ version: 1, outcomes: [at(2), at(1)] });
        expect(parseOutcomesValue(value)).to.deep.equal({ ok: true, value: [at(2), at(1)] });
    });

    it("reads tolerantly what it wrote, and names the first problem of anything else", () => {
        expect(parseOutcomesValue(JSON.stringify({ version: 1, outcomes: [{ ...at(1), later: true }] }))).to.deep.equal({ ok: true, value: [at(1)] });
        expect(parseOutcomesValue("nope")).to.deep.equal({ ok: false, why: "not JSON" });
        expect(parseOutcomesValue("null")).to.deep.equal({ ok: false, why: "not an object" });
        expect(parseOutcomesValue(JSON.stringify({ outcomes: [] }))).to.deep.equal({ ok: false, why: "version undefined, expected 1" });
        expect(parseOutcomesValue(JSON.stringify({ version: 1, outcomes: [{ ...at(1), finishedAt: "yesterday" }] }))).to.deep.equal({ ok: false, why: "outcomes.0.finishedAt: Invalid ISO datetime" });
    });

    it("cuts a long summary, marking the cut", () => {
        expect(shortSummary("short")).to.equal("short");
        const cut = shortSummary("y".repeat(400));
        expect(cut).to.have.length(160);
        expect(cut.endsWith("y…")).to.equal(true);
    });
});
