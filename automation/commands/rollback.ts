// `rollback`: put the stack back on an earlier image set and verify it — choose the source release, plan the
// images, update, verify, record. Target selection and planning are pure (plan/rollbackTarget.ts, plan/rollback.ts).
import { makeReleaseId, type ReleasePlan } from "../plan/release";
import type { ReleaseRecord } from "../plan/report";
import type { EnvironmentOutputs } from "../plan/outputs";
import { noopRollbackPlan, planRollbackTo, rollbackReleasePlan, type RollbackToPlan } from "../plan/rollback";
import { findRollbackTarget, previousRelease, rollbackCandidates } from "../plan/rollbackTarget";
import { taskDefinitionLabel } from "../plan/verify";
import type { ReleasedSet } from "../ports";
import { describeUpdate, expectedTaskDefinitions, failedChecks, recordRollback, Run, timingOf } from "../stages/record";
import { recordOutcome } from "../stages/outcome";
import { readOutputs } from "../stages/resolve";
import { whatRunsNow } from "../stages/status";
import { ReleaseInputError, type ReleaseDeps, type StageContext } from "../stages/types";
import { stackUpdate, type UpdateOutcome } from "../stages/update";
import { verifyServices } from "../stages/verify";

export interface RollbackOptions {
    projectDir: string;
    stackName: string;
    /**
     * A release id, or a git sha (full or a prefix of ≥ 7 hex) of a verified release recorded in the history
     * (ReleaseStorePort.listReleases); absent: the release before the current one (previousRelease).
     */
    to?: string;
    /** Bound on concurrent resource operations in the rollback update (`--parallel`). */
    parallel?: number;
    signal?: AbortSignal;
}

/**
 * Without --to, the last released set (after a NEEDS_ATTENTION release, say) or the verified release before it;
 * with --to <release id | sha>, that release from the history of verified releases. Only services still in the
 * catalogue are restored; services that did not exist in that release keep the image they run. A verified
 * rollback is recorded as a new release (new id, the restored set, the release it rolled back from, appended to
 * the history) and ends RELEASED (exit 0); otherwise NEEDS_ATTENTION. Either way its outcome joins the stack's
 * outcome history (stages/outcome.ts).
 */
export async function runRollback(deps: ReleaseDeps, options: RollbackOptions): Promise<ReleaseRecord> {
    return recordOutcome(deps, await rollBack(deps, options), "rollback");
}

async function rollBack(deps: ReleaseDeps, options: RollbackOptions): Promise<ReleaseRecord> {
    const ctx: StageContext = { deps, timing: timingOf(), signal: options.signal, log: deps.progress, parallel: options.parallel };
    const outputs = await readOutputs(ctx);
    const released = await deps.store.readReleased();
    const current = Object.fromEntries(Object.keys(outputs.services).map((s) => [s, appliedDigest(outputs, s)]));
    const source = await chooseSource(ctx, options, released, current);
    const to = planRollbackTo(source, released, current);
    if (to.kept.length > 0) deps.progress(`${to.kept.join(", ")} did not exist in release ${source.releaseId}: they keep their current image`);
    if (to.gone.length > 0) deps.progress(`${to.gone.join(", ")} of release ${source.releaseId} are no longer in the catalogue: not restored`);
    if (to.changed.length === 0) return nothingToRollBack(deps, options.stackName, source, current);

    const id = makeReleaseId(deps.clock.now(), source.sha);
    const run = new Run(deps, options.stackName, undefined);
    run.trackPlan(rollbackReleasePlan(id, source, to));
    run.migration = { outcome: "not-needed", detail: "rollback" };
    deps.progress(`rolling back stack ${options.stackName} to release ${source.releaseId}: ${to.changed.join(", ")}`);
    run.stage("plan", "ok");
    const up = await stackUpdate(ctx, {
        images: to.images,
        services: Object.keys(current),
        parallel: options.parallel,
        message: `berth rollback ${id} (to ${source.releaseId})`,
        // Restored images may come from other commits than the release's sha: green must answer 200, any version.
        watch: { outputs, services: to.changed, rollBackReleaseOnFailure: false },
    });
    if (up.kind !== "locked") for (const [s, r] of Object.entries(up.rollouts ?? {})) if (r.deploymentArn) run.service(s).rollout = r;
    const updated = await afterUpdate(ctx, run, up, outputs, to);
    if ("stop" in updated) return updated.stop;
    const touched = updated.touched;
    run.stage("rollback", "ok", `${touched.join(", ") || "no service"} updated to release ${source.releaseId}`);
    const verdicts = await verifyServices(ctx, { outputs: updated.after, services: touched, expected: expectedTaskDefinitions(updated.after, touched), sha: source.sha, checkVersion: false });
    for (const v of verdicts) run.service(v.service).verification = v;
    if (verdicts.some((v) => !v.ok)) {
        run.stage("verify", "failed", failedChecks(verdicts));
        return run.finish("NEEDS_ATTENTION", to.images, `the rollback update succeeded but ${failedChecks(verdicts)} did not verify`);
    }
    run.stage("verify", "ok", `${verdicts.length} verified`);
    const set: ReleasedSet = { version: 1, releaseId: id, sha: source.sha, releasedAt: new Date(deps.clock.now()).toISOString(), images: to.images, contexts: to.contexts, ...(released ? { rolledBackFrom: released.releaseId } : {}) };
    const recorded = await recordRollback(ctx, set);
    if (!recorded.ok) {
        run.stage("record", "failed", recorded.error);
        const next = released?.releaseId ?? "the program's build";
        return run.finish("NEEDS_ATTENTION", to.images, `the rollback to ${source.releaseId} is verified, but it could not be recorded (${recorded.error}): the next \`pulumi up\` would return to the images of ${next}; rerun the rollback`);
    }
    run.stage("record", "ok", `recorded as release ${id}`);
    const keptNote = to.kept.length > 0 ? `; ${to.kept.join(", ")} kept their current image (not in ${source.releaseId})` : "";
    return run.finish("RELEASED", to.images, `rolled back to release ${source.releaseId} (sha ${source.sha.slice(0, 12)}), recorded as ${id}${touched.length > 0 ? `; ${touched.join(", ")} verified` : ""}${keptNote}`);
}

