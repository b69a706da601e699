// The rollback stage of a failed release (F13) and the restore of the migration task definition (F02):
// updates that put the stack back, then verify what they put back. Neither throws past its caller's record.
import type { ReleasePlan } from "../plan/release";
import type { ReleaseRecord } from "../plan/report";
import { planRollback, type RollbackPlan } from "../plan/rollback";
import { taskDefinitionLabel } from "../plan/verify";
import type { ReleasedSet } from "../ports";
import { describeFailure, describeUpdate, expectedTaskDefinitions, failedChecks, type Run } from "./record";
import { readOutputs } from "./resolve";
import { whatRunsNow } from "./status";
import type { StageContext } from "./types";
import { stackUpdate } from "./update";
import { isAbort, message } from "./util";
import { verifyServices } from "./verify";

/**
 * F02: the migration failed, timed out or could not start after the prepare update pointed the migration task
 * definition at the new image. One more update without berth:migrationImage points it back at the owner's current
 * image, so the stack state matches the released set and the next `pulumi up` from a laptop shows no leftover
 * diff. No service changes in either update; the release ends FAILED_BEFORE_CHANGE.
 */
export async function restoreMigration(ctx: StageContext, run: Run, plan: ReleasePlan, before: Record<string, string>, what: string): Promise<ReleaseRecord> {
    const { deps } = ctx;
    deps.progress(`${what}; pointing the migration task definition back (no service changes)`);
    const up = await stackUpdate(ctx, { images: before, services: [], parallel: ctx.parallel, message: `berth ${plan.releaseId}: migration task definition back` });
    if (up.kind === "done") run.pulumiUpdates.rollback = up.result.updateId;
    if (up.kind === "done" && up.result.result === "succeeded") {
        run.stage("rollback", "ok", "migration task definition back on the current image");
        return run.finish("FAILED_BEFORE_CHANGE", before, `${what}; no service was changed`);
    }
    run.stage("rollback", up.kind === "interrupted" ? "interrupted" : "failed", `migration task definition: update ${describeUpdate(up)}`);
    return run.finish(
        "FAILED_BEFORE_CHANGE",
        before,
        `${what}; no service was changed (the update pointing the migration task definition back ${describeUpdate(up)}: it still names this release's image until the next update)`,
    );
}

/**
 * F13: restore the previous digests of exactly `scope`, update again, verify again. Never throws: a failure of
 * the rollback itself (AWS gave up, outputs unreadable, a bug) ends NEEDS_ATTENTION with a record and report.
 */
export async function rollbackAfterFailure(
    ctx: StageContext,
    run: Run,
    plan: ReleasePlan,
    released: ReleasedSet | undefined,
    scope: string[],
    imagesNow: Record<string, string>,
    why: string,
): Promise<ReleaseRecord> {
    try {
        return await tryRollback(ctx, run, { plan, released, scope, imagesNow, why });
    } catch (error) {
        if (isAbort(error, ctx.signal)) {
            run.stage("rollback", "interrupted");
            return run.finish("INTERRUPTED", imagesNow, `${why}; interrupted during the rollback`);
        }
        for (const s of scope) if (run.service(s).rollback !== "impossible") run.service(s).rollback = "failed";
        run.stage("rollback", "failed", describeFailure(error));
        const outputs = await readOutputs(ctx).catch(() => undefined);
        const now = outputs ? await whatRunsNow(ctx.deps.clock, ctx.deps.ecs, outputs, scope).catch((e: unknown) => `could not be read (${message(e)})`) : "could not be read";
        return run.finish("NEEDS_ATTENTION", imagesNow, `${why}; the rollback failed: ${describeFailure(error)}. What runs now: ${now}`);
    }
}

/** What a failed release rolls back: the services in `scope`, from the images it runs now, and why. */
interface FailureRollback {
    plan: ReleasePlan;
    released: ReleasedSet | undefined;
    scope: string[];
    imagesNow: Record<string, string>;
    why: string;
}

async function tryRollback(ctx: StageContext, run: Run, { plan, released, scope, imagesNow, why }: FailureRollback): Promise<ReleaseRecord> {
    const { deps } = ctx;
    const rb: RollbackPlan = planRollback({ ...plan, toRoll: scope, imagesAfter: imagesNow }, released);
    deps.progress(`${why}; rolling back ${Object.keys(rb.restore).join(", ") || "nothing restorable"}`);
    for (const i of rb.impossible) {
        run.service(i.service).rollback = "impossible";
        deps.progress(`cannot roll back ${i.service}: ${i.why}`);
    }
    const restored = Object.keys(rb.restore);
    const attention = async (reason: string, images: Record<string, string>) => {
        for (const s of restored) run.service(s).rollback = "failed";
        run.stage("rollback", "failed", reason);
        const outputs = await readOutputs(ctx).catch(() => undefined);
        const now = outputs ? await whatRunsNow(deps.clock, deps.ecs, outputs, scope) : "could not read the stack outputs";
        return run.finish("NEEDS_ATTENTION", images, `${why}; the rollback ${reason}. What runs now: ${now}`);
    };
    if (restored.length === 0) {
        run.stage("rollback", "skipped", "nothing restorable");
        return run.finish("NEEDS_ATTENTION", imagesNow, `${why}; no service could be rolled back (${rb.impossible.map((i) => i.service).join(", ")} never released)`);
    }
    // A restore of a blue/green service is a deployment too: its hooks are answered (200 on the test route, any version).
    const outputsBefore = await readOutputs(ctx);
    const up = await stackUpdate(ctx, {
        images: rb.images,
        services: restored,
        parallel: ctx.parallel,
        message: `berth ${plan.releaseId}: rollback`,
        watch: { outputs: outputsBefore, rollBackReleaseOnFailure: false },
    });
    if (up.kind === "done") run.pulumiUpdates.rollback = up.result.updateId;
    for (const [s, r] of Object.entries(up.kind === "locked" ? {} : (up.rollouts ?? {}))) if (r.deploymentArn) run.service(s).restore = r;
    if (up.kind === "interrupted") {
        run.stage("rollback", "interrupted");
        return run.finish("INTERRUPTED", imagesNow, `${why}; interrupted during the rollback update`);
    }
    if (up.kind !== "done" || up.result.result !== "succeeded") return attention(`update ${describeUpdate(up)}`, imagesNow);
    const outputs = await readOutputs(ctx);
    const verdicts = await verifyServices(ctx, { outputs, services: restored, expected: expectedTaskDefinitions(outputs, restored), sha: plan.sha, checkVersion: false }).catch(
        (error: unknown) => restored.map((service) => ({ service, ok: false, checks: [{ name: "verify", ok: false, detail: message(error) }] })),
    );
    const bad = verdicts.filter((v) => !v.ok);
    if (bad.length > 0) return attention(`update succeeded but ${failedChecks(verdicts)} did not verify`, rb.images);
    for (const s of restored) {
        run.service(s).rollback = "restored";
        run.service(s).restoredRevision = taskDefinitionLabel(outputs.services[s].taskDefinitionArn);
    }
    run.stage("rollback", "ok", `${restored.join(", ")} restored and verified`);
    const untouched = plan.toRoll.filter((s) => !scope.includes(s));
    return run.finish(
        rb.stateIfRestored,
        rb.images,
        `${why}; ${restored.join(", ")} restored to the previous images and verified${rb.impossible.length > 0 ? `; ${rb.impossible.map((i) => i.service).join(", ")} keep this release's image (never released before)` : ""}${untouched.length > 0 ? `; ${untouched.join(", ")} were not rolled out` : ""}`,
    );
}
