// `deploy`: one release of this commit — resolve → plan → preflight → build → prepare + migrate → rollout →
// verify → rollback or record. Each step below is one stage; stages depend on ports.ts only, planning and
// rendering stay pure in plan/.
import type { EnvironmentOutputs } from "../plan/outputs";
import { withDigests, type ReleasePlan } from "../plan/release";
import type { ReleaseRecord, StageName } from "../plan/report";
import { taskDefinitionLabel, type ServiceVerdict } from "../plan/verify";
import type { ReleasedSet } from "../ports";
import { buildImages } from "../stages/build";
import { dryRun } from "../stages/dryRun";
import { recordOutcome } from "../stages/outcome";
import { migrationRequest, runMigration, type MigrationOutcome } from "../stages/migrate";
import { describeFailure, describeUpdate, expectedTaskDefinitions, failedChecks, imagesBefore, recordRelease, Run, timingOf, type StageTimeouts } from "../stages/record";
import { planLines, previewStack, readOutputs, resolveRelease } from "../stages/resolve";
import { restoreMigration, rollbackAfterFailure } from "../stages/rollback";
import { whatRunsNow } from "../stages/status";
import type { ReleaseDeps, StageContext } from "../stages/types";
import { stackUpdate, type Rollouts } from "../stages/update";
import { isAbort } from "../stages/util";
import { verifyServices } from "../stages/verify";
import { copyImages, resolvePromotion } from "../stages/promote";
import type { ImageCopy, PromoteFrom } from "../plan/promotion";

export interface ReleaseOptions {
    projectDir: string;
    stackName: string;
    services?: string[];
    parallel: number;
    skipMigration: boolean;
    allowDirty: boolean;
    dryRun: boolean;
    signal?: AbortSignal;
    timeouts?: Partial<StageTimeouts>;
    /** `--promote-from <stack>[:<release>]`: no build; the source release's images, copied by digest (stages/promote.ts). */
    promoteFrom?: PromoteFrom;
}

/** A stage either ends the release with its record or hands the next stage what it needs. */
type Step<T> = { stop: ReleaseRecord } | { next: T };

/** One release, then its outcome added to the stack's outcome history, whatever the state (stages/outcome.ts). */
export async function runRelease(deps: ReleaseDeps, options: ReleaseOptions): Promise<ReleaseRecord> {
    return recordOutcome(deps, await release(deps, options), "deploy", { dryRun: options.dryRun });
}

async function release(deps: ReleaseDeps, options: ReleaseOptions): Promise<ReleaseRecord> {
    const ctx: StageContext = { deps, timing: timingOf(options.timeouts), signal: options.signal, log: deps.progress, parallel: options.parallel };
    const run = new Run(deps, options.stackName, undefined);
    const promotion = options.promoteFrom ? await resolvePromotion(ctx, { ...options, promoteFrom: options.promoteFrom }) : undefined;
    const { outputs, released, plan: planned } = promotion ?? (await resolveRelease(ctx, options));
    startRun(run, planned);
    const before = imagesBefore(planned);
    if (planned.nothingToDo) {
        run.stage("plan", "ok", "no service changed");
        if (options.dryRun) deps.progress("DRY RUN OK");
        return run.finish("NOTHING_TO_DO", before, "no service changed: 0 builds, 0 updates");
    }
    const preflight = await preflightStep(ctx, run, before);
    if (preflight) return preflight;
    if (options.dryRun) return dryRun(ctx, run, planned, outputs, released, { ...options, copies: promotion?.copies });

    const built = promotion ? await copyStep(ctx, run, planned, promotion.copies, before) : await buildStep(ctx, run, planned, outputs, options.projectDir, before);
    if ("stop" in built) return built.stop;
    const plan = built.next;
    const migrated = plan.migration.runs ? await prepareAndMigrateStep(ctx, run, plan, outputs, before) : skipMigration(run, plan);
    if (migrated) return migrated;
    const rolled = await rolloutStep(ctx, run, plan, outputs, released, before);
    if ("stop" in rolled) return rolled.stop;
    const verified = await verifyStep(ctx, run, plan, rolled.next, released);
    if (verified) return verified;
    return recordRelease(ctx, run, plan, released);
}