/** The sha256 digest the stack applied to a service (its `image` output is `<repository>@sha256:…`). */
function appliedDigest(outputs: EnvironmentOutputs, service: string): string {
    const image = outputs.services[service].image;
    return image.slice(image.lastIndexOf("@") + 1);
}

/** The release to return to: --to's, or the one before the current release (plan/rollbackTarget.ts). */
async function chooseSource(ctx: StageContext, options: RollbackOptions, released: ReleasedSet | undefined, current: Record<string, string>): Promise<ReleasedSet> {
    const { deps } = ctx;
    if (!options.to && !released) throw new ReleaseInputError(`nothing has been released on stack ${options.stackName} yet: there is nothing to roll back to`);
    const history = await deps.store.listReleases();
    const candidates = rollbackCandidates(history, released);
    if (!options.to) {
        const previous = previousRelease(candidates, released!, current, options.stackName);
        deps.progress(previous.why);
        return previous.set;
    }
    const found = findRollbackTarget(candidates, options.to);
    const source = found.set;
    const also = found.sameSha.length > 0 ? `; the newest of ${found.sameSha.length + 1} releases of that commit (also ${found.sameSha.join(", ")})` : "";
    deps.progress(`--to ${options.to}: release ${source.releaseId} (sha ${source.sha.slice(0, 12)}, released ${source.releasedAt}), matched by ${found.matchedBy}${also}`);
    return source;
}

/** Nothing to do is not a new release: no update, no duplicate entry in the history. */
function nothingToRollBack(deps: ReleaseDeps, stackName: string, source: ReleasedSet, current: Record<string, string>): ReleaseRecord {
    const plan: ReleasePlan = noopRollbackPlan(source, current);
    const run = new Run(deps, stackName, plan);
    for (const s of Object.keys(current)) run.services.set(s, { name: s, changed: false, reason: "unchanged", action: "none", digest: current[s] });
    run.stage("plan", "ok", "no image differs");
    return run.finish("NOTHING_TO_DO", current, `stack ${stackName} already runs the images of release ${source.releaseId}: nothing to roll back, nothing recorded`);
}

/** The rollback update's outcome: a record when it did not succeed, else the outputs after it and the services it touched. */
async function afterUpdate(
    ctx: StageContext,
    run: Run,
    up: UpdateOutcome,
    outputs: EnvironmentOutputs,
    to: RollbackToPlan,
): Promise<{ stop: ReleaseRecord } | { after: EnvironmentOutputs; touched: string[] }> {
    const { deps } = ctx;
    const services = Object.keys(to.current);
    if (up.kind === "done") run.pulumiUpdates.rollback = up.result.updateId;
    if (up.kind === "done" || up.kind === "interrupted") run.noteSpans(up.tracker.spans(), "rollbackSpan");
    if (up.kind === "interrupted") {
        run.stage("rollback", "interrupted");
        return { stop: run.finish("INTERRUPTED", to.images, `interrupted during the rollback update. What runs now: ${await whatRunsNow(deps.ecs, outputs, services)}`) };
    }
    if (up.kind === "locked") throw up.error;
    if (up.kind !== "done" || up.result.result !== "succeeded") {
        run.stage("rollback", "failed", describeUpdate(up));
        return { stop: run.finish("NEEDS_ATTENTION", to.images, `the rollback update ${describeUpdate(up)}. What runs now: ${await whatRunsNow(deps.ecs, outputs, services)}`) };
    }
    const after = await readOutputs(ctx);
    const touched = services.filter((s) => to.changed.includes(s) || after.services[s].taskDefinitionArn !== outputs.services[s].taskDefinitionArn || up.tracker.touched().includes(s));
    for (const s of touched) {
        // re-deployed by the rollback update: a row in the report, not "Unchanged"
        if (!to.changed.includes(s)) run.service(s).changedBy = "the rollback update (re-deployed with the same image)";
        run.service(s).taskDefinitionRevision = taskDefinitionLabel(after.services[s].taskDefinitionArn);
        const progress = up.tracker.snapshot(deps.clock.now() / 1000).find((p) => p.service === s);
        if (progress && progress.state !== "waiting") run.service(s).rolloutMs = progress.elapsedSeconds * 1000;
    }
    return { after, touched };
}
