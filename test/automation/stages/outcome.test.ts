// The outcome step over the scenario fakes: every deploy and rollback run adds its final state to the stack's
// outcome history — released, failed, rolled back, interrupted — while the history of verified releases (rollback
// targets, status) keeps only RELEASED ones.
import { expect } from "chai";
import { runRelease } from "../../../automation/commands/deploy";
import { runRollback } from "../../../automation/commands/rollback";
import { exitCodeFor, renderMarkdown } from "../../../automation/plan/report";
import { readStatus } from "../../../automation/commands/status";
import { renderStatus } from "../../../automation/plan/status";
import { outcomeOf } from "../../../automation/stages/outcome";
import { ReleaseInputError } from "../../../automation/stages/types";
import { OUTCOME_SUMMARY_CHARS } from "../../../infra/contracts/releaseOutcomes";
import { SCHEMA_IDS } from "../../../infra/contracts/results";
import { resultJson } from "../../../infra/contracts/resultJson";
import { harness, SHA } from "../fakes/harness";

const OLD_RELEASE = "20260301-120000-0000000";

describe("the outcome step: every run's final state joins the outcome history", () => {
    it("a verified release: RELEASED in the outcome history and in the verified history", async () => {
        const h = await harness({ changed: ["orders"] });
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        expect(h.world.outcomes).to.deep.equal([{ releaseId: record.id, sha: SHA, command: "deploy", state: "RELEASED", finishedAt: record.finishedAt }]);
        expect(h.world.history.has(record.id)).to.equal(true);
    });

    it("F13: a release that rolled back is recorded ROLLED_BACK with its summary, and never becomes a rollback target", async () => {
        const h = await harness({ changed: ["catalog", "orders"] });
        h.world.faults.neverStabilises = ["orders"];
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(h.world.outcomes).to.deep.equal([{ releaseId: record.id, sha: SHA, command: "deploy", state: "ROLLED_BACK", finishedAt: record.finishedAt, summary: record.summary }]);
        // The verified history and the released set never saw it: `rollback --to` refuses it, rollback targets stay verified.
        expect(await h.deps.store.listReleases()).to.deep.equal([]);
        expect(h.world.released!.releaseId).to.equal(OLD_RELEASE);
        const byId = await runRollback(h.deps, { projectDir: "/srv/berth", stackName: "dev", to: record.id }).catch((e: Error) => e);
        expect(byId).to.be.instanceOf(ReleaseInputError);
        expect((byId as Error).message).to.match(new RegExp(`^--to ${record.id} is neither a recorded release id nor a git sha .*; recorded releases, newest first: ${OLD_RELEASE} `));
        const bySha = await runRollback(h.deps, { projectDir: "/srv/berth", stackName: "dev", to: SHA.slice(0, 7) }).catch((e: Error) => e);
        expect((bySha as Error).message).to.match(new RegExp(`^no recorded release has the id or sha ${SHA.slice(0, 7)}; recorded releases, newest first: ${OLD_RELEASE} `));
        expect(h.world.outcomes).to.have.length(1);
    });

    it("F06: a build that fails is recorded FAILED_BEFORE_CHANGE", async () => {
        const h = await harness({ changed: ["orders"] });
        h.world.faults.buildFails = { orders: ["npm ERR! code E404"] };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(h.world.outcomes.map((o) => [o.releaseId, o.state, o.summary])).to.deep.equal([[record.id, "FAILED_BEFORE_CHANGE", outcomeOf(record, "deploy").summary]]);
    });

    it("an interrupted release is still recorded INTERRUPTED: the write does not take the aborted signal", async () => {
        const h = await harness({ changed: ["config-server", "orders"] });
        const controller = new AbortController();
        h.world.faults.abortMidRollout = controller;
        const record = await runRelease(h.deps, { ...h.options, signal: controller.signal });
        expect(record.state).to.equal("INTERRUPTED");
        expect(controller.signal.aborted).to.equal(true);
        expect(h.world.outcomes.map((o) => [o.releaseId, o.state])).to.deep.equal([[record.id, "INTERRUPTED"]]);
        // its summary (what runs now, per service) is cut to fit the small history
        expect(record.summary!.length).to.be.greaterThan(OUTCOME_SUMMARY_CHARS);
        expect(h.world.outcomes[0].summary).to.equal(`${record.summary!.slice(0, OUTCOME_SUMMARY_CHARS - 1)}…`);
        expect(h.world.outcomes[0]).to.deep.equal(outcomeOf(record, "deploy"));
    });

    it("a failed outcome write changes no state or exit code: a warning and a note at the end of the summary", async () => {
        const h = await harness({ changed: ["orders"] });
        h.world.faults.outcomeWriteFails = "AccessDeniedException: ssm:PutParameter";
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        expect(exitCodeFor(record.state)).to.equal(0);
        const note = `the outcome could not be added to the stack's outcome history (AccessDeniedException: ssm:PutParameter): a promotion naming ${record.id} cannot name its state`;
        expect(record.summary).to.equal(note);
        expect(h.lines).to.include(`warning: ${note}`);
        expect(renderMarkdown(record)).to.contain(note);
        expect(h.world.outcomes).to.deep.equal([]);
        // the release itself was recorded as verified
        expect(h.world.released!.releaseId).to.equal(record.id);

        const failed = await harness({ changed: ["orders"] });
        failed.world.faults.outcomeWriteFails = "ThrottlingException: Rate exceeded";
        failed.world.faults.neverStabilises = ["orders"];
        const rolledBack = await runRelease(failed.deps, failed.options);
        expect(rolledBack.state).to.equal("ROLLED_BACK");
        expect(rolledBack.summary).to.match(/; the outcome could not be added to the stack's outcome history \(ThrottlingException: Rate exceeded\): a promotion naming \S+ cannot name its state$/);
    });

    it("a rollback is recorded with command rollback; one that changes nothing, and a dry run, record nothing", async () => {
        const h = await harness({ changed: ["orders"] });
        h.world.history.set(OLD_RELEASE, h.world.released!);
        const release = await runRelease(h.deps, h.options);
        h.world.clock.t += 60_000;
        const rollback = await runRollback(h.deps, { projectDir: "/srv/berth", stackName: "dev" });
        expect(rollback.state).to.equal("RELEASED");
        expect(h.world.outcomes.map((o) => [o.command, o.releaseId, o.state])).to.deep.equal([
            ["rollback", rollback.id, "RELEASED"],
            ["deploy", release.id, "RELEASED"],
        ]);
        h.world.clock.t += 60_000;
        const again = await runRollback(h.deps, { projectDir: "/srv/berth", stackName: "dev", to: rollback.id });
        expect(again.state).to.equal("NOTHING_TO_DO");
        expect(h.world.outcomeWrites).to.have.length(2);

        const dry = await harness({ changed: ["orders"] });
        const record = await runRelease(dry.deps, { ...dry.options, dryRun: true });
        expect(record.state).to.equal("NOTHING_TO_DO");
        expect(dry.world.outcomeWrites).to.deep.equal([]);
        expect(dry.lines).to.include("[dry-run] would add the run's final state to the outcome history (/berth/dev/outcomes/recent)");
    });

    it("a deploy with nothing to do is no release: nothing recorded, nothing written", async () => {
        const h = await harness();
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("NOTHING_TO_DO");
        expect(h.world.outcomeWrites).to.deep.equal([]);
    });

    it("status shows the last run when it did not end as the released set's release, in Markdown and in its JSON schema", async () => {
        const h = await harness({ changed: ["orders"] });
        const released = await runRelease(h.deps, h.options);
        expect(renderStatus(await readStatus(h.deps))).to.not.contain("last run:");
        // a new commit changes the services again and breaks orders' smoke check
        (h.deps.source as unknown as { sha: string }).sha = "2".repeat(40);
        h.deps.contextDigest = () => `sha256:${"d".repeat(64)}`;
        h.world.services.get("orders")!.originalImage = h.world.running("orders");
        h.world.faults.smoke5xx = ["orders"];
        h.world.clock.t += 3600_000;
        const failed = await runRelease(h.deps, h.options);
        expect(failed.state).to.equal("ROLLED_BACK");
        const status = await readStatus(h.deps);
        expect(status.released!.releaseId).to.equal(released.id);
        expect(status.lastRun).to.deep.equal(outcomeOf(failed, "deploy"));
        expect(renderStatus(status).split("\n")[4]).to.equal(`last run: deploy ${failed.id} ended ROLLED_BACK at ${failed.finishedAt} — ${outcomeOf(failed, "deploy").summary}`);
        expect(JSON.parse(resultJson("status", { schema: SCHEMA_IDS.status, ...status })).lastRun.state).to.equal("ROLLED_BACK");

        h.world.faults.outcomeReadFails = "SSM parameter /berth/dev/outcomes/recent is not a berth outcome history (not JSON); delete it and the next deploy or rollback starts a new one";
        const unreadable = await readStatus(h.deps);
        expect(unreadable.lastRun).to.equal(undefined);
        expect(renderStatus(unreadable)).to.contain(`last run: unknown (${h.world.faults.outcomeReadFails})`);
        expect(unreadable.services).to.have.length(status.services.length);
        resultJson("status", { schema: SCHEMA_IDS.status, ...unreadable });
    });
});