function startRun(run: Run, plan: ReleasePlan): void {
    run.trackPlan(plan);
    run.migration = plan.migration.runs ? { outcome: "not-needed" } : { outcome: plan.migration.why === "--skip-migration" ? "skipped" : "not-needed", detail: plan.migration.why };
    for (const line of planLines(plan)) run.progress(line);
}

/** A second release on the same stack fails here, before anything is built (StackLockedError → exit 3). */
async function preflightStep(ctx: StageContext, run: Run, before: Record<string, string>): Promise<ReleaseRecord | undefined> {
    try {
        await previewStack(ctx);
    } catch (error) {
        if (!isAbort(error, ctx.signal)) throw error;
        run.stage("plan", "interrupted");
        return run.finish("INTERRUPTED", before, "interrupted during the preflight preview; nothing was built or changed");
    }
    run.stage("plan", "ok");
    return undefined;
}

async function buildStep(ctx: StageContext, run: Run, plan: ReleasePlan, outputs: EnvironmentOutputs, projectDir: string, before: Record<string, string>): Promise<Step<ReleasePlan>> {
    const built = await buildImages(ctx, plan, outputs, projectDir);
    if (!built.ok) {
        run.stage("build", built.interrupted ? "interrupted" : "failed", `${built.service}: ${built.reason}`);
        if (built.interrupted) return { stop: run.finish("INTERRUPTED", before, "interrupted while building; nothing was changed (pushed images stay in ECR under the sha tag and will be reused)") };
        for (const line of built.logTail) ctx.deps.progress(`  build ${built.service} | ${line}`);
        const see = built.logTail.length > 0 ? ` — see the ${built.logTail.length} build log lines above` : "";
        return { stop: run.finish("FAILED_BEFORE_CHANGE", before, `build of ${built.service} failed: ${built.reason}${see}; no stack update ran, no service was changed`) };
    }
    const next = withDigests(plan, built.digests);
    run.plan = next;
    for (const s of next.services) if (s.changed) run.service(s.name).digest = s.digest;
    run.stage("build", "ok", `${Object.keys(built.digests).length} built, ${next.counts.reused} reused`);
    return { next };
}

/** A promotion's build: each image copied by digest into this stack's repository (or found there), verified. */
async function copyStep(ctx: StageContext, run: Run, plan: ReleasePlan, copies: ImageCopy[], before: Record<string, string>): Promise<Step<ReleasePlan>> {
    const copied = await copyImages(ctx, copies);
    if (!copied.ok) {
        run.stage("copy", copied.interrupted ? "interrupted" : "failed", `${copied.service}: ${copied.reason}`);
        if (copied.interrupted) return { stop: run.finish("INTERRUPTED", before, "interrupted while copying images; nothing was changed") };
        return { stop: run.finish("FAILED_BEFORE_CHANGE", before, `promotion of ${copied.service}: ${copied.reason}; no stack update ran, no service was changed`) };
    }
    run.stage("copy", "ok", `${copies.length} image(s) in this stack's repositories by digest`);
    return { next: plan };
}

function skipMigration(run: Run, plan: ReleasePlan): undefined {
    run.stage("migrate", "skipped", plan.migration.why);
    return undefined;
}

/**
 * F02: one full update with berth:migrationImage = the owner's new digest. Only the migration task definition
 * takes it (and any pending infrastructure change applies); every service keeps its current digest, so a failed
 * migration ends the release with no service changed.
 */
