// The outcome history of SsmReleaseStore over the loopback SSM (test/sim) with the real SDK client: one bounded
// parameter beside the release history, read back through zod, kept whole under a concurrent writer, refusing to
// overwrite what it cannot read, and told apart when SSM keeps no room for a new version.
import { expect } from "chai";
import { GetParameterCommand, GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { outcomesParameter, SsmReleaseStore } from "../../../automation/adapters/releaseStore";
import type { ReleaseOutcome } from "../../../automation/ports";
import { OUTCOMES_KEPT, OUTCOMES_MAX_BYTES } from "../../../infra/contracts/releaseOutcomes";
import { SimClock } from "../../sim/clock";
import { AwsSimulator, SSM_VERSIONS_KEPT } from "../../sim/server";
import { real } from "../../helpers/awsSdk";

const REGION = "eu-west-1";
const RELEASED = "/berth/dev/released-images";
const OUTCOMES = "/berth/dev/outcomes/recent";

const outcome = (n: number, extra: Partial<ReleaseOutcome> = {}): ReleaseOutcome => ({
    releaseId: `20260314-${String(100000 + n).padStart(6, "0")}-1a2b3c4`,
    sha: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
    command: "deploy",
    state: "ROLLED_BACK",
    finishedAt: new Date(Date.UTC(2026, 2, 14, 10, 0, n)).toISOString(),
    summary: `the rollout update failed on orders (run ${n})`,
    ...extra,
});

describe("SsmReleaseStore: the outcome history over the loopback SSM", function () {
    this.timeout(20_000);
    let sim: AwsSimulator;
    const client = () => real(new SSMClient({ region: REGION, endpoint: sim.endpoint, credentials: { accessKeyId: "AKIASIMULATOR0000000", secretAccessKey: "x" }, maxAttempts: 3 }));
    const store = (ssm = client()) => new SsmReleaseStore({ client: ssm, parameterName: RELEASED });
    const versions = () => sim.callsTo("ssm", "PutParameter").filter((c) => c.input.Name === OUTCOMES).length;

    beforeEach(async () => {
        sim = new AwsSimulator({ clock: SimClock.start(1), region: REGION, registry: "127.0.0.1:9" });
        await sim.start();
    });
    afterEach(() => sim.stop());

    it("one standard parameter below the released set's path, never listed by the program nor taken for a verified release", async () => {
        expect(outcomesParameter(RELEASED)).to.equal(OUTCOMES);
        expect(outcomesParameter("/acme/prod-eu/released-images")).to.equal("/acme/prod-eu/outcomes/recent");
        const s = store();
        expect(await s.listOutcomes()).to.deep.equal([]);
        expect(await s.recordOutcome(outcome(1))).to.deep.equal([]);
        expect(sim.readParameter(OUTCOMES)!.tier).to.equal("Standard");
        expect(JSON.parse(sim.readParameter(OUTCOMES)!.value)).to.deep.equal({ version: 1, outcomes: [outcome(1)] });
        expect(await s.listOutcomes()).to.deep.equal([outcome(1)]);
        expect(await s.listReleases()).to.deep.equal([]);
        // what the program lists (non-recursively) at /berth/dev holds no outcome parameter
        const listed = await client().send(new GetParametersByPathCommand({ Path: "/berth/dev", Recursive: false }));
        expect(listed.Parameters ?? []).to.deep.equal([]);
    });

    it("newest first, one entry per release id, at most OUTCOMES_KEPT entries and 4 KB whatever the summaries", async () => {
        const s = store();
        for (let n = 1; n <= 30; n++) await s.recordOutcome(outcome(n, { summary: `${"x".repeat(150)} ${n}` }));
        await s.recordOutcome(outcome(30, { state: "NEEDS_ATTENTION", finishedAt: "2026-03-14T10:01:00.000Z" }));
        const value = sim.readParameter(OUTCOMES)!.value;
        expect(Buffer.byteLength(value, "utf8")).to.be.at.most(OUTCOMES_MAX_BYTES);
        const list = await s.listOutcomes();
        expect(list.length).to.be.below(OUTCOMES_KEPT).and.above(5);
        expect(list[0]).to.deep.include({ releaseId: outcome(30).releaseId, state: "NEEDS_ATTENTION" });
        expect(list.filter((o) => o.releaseId === outcome(30).releaseId)).to.have.length(1);
        expect(list.map((o) => o.finishedAt)).to.deep.equal([...list.map((o) => o.finishedAt)].sort().reverse());
        expect(list[list.length - 1].releaseId).to.equal(outcome(31 - list.length).releaseId);
    });

    it("a concurrent writer between our read and our write: the version SSM answers shows the missed write, which is read back and kept", async () => {
        await store().recordOutcome(outcome(1));
        const wire = client();
        let raced = false;
        // Another run writes right after this one's read: the read is answered, then the other run's write lands.
        const b = {
            send: async (command: GetParameterCommand) => {
                const out = await wire.send(command);
                if (command instanceof GetParameterCommand && !raced) {
                    raced = true;
                    await store().recordOutcome(outcome(2, { state: "INTERRUPTED" }));
                }
                return out;
            },
        } as unknown as SSMClient;
        expect(await store(b).recordOutcome(outcome(3, { state: "RELEASED" }))).to.deep.equal([]);
        expect((await store().listOutcomes()).map((o) => o.state)).to.deep.equal(["RELEASED", "INTERRUPTED", "ROLLED_BACK"]);
        expect(versions()).to.equal(4);
    });

    it("many concurrent writes: only the newest 5 missed versions are read back, and the writer says which it skipped", async () => {
        await store().recordOutcome(outcome(1));
        const wire = client();
        let raced = false;
        const b = {
            send: async (command: GetParameterCommand) => {
                const out = await wire.send(command);
                if (command instanceof GetParameterCommand && !raced) {
                    raced = true;
                    for (let n = 2; n <= 8; n++) await store().recordOutcome(outcome(n));
                }
                return out;
            },
        } as unknown as SSMClient;
        expect(await store(b).recordOutcome(outcome(9, { state: "RELEASED" }))).to.deep.equal([
            `versions 2 to 3 of ${OUTCOMES} were written by other runs and are not read back; their entries may be missing from it`,
        ]);
        // version 8 (read back) holds every other run's entry anyway: each writer added to what it read
        expect((await store().listOutcomes()).map((o) => o.releaseId)).to.deep.equal([9, 8, 7, 6, 5, 4, 3, 2, 1].map((n) => outcome(n).releaseId));
        expect(sim.callsTo("ssm", "GetParameter").filter((c) => String(c.input.Name).startsWith(`${OUTCOMES}:`)).map((c) => c.input.Name)).to.deep.equal([4, 5, 6, 7, 8].map((v) => `${OUTCOMES}:${v}`));
    });

    it("SSM reads lagging a write: the missed version cannot be read back yet, and the writer says what may be missing", async () => {
        sim.faults = { ssmLagSeconds: 30 };
        await store().recordOutcome(outcome(1));
        const warnings = await store().recordOutcome(outcome(2));
        expect(warnings).to.deep.equal([
            `version 1 of ${OUTCOMES} (written by another run) could not be read back to merge its entries: ParameterNotFound (SSM reads may lag writes, and it keeps 100 versions)`,
        ]);
        sim.faults = {};
        expect((await store().listOutcomes()).map((o) => o.releaseId)).to.deep.equal([outcome(2).releaseId]);
    });

    it("a corrupt or foreign value is a clear error naming the parameter and the fix, and is never overwritten", async () => {
        const cases: [string, string][] = [
            ["{", "not JSON"],
            [JSON.stringify({ version: 2, outcomes: [] }), "version 2, expected 1"],
            [JSON.stringify({ version: 1, outcomes: [{ ...outcome(1), state: "DONE" }] }), 'outcomes.0.state: Invalid option: expected one of "RELEASED"|"NOTHING_TO_DO"|"ROLLED_BACK"|"FAILED_BEFORE_CHANGE"|"NEEDS_ATTENTION"|"INTERRUPTED"'],
            [JSON.stringify(["someone else's list"]), "not an object"],
        ];
        for (const [value, why] of cases) {
            sim.putParameter(OUTCOMES, value);
            const expected = `SSM parameter ${OUTCOMES} is not a berth outcome history (${why}); delete it and the next deploy or rollback starts a new one`;
            const read = await store().listOutcomes().catch((e: Error) => e);
            expect((read as Error).message).to.equal(expected);
            const write = await store().recordOutcome(outcome(1)).catch((e: Error) => e);
            expect((write as Error).message).to.equal(expected);
            expect(sim.readParameter(OUTCOMES)!.value).to.equal(value);
        }
    });

    it("SSM keeps 100 versions: the 101st write drops the oldest; a label on the oldest makes SSM refuse, and the error says what to do", async () => {
        for (let v = 1; v <= SSM_VERSIONS_KEPT; v++) sim.putParameter(OUTCOMES, JSON.stringify({ version: 1, outcomes: [] }));
        await store().recordOutcome(outcome(1));
        expect(sim.readParameter(`${OUTCOMES}:101`)?.version).to.equal(101);
        expect(sim.readParameter(`${OUTCOMES}:1`)).to.equal(undefined);

        sim.labelParameterVersion(OUTCOMES, 2, "golden");
        const refused = await store().recordOutcome(outcome(2)).catch((e: Error) => e);
        expect((refused as Error).message).to.equal(
            `${OUTCOMES}: the oldest of its 100 versions has a label, so SSM refuses a new version (ParameterMaxVersionLimitExceeded); move or delete that label, or delete the parameter`,
        );
        expect((await store().listOutcomes()).map((o) => o.releaseId)).to.deep.equal([outcome(1).releaseId]);
    });
});