async function prepareAndMigrateStep(ctx: StageContext, run: Run, plan: ReleasePlan, outputs: EnvironmentOutputs, before: Record<string, string>): Promise<ReleaseRecord | undefined> {
    const { deps } = ctx;
    const migrationImage = plan.imagesAfter[plan.migration.service!];
    const prep = await stackUpdate(ctx, { images: before, migrationImage, services: [], parallel: ctx.parallel, message: `berth ${plan.releaseId}: migration task definition` });
    if (prep.kind === "done") run.pulumiUpdates.prepare = prep.result.updateId;
    if (prep.kind === "done" || prep.kind === "interrupted") run.noteUnexpectedChanges(prep.tracker.touched(), "the prepare update");
    if (prep.kind !== "done" || prep.result.result !== "succeeded") {
        run.stage("prepare", prep.kind === "interrupted" ? "interrupted" : "failed", describeUpdate(prep));
        // No second update right after a failed or interrupted one: the next update points the migration task
        // definition back (its config has no berth:migrationImage).
        if (prep.kind === "interrupted") return run.finish("INTERRUPTED", before, `interrupted during the migration task definition update; no service image was changed — ${await whatRunsNow(deps.ecs, outputs, plan.toRoll)}`);
        return run.finish("FAILED_BEFORE_CHANGE", before, `the stack update registering the migration task definition ${describeUpdate(prep)}; no service was changed`);
    }
    const changedBack = run.changedUnexpectedly.length > 0 ? `; ${run.changedUnexpectedly.join(", ")} changed back to the released set (the stack ran other images)` : "; no service changed";
    run.stage("prepare", "ok", `migration task definition on the new image${changedBack}`);
    let migration: MigrationOutcome;
    try {
        const prepared = await readOutputs(ctx);
        const request = migrationRequest(prepared.migration!, prepared.migration!.taskDefinitionArn, plan.releaseId);
        migration = await runMigration(ctx, prepared.migration!, request);
    } catch (error) {
        if (isAbort(error, ctx.signal)) throw error;
        const what = `the migration could not be run or followed: ${describeFailure(error)} (check the cluster for a task started by berth/${plan.releaseId})`;
        run.migration = { outcome: "could-not-start", detail: describeFailure(error) };
        run.stage("migrate", "failed", what);
        return restoreMigration(ctx, run, plan, before, what);
    }
    const { interrupted, logLines, ...record } = migration;
    run.migration = record;
    if (interrupted) {
        run.stage("migrate", "interrupted");
        return run.finish("INTERRUPTED", before, `interrupted while the migration ran (${record.taskArn}); it keeps running; no service image was changed`);
    }
    if (record.outcome !== "succeeded") {
        run.stage("migrate", "failed", record.detail);
        const what =
            record.outcome === "could-not-start"
                ? `migration could not start (${record.detail})`
                : record.outcome === "timed-out"
                  ? `migration timed out: ${record.detail}`
                  : `migration failed (${record.detail}) — see the ${logLines.length} log lines above`;
        return restoreMigration(ctx, run, plan, before, what);
    }
    run.stage("migrate", "ok", `exit 0 in ${Math.round((record.durationMs ?? 0) / 1000)}s`);
    return undefined;
}

/** F05, F11: one update; the program's dependsOn graph orders it, --parallel bounds it. Hands on the outputs after it. */
async function rolloutStep(
    ctx: StageContext,
    run: Run,
    plan: ReleasePlan,
    outputs: EnvironmentOutputs,
    released: ReleasedSet | undefined,
    before: Record<string, string>,
): Promise<Step<EnvironmentOutputs>> {
    const { deps } = ctx;
    const rollout = await stackUpdate(ctx, {
        images: plan.imagesAfter,
        services: plan.toRoll,
        parallel: ctx.parallel,
        message: `berth ${plan.releaseId}`,
        watch: { outputs, expectVersion: plan.sha, rollBackReleaseOnFailure: true },
    });
    if (rollout.kind !== "locked") for (const [s, r] of Object.entries(rollout.rollouts ?? {})) run.service(s).rollout = r;
    if (rollout.kind === "done" || rollout.kind === "interrupted") {
        for (const p of rollout.tracker.snapshot(deps.clock.now() / 1000)) if (p.state !== "waiting") run.service(p.service).rolloutMs = p.elapsedSeconds * 1000;
        run.noteSpans(rollout.tracker.spans(), "rolloutSpan");
    }
    if (rollout.kind === "done") run.pulumiUpdates.rollout = rollout.result.updateId;
    if (rollout.kind === "interrupted") {
        run.stage("rollout", "interrupted");
        const snap = rollout.tracker.snapshot(deps.clock.now() / 1000);
        const now: Record<string, string> = { ...before };
        for (const p of snap) if (p.state === "stable" || p.state === "rolling") now[p.service] = plan.imagesAfter[p.service];
        const rolling = snap.filter((p) => p.state !== "waiting").map((p) => `${p.service} ${p.state}`).join(", ") || "none had started";
        return {
            stop: run.finish(
                "INTERRUPTED",
                now,
                `interrupted mid-rollout; the engine finished the operations it had started (${rolling})${leftWaiting(rollout.rollouts)}. What runs now: ${await whatRunsNow(deps.ecs, outputs, plan.toRoll)}`,
            ),
        };
    }
    if (rollout.kind === "locked") {
        run.stage("rollout", "failed", "stack locked");
        return { stop: run.finish("FAILED_BEFORE_CHANGE", before, `${rollout.error.message}: the rollout did not start; no service was changed (the migration already ran)`) };
    }
    if (rollout.kind === "error" || rollout.result.result !== "succeeded") {
        run.stage("rollout", "failed", describeUpdate(rollout));
        return { stop: await rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, `the rollout update ${describeUpdate(rollout)}`) };
    }
    // The update can succeed while a deployment did not (a program that lets the engine go on once traffic moved, or
    // the provider gap after a rollback): the deployments' own outcomes decide.
    const unsuccessful = Object.entries(rollout.rollouts ?? {}).filter(([, r]) => r.strategy !== "rolling" && r.status !== undefined && r.status !== "SUCCESSFUL");
    if (unsuccessful.length > 0) {
        const what = unsuccessful.map(([s, r]) => `${s} deployment ${r.status}${r.decision ? ` (decided by ${r.decision})` : ""}`).join(", ");
        run.stage("rollout", "failed", what);
        return { stop: await rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, `the rollout update succeeded but ${what}`) };
    }
    // From here services may have changed: any failure, expected or not, ends in rollback-or-report with a record.
    let after: EnvironmentOutputs;
    try {
        after = await readOutputs(ctx);
    } catch (error) {
        return { stop: await failedAfterChange(ctx, run, plan, released, "rollout", error) };
    }
    for (const s of plan.toRoll) run.service(s).taskDefinitionRevision = taskDefinitionLabel(after.services[s].taskDefinitionArn);
    run.stage("rollout", "ok");
    return { next: after };
}

/** The hooks berth stopped answering when interrupted: their own timeout action decides (ROLLBACK). */
function leftWaiting(rollouts: Rollouts | undefined): string {
    const waiting = Object.entries(rollouts ?? {}).filter(([, r]) => r.leftWaiting);
    if (waiting.length === 0) return "";
    const parts = waiting.map(([s, r]) => `${s} (${r.status ? `${r.status.toLowerCase().replace(/_/g, " ")} — ` : ""}${r.decision ?? `${r.leftWaiting!.timeoutAction} at ${r.leftWaiting!.expiresAt ?? "its timeout"}`})`);
    return `; berth stopped answering the PAUSE hooks of ${parts.join(", ")}: each hook's own timeout action rolls its service back`;
}

/** F07, F12: every rolled service runs the registered task definition, is healthy behind the ALB and reports this sha. */
async function verifyStep(ctx: StageContext, run: Run, plan: ReleasePlan, after: EnvironmentOutputs, released: ReleasedSet | undefined): Promise<ReleaseRecord | undefined> {
    let verdicts: ServiceVerdict[];
    try {
        verdicts = await verifyServices(ctx, { outputs: after, services: plan.toRoll, expected: expectedTaskDefinitions(after, plan.toRoll), sha: plan.sha, checkVersion: true });
    } catch (error) {
        if (!isAbort(error, ctx.signal)) return failedAfterChange(ctx, run, plan, released, "verify", error);
        run.stage("verify", "interrupted");
        const now = await whatRunsNow(ctx.deps.ecs, after, plan.toRoll);
        return run.finish("INTERRUPTED", plan.imagesAfter, `interrupted while verifying; the rollout update had finished. What runs now: ${now}`);
    }
    for (const v of verdicts) run.service(v.service).verification = v;
    if (verdicts.some((v) => !v.ok)) {
        run.stage("verify", "failed", failedChecks(verdicts));
        return rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, `verification failed: ${failedChecks(verdicts)}`);
    }
    run.stage("verify", "ok", `${verdicts.length} verified`);
    return undefined;
}

function failedAfterChange(ctx: StageContext, run: Run, plan: ReleasePlan, released: ReleasedSet | undefined, stage: StageName, error: unknown): Promise<ReleaseRecord> {
    const why = `${stage === "rollout" ? "reading the stack outputs after the rollout" : "verification"} failed: ${describeFailure(error)}`;
    run.stage(stage, "failed", why);
    return rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, why);
}
