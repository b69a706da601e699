// The release orchestrator (issue 3, "The run" 1-9): resolve → plan → build → prepare + migrate → rollout →
// verify → rollback or record. Stages depend on ports.ts only; planning and rendering stay pure in plan/.
import type { EnvironmentOutputs } from "./plan/outputs";
import { makeReleaseId, ReleasePlan, releasedSetAfter, withDigests } from "./plan/release";
import { planRollback, RollbackPlan } from "./plan/rollback";
import { MigrationRecord, nextCommand, ReleaseRecord, ReleaseState, ServiceRecord, StageName, StageRecord } from "./plan/report";
import { ServiceVerdict, taskDefinitionLabel } from "./plan/verify";
import type { ReleasedSet } from "./ports";
import { StackLockedError } from "./ports";
import { mapStackError } from "./adapters/pulumiStack";
import { buildImages, buildRequest } from "./stages/build";
import { migrationRequest, runMigration } from "./stages/migrate";
import { planLines, previewStack, readOutputs, resolveRelease } from "./stages/resolve";
import { findRollbackTarget, rollbackCandidates } from "./stages/rollbackTarget";
import { describeAll, StatusReport, whatRunsNow } from "./stages/status";
import { ReleaseDeps, ReleaseInputError, StageContext, Timing } from "./stages/types";
import { stackUpdate, UpdateOutcome } from "./stages/update";
import { isAbort, message, withRetry } from "./stages/util";
import { verifyServices } from "./stages/verify";

export { ReleaseInputError } from "./stages/types";
export type { ReleaseDeps } from "./stages/types";
export type { StatusReport, ServiceStatusReport } from "./stages/status";

export interface ReleaseOptions {
    projectDir: string;
    stackName: string;
    services?: string[];
    parallel: number;
    skipMigration: boolean;
    allowDirty: boolean;
    dryRun: boolean;
    signal?: AbortSignal;
    timeouts?: Partial<{ migrationSeconds: number; verifySeconds: number; pollSeconds: number; buildParallel: number }>;
}

function timingOf(timeouts: ReleaseOptions["timeouts"] = {}): Timing {
    return {
        pollMs: (timeouts.pollSeconds ?? 5) * 1000,
        verifyMs: (timeouts.verifySeconds ?? 600) * 1000,
        migrationMs: timeouts.migrationSeconds === undefined ? undefined : timeouts.migrationSeconds * 1000,
        buildParallel: timeouts.buildParallel ?? 4,
        checkRetries: 3,
    };
}

/** Accumulates stage timings and per-service facts into the ReleaseRecord. */
class Run {
    readonly stages: StageRecord[] = [];
    readonly pulumiUpdates: ReleaseRecord["pulumiUpdates"] = {};
    migration: MigrationRecord = { outcome: "not-needed" };
    readonly services = new Map<string, ServiceRecord>();
    /** Services an update changed although this release did not roll them (e.g. the prepare update re-applying the released set). */
    readonly changedUnexpectedly: string[] = [];
    private mark: number;
    readonly startedAt: number;

    constructor(
        private readonly deps: ReleaseDeps,
        readonly stack: string,
        public plan: ReleasePlan | undefined,
    ) {
        this.startedAt = deps.clock.now();
        this.mark = this.startedAt;
    }

    stage(name: StageName, outcome: StageRecord["outcome"], detail?: string): void {
        const now = this.deps.clock.now();
        this.stages.push({ name, outcome, durationMs: now - this.mark, ...(detail ? { detail } : {}) });
        this.mark = now;
    }

    service(name: string): ServiceRecord {
        return this.services.get(name)!;
    }

    finish(state: ReleaseState, imagesNow: Record<string, string>, summary?: string): ReleaseRecord {
        const plan = this.plan!;
        if (this.changedUnexpectedly.length > 0 && summary) {
            // "no service was changed" would be false: say which services an update changed anyway.
            const list = this.changedUnexpectedly.join(", ");
            const said = /no service (image )?was changed/.test(summary);
            summary = said
                ? summary.replace(/no service (image )?was changed/, `no service took this release's image, but ${list} changed back to the released set (the stack ran other images before this release)`)
                : `${summary}; ${list} changed back to the released set by an earlier update of this release`;
        }
        const record: ReleaseRecord = {
            version: 1,
            id: plan.releaseId,
            sha: plan.sha,
            stack: this.stack,
            startedAt: new Date(this.startedAt).toISOString(),
            finishedAt: new Date(this.deps.clock.now()).toISOString(),
            state,
            ...(summary ? { summary } : {}),
            stages: this.stages,
            services: plan.services.map((s) => this.services.get(s.name)!),
            migration: this.migration,
            pulumiUpdates: this.pulumiUpdates,
            imagesNow,
        };
        this.deps.progress(`${state}${summary ? `: ${summary}` : ""}`);
        this.deps.progress(`next: ${nextCommand(record)}`);
        return record;
    }
}

/** berth:images before this release: the rollout map with every changed service back on its previous digest. */
function imagesBefore(plan: ReleasePlan): Record<string, string> {
    const images = { ...plan.imagesAfter };
    for (const s of plan.services) {
        if (!s.changed) continue;
        if (s.previousDigest) images[s.name] = s.previousDigest;
        else delete images[s.name];
    }
    return images;
}

function expectedTaskDefinitions(outputs: EnvironmentOutputs, services: string[]): Record<string, string> {
    return Object.fromEntries(services.map((s) => [s, outputs.services[s].taskDefinitionArn]));
}

function failedChecks(verdicts: ServiceVerdict[]): string {
    return verdicts
        .filter((v) => !v.ok)
        .map((v) => `${v.service} (${v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join("; ")})`)
        .join(", ");
}

export async function runRelease(deps: ReleaseDeps, options: ReleaseOptions): Promise<ReleaseRecord> {
    const ctx: StageContext = { deps, timing: timingOf(options.timeouts), signal: options.signal, log: deps.progress, parallel: options.parallel };
    const run = new Run(deps, options.stackName, undefined);
    const { outputs, released, plan: planned } = await resolveRelease(ctx, options);
    let plan = planned;
    run.plan = plan;
    for (const s of plan.services) {
        run.services.set(s.name, { name: s.name, changed: s.changed, reason: s.reason, action: s.action, ...(s.digest ? { digest: s.digest } : {}), ...(s.previousDigest ? { previousDigest: s.previousDigest } : {}) });
    }
    run.migration = plan.migration.runs ? { outcome: "not-needed" } : { outcome: plan.migration.why === "--skip-migration" ? "skipped" : "not-needed", detail: plan.migration.why };
    for (const line of planLines(plan)) deps.progress(line);
    const before = imagesBefore(plan);
    if (plan.nothingToDo) {
        run.stage("plan", "ok", "no service changed");
        if (options.dryRun) deps.progress("DRY RUN OK");
        return run.finish("NOTHING_TO_DO", before, "no service changed: 0 builds, 0 updates");
    }

    // A second release on the same stack fails here, before anything is built (StackLockedError → exit 3).
    try {
        await previewStack(ctx);
    } catch (error) {
        if (isAbort(error, ctx.signal)) {
            run.stage("plan", "interrupted");
            return run.finish("INTERRUPTED", before, "interrupted during the preflight preview; nothing was built or changed");
        }
        throw error;
    }
    run.stage("plan", "ok");

    if (options.dryRun) return dryRun(ctx, run, plan, outputs, released, options);

    // ---- build
    const built = await buildImages(ctx, plan, outputs, options.projectDir);
    if (!built.ok) {
        run.stage("build", built.interrupted ? "interrupted" : "failed", `${built.service}: ${built.reason}`);
        if (built.interrupted) return run.finish("INTERRUPTED", before, "interrupted while building; nothing was changed (pushed images stay in ECR under the sha tag and will be reused)");
        for (const line of built.logTail) deps.progress(`  build ${built.service} | ${line}`);
        return run.finish(
            "FAILED_BEFORE_CHANGE",
            before,
            `build of ${built.service} failed: ${built.reason}${built.logTail.length > 0 ? ` — see the ${built.logTail.length} build log lines above` : ""}; no stack update ran, no service was changed`,
        );
    }
    plan = withDigests(plan, built.digests);
    run.plan = plan;
    for (const s of plan.services) if (s.changed) run.service(s.name).digest = s.digest;
    run.stage("build", "ok", `${Object.keys(built.digests).length} built, ${plan.counts.reused} reused`);

    // ---- prepare + migrate (F02): one full update with berth:migrationImage = the owner's new digest. Only the
    // migration task definition takes it (and any pending infrastructure change applies); every service keeps
    // its current digest, so a failed migration ends the release with no service changed.
    if (plan.migration.runs) {
        const owner = plan.migration.service!;
        const migrationImage = plan.imagesAfter[owner];
        const prep = await stackUpdate(ctx, {
            images: before,
            migrationImage,
            services: [],
            parallel: options.parallel,
            message: `berth ${plan.releaseId}: migration task definition`,
        });
        if (prep.kind === "done") run.pulumiUpdates.prepare = prep.result.updateId;
        if (prep.kind === "done" || prep.kind === "interrupted") noteUnexpectedChanges(run, prep.tracker.touched(), "the prepare update");
        if (prep.kind !== "done" || prep.result.result !== "succeeded") {
            run.stage("prepare", prep.kind === "interrupted" ? "interrupted" : "failed", describeUpdate(prep));
            // No second update right after a failed or interrupted one: the next update points the migration task
            // definition back (its config has no berth:migrationImage).
            if (prep.kind === "interrupted") return run.finish("INTERRUPTED", before, `interrupted during the migration task definition update; no service image was changed — ${await whatRunsNow(deps.clock, deps.ecs, outputs, plan.toRoll)}`);
            return run.finish("FAILED_BEFORE_CHANGE", before, `the stack update registering the migration task definition ${describeUpdate(prep)}; no service was changed`);
        }
        run.stage(
            "prepare",
            "ok",
            run.changedUnexpectedly.length > 0
                ? `migration task definition on the new image; ${run.changedUnexpectedly.join(", ")} changed back to the released set (the stack ran other images)`
                : "migration task definition on the new image; no service changed",
        );
        let migration: Awaited<ReturnType<typeof runMigration>>;
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
    } else {
        run.stage("migrate", "skipped", plan.migration.why);
    }

    // ---- rollout (F05, F11): one update; the program's dependsOn graph orders it, --parallel bounds it
    const rollout = await stackUpdate(ctx, { images: plan.imagesAfter, services: plan.toRoll, parallel: options.parallel, message: `berth ${plan.releaseId}` });
    if (rollout.kind === "done" || rollout.kind === "interrupted") {
        for (const p of rollout.tracker.snapshot(deps.clock.now() / 1000)) if (p.state !== "waiting") run.service(p.service).rolloutMs = p.elapsedSeconds * 1000;
    }
    if (rollout.kind === "done") run.pulumiUpdates.rollout = rollout.result.updateId;
    if (rollout.kind === "interrupted") {
        run.stage("rollout", "interrupted");
        const snap = rollout.tracker.snapshot(deps.clock.now() / 1000);
        const now: Record<string, string> = { ...before };
        for (const p of snap) if (p.state === "stable" || p.state === "rolling") now[p.service] = plan.imagesAfter[p.service];
        const rolling = snap.filter((p) => p.state !== "waiting").map((p) => `${p.service} ${p.state}`).join(", ") || "none had started";
        return run.finish(
            "INTERRUPTED",
            now,
            `interrupted mid-rollout; the engine finished the operations it had started (${rolling}). What runs now: ${await whatRunsNow(deps.clock, deps.ecs, outputs, plan.toRoll)}`,
        );
    }
    if (rollout.kind === "locked") {
        run.stage("rollout", "failed", "stack locked");
        return run.finish("FAILED_BEFORE_CHANGE", before, `${rollout.error.message}: the rollout did not start; no service was changed (the migration already ran)`);
    }
    if (rollout.kind === "error" || rollout.result.result !== "succeeded") {
        run.stage("rollout", "failed", describeUpdate(rollout));
        return rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, `the rollout update ${describeUpdate(rollout)}`);
    }
    // From here services may have changed: any failure, expected or not, ends in rollback-or-report with a record.
    const failedAfterChange = (stage: StageName, error: unknown) => {
        const why = `${stage === "rollout" ? "reading the stack outputs after the rollout" : "verification"} failed: ${describeFailure(error)}`;
        run.stage(stage, "failed", why);
        return rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, why);
    };
    let after: EnvironmentOutputs;
    try {
        after = await readOutputs(ctx);
    } catch (error) {
        return failedAfterChange("rollout", error);
    }
    for (const s of plan.toRoll) run.service(s).taskDefinitionRevision = taskDefinitionLabel(after.services[s].taskDefinitionArn);
    run.stage("rollout", "ok");

    // ---- verify (F07, F12)
    let verdicts: ServiceVerdict[];
    try {
        verdicts = await verifyServices(ctx, { outputs: after, services: plan.toRoll, expected: expectedTaskDefinitions(after, plan.toRoll), sha: plan.sha, checkVersion: true });
    } catch (error) {
        if (!isAbort(error, ctx.signal)) return failedAfterChange("verify", error);
        run.stage("verify", "interrupted");
        return run.finish("INTERRUPTED", plan.imagesAfter, `interrupted while verifying; the rollout update had finished. What runs now: ${await whatRunsNow(deps.clock, deps.ecs, after, plan.toRoll)}`);
    }
    for (const v of verdicts) run.service(v.service).verification = v;
    if (verdicts.some((v) => !v.ok)) {
        run.stage("verify", "failed", failedChecks(verdicts));
        return rollbackAfterFailure(ctx, run, plan, released, plan.toRoll, plan.imagesAfter, `verification failed: ${failedChecks(verdicts)}`);
    }
    run.stage("verify", "ok", `${verdicts.length} verified`);

    // ---- record (F06, issue step 8): tags first (bookkeeping), then the released set the program reads
    const warnings: string[] = [];
    for (const t of plan.releaseTags) {
        if (!t.digest) continue;
        const digest = t.digest;
        try {
            await withRetry(deps.clock, `ECR tag ${t.repositoryName}:${t.tag}`, () => deps.registry.addTag(t.repositoryName, digest, t.tag), { log: deps.progress });
        } catch (error) {
            warnings.push(`could not tag ${t.service} ${t.tag}: ${message(error)}`);
        }
    }
    try {
        await withRetry(deps.clock, "released set", () => deps.store.writeReleased(releasedSetAfter(plan, released, deps.clock.now())), { log: deps.progress });
    } catch (error) {
        run.stage("record", "failed", message(error));
        return run.finish(
            "NEEDS_ATTENTION",
            plan.imagesAfter,
            `every service is verified, but the released image set could not be written (${message(error)}): the next \`pulumi up\` would return to the previous images; rerun the release (the images are reused)`,
        );
    }
    run.stage("record", warnings.length > 0 ? "failed" : "ok", warnings.join("; ") || undefined);
    return run.finish("RELEASED", plan.imagesAfter, warnings.length > 0 ? `released; ${warnings.join("; ")}` : undefined);
}

/** Services an update changed that the release did not mean to roll: logged now, named in the summary (Run.finish). */
function noteUnexpectedChanges(run: Run, touched: string[], update: string): void {
    const unexpected = touched.filter((s) => !run.changedUnexpectedly.includes(s));
    if (unexpected.length === 0) return;
    run.changedUnexpectedly.push(...unexpected);
    for (const s of unexpected) {
        const record = run.services.get(s);
        if (record) record.changedBy = `${update} (back to the released set)`;
    }
}

function describeUpdate(outcome: UpdateOutcome): string {
    switch (outcome.kind) {
        case "done":
            return outcome.result.result === "succeeded" ? "succeeded" : `failed${outcome.failedServices.length > 0 ? ` on ${outcome.failedServices.join(", ")}` : ""}`;
        case "interrupted":
            return "was interrupted";
        case "locked":
            return `could not start: ${outcome.error.message}`;
        case "error":
            return `failed: ${outcome.error.message}`;
    }
}

/**
 * F02: the migration failed, timed out or could not start after the prepare update pointed the migration task
 * definition at the new image. One more update without berth:migrationImage points it back at the owner's current
 * image, so the stack state matches the released set and the next `pulumi up` from a laptop shows no leftover
 * diff. No service changes in either update; the release ends FAILED_BEFORE_CHANGE.
 */
async function restoreMigration(ctx: StageContext, run: Run, plan: ReleasePlan, before: Record<string, string>, what: string): Promise<ReleaseRecord> {
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

/** One line for a failure met mid-release: the mapped message (environment problems name call, cause and fix). */
function describeFailure(error: unknown): string {
    const mapped = mapStackError(error);
    return mapped.expected ? `${mapped.error.message} — ${mapped.hint}` : message(error);
}

/**
 * F13: restore the previous digests of exactly `scope`, update again, verify again. Never throws: a failure of
 * the rollback itself (AWS gave up, outputs unreadable, a bug) ends NEEDS_ATTENTION with a record and report.
 */
async function rollbackAfterFailure(
    ctx: StageContext,
    run: Run,
    plan: ReleasePlan,
    released: ReleasedSet | undefined,
    scope: string[],
    imagesNow: Record<string, string>,
    why: string,
): Promise<ReleaseRecord> {
    try {
        return await tryRollback(ctx, run, plan, released, scope, imagesNow, why);
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

async function tryRollback(
    ctx: StageContext,
    run: Run,
    plan: ReleasePlan,
    released: ReleasedSet | undefined,
    scope: string[],
    imagesNow: Record<string, string>,
    why: string,
): Promise<ReleaseRecord> {
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
    const up = await stackUpdate(ctx, { images: rb.images, services: restored, parallel: ctx.parallel, message: `berth ${plan.releaseId}: rollback` });
    if (up.kind === "done") run.pulumiUpdates.rollback = up.result.updateId;
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

async function dryRun(
    ctx: StageContext,
    run: Run,
    plan: ReleasePlan,
    outputs: EnvironmentOutputs,
    released: ReleasedSet | undefined,
    options: ReleaseOptions,
): Promise<ReleaseRecord> {
    const log = ctx.deps.progress;
    const placeholder = (s: string) => `<digest pushed for ${s}>`;
    const after = { ...plan.imagesAfter };
    for (const s of plan.awaitingDigests) after[s] = placeholder(s);
    for (const s of plan.services.filter((x) => x.action === "build")) {
        const req = buildRequest(plan, outputs, options.projectDir, s.name);
        log(`[dry-run] would build ${JSON.stringify(req)} and push ${req.imageRef}`);
    }
    const before = imagesBefore(plan);
    if (plan.migration.runs) {
        const owner = plan.migration.service!;
        log(`[dry-run] would set berth:images = ${JSON.stringify(before)}`);
        log(`[dry-run] would set berth:migrationImage = ${after[owner]} (the new image of ${owner}, for the migration task definition only)`);
        log(`[dry-run] would update stack ${options.stackName}: the migration task definition and any pending infrastructure change; no service changes`);
        const m = outputs.migration!;
        log(`[dry-run] would RunTask ${JSON.stringify(migrationRequest(m, `<migration task definition registered by that update; now ${m.taskDefinitionArn}>`, plan.releaseId))}`);
    }
    log(`[dry-run] would set berth:images = ${JSON.stringify(after)}${plan.migration.runs ? " and remove berth:migrationImage" : ""}`);
    log(`[dry-run] would update stack ${options.stackName} (parallel ${options.parallel}), rolling ${plan.levels.map((l) => l.join(" + ")).join(" → ")}`);
    for (const t of plan.releaseTags) log(`[dry-run] would tag ${t.repositoryName}@${t.digest ?? placeholder(t.service)} as ${t.tag}`);
    log(`[dry-run] would write the released set (${outputs.releasedImagesParameter}) with images ${JSON.stringify(after)}`);
    run.stage("build", "skipped", "dry run");
    log("DRY RUN OK");
    return run.finish("NOTHING_TO_DO", released?.images ?? before, `dry run: nothing was changed; ${plan.counts.rollouts} service(s) would roll`);
}

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

/** The sha256 digest the stack applied to a service (its `image` output is `<repository>@sha256:…`). */
function appliedDigest(outputs: EnvironmentOutputs, service: string): string {
    const image = outputs.services[service].image;
    return image.slice(image.lastIndexOf("@") + 1);
}

/**
 * `rollback`: put the stack back on an earlier image set and verify it. Without --to, the last released set
 * (after a NEEDS_ATTENTION release, say); with --to <release id | sha>, that release from the history of
 * verified releases. Only services still in the catalogue are restored; services that did not exist in that
 * release keep the image they run. A verified rollback is recorded as a new release (new id, the restored
 * set, appended to the history) and ends RELEASED (exit 0); otherwise NEEDS_ATTENTION.
 */
export async function runRollback(deps: ReleaseDeps, options: RollbackOptions): Promise<ReleaseRecord> {
    const ctx: StageContext = { deps, timing: timingOf(), signal: options.signal, log: deps.progress, parallel: options.parallel };
    const outputs = await readOutputs(ctx);
    const released = await withRetry(deps.clock, "released set", () => deps.store.readReleased(), { log: deps.progress });
    const services = Object.keys(outputs.services);
    let source: ReleasedSet;
    if (options.to) {
        const history = await withRetry(deps.clock, "release history", () => deps.store.listReleases(), { log: deps.progress });
        const found = findRollbackTarget(rollbackCandidates(history, released), options.to);
        source = found.set;
        const also = found.sameSha.length > 0 ? `; the newest of ${found.sameSha.length + 1} releases of that commit (also ${found.sameSha.join(", ")})` : "";
        deps.progress(`--to ${options.to}: release ${source.releaseId} (sha ${source.sha.slice(0, 12)}, released ${source.releasedAt}), matched by ${found.matchedBy}${also}`);
    } else {
        if (!released) throw new ReleaseInputError(`nothing has been released on stack ${options.stackName} yet: there is nothing to roll back to`);
        const history = await withRetry(deps.clock, "release history", () => deps.store.listReleases(), { log: deps.progress });
        const applied = Object.fromEntries(services.map((s) => [s, appliedDigest(outputs, s)]));
        const previous = previousRelease(rollbackCandidates(history, released), released, applied, options.stackName);
        source = previous.set;
        deps.progress(previous.why);
    }

    // berth:images for the update: the source release's digest for every service still in the catalogue;
    // services it did not have keep the image the stack applies now.
    const target: Record<string, string> = {};
    const contexts: Record<string, string> = {};
    const kept: string[] = [];
    const current: Record<string, string> = {};
    for (const s of services) {
        current[s] = appliedDigest(outputs, s);
        if (source.images[s]) {
            target[s] = source.images[s];
            if (source.contexts[s]) contexts[s] = source.contexts[s];
        } else {
            target[s] = current[s];
            kept.push(s);
            if (released?.images[s] === current[s] && released.contexts[s]) contexts[s] = released.contexts[s];
        }
    }
    const gone = Object.keys(source.images).filter((s) => !services.includes(s));
    if (kept.length > 0) deps.progress(`${kept.join(", ")} did not exist in release ${source.releaseId}: they keep their current image`);
    if (gone.length > 0) deps.progress(`${gone.join(", ")} of release ${source.releaseId} are no longer in the catalogue: not restored`);

    const changed = services.filter((s) => target[s] !== current[s]);
    const id = makeReleaseId(deps.clock.now(), source.sha);
    if (changed.length === 0) {
        // Nothing to do is not a new release: no update, no duplicate entry in the history.
        const run = new Run(deps, options.stackName, noopPlan(source, services, current));
        for (const s of services) run.services.set(s, { name: s, changed: false, reason: "unchanged", action: "none", digest: current[s] });
        run.stage("plan", "ok", "no image differs");
        return run.finish("NOTHING_TO_DO", current, `stack ${options.stackName} already runs the images of release ${source.releaseId}: nothing to roll back, nothing recorded`);
    }
    const plan: ReleasePlan = {
        releaseId: id,
        sha: source.sha,
        imageTag: source.sha,
        services: services.map((name) => ({
            name,
            changed: changed.includes(name),
            reason: changed.includes(name) ? "context changed" : "unchanged",
            contextDigest: contexts[name] ?? "",
            previousDigest: current[name],
            action: "none" as const,
            digest: target[name],
        })),
        toRoll: changed,
        levels: [],
        migration: { runs: false, why: "rollback" },
        imagesAfter: target,
        awaitingDigests: [],
        releaseTags: [],
        nothingToDo: false,
        counts: { builds: 0, reused: 0, rollouts: changed.length },
    };
    const run = new Run(deps, options.stackName, plan);
    for (const s of plan.services) run.services.set(s.name, { name: s.name, changed: s.changed, reason: s.reason, action: "none", ...(s.digest ? { digest: s.digest } : {}), ...(s.previousDigest ? { previousDigest: s.previousDigest } : {}) });
    run.migration = { outcome: "not-needed", detail: "rollback" };
    deps.progress(`rolling back stack ${options.stackName} to release ${source.releaseId}: ${changed.join(", ")}`);
    run.stage("plan", "ok");
    const up = await stackUpdate(ctx, { images: target, services, parallel: options.parallel, message: `berth rollback ${id} (to ${source.releaseId})` });
    if (up.kind === "done") run.pulumiUpdates.rollback = up.result.updateId;
    if (up.kind === "interrupted") {
        run.stage("rollback", "interrupted");
        return run.finish("INTERRUPTED", target, `interrupted during the rollback update. What runs now: ${await whatRunsNow(deps.clock, deps.ecs, outputs, services)}`);
    }
    if (up.kind === "locked") throw up.error;
    if (up.kind !== "done" || up.result.result !== "succeeded") {
        run.stage("rollback", "failed", describeUpdate(up));
        return run.finish("NEEDS_ATTENTION", target, `the rollback update ${describeUpdate(up)}. What runs now: ${await whatRunsNow(deps.clock, deps.ecs, outputs, services)}`);
    }
    const after = await readOutputs(ctx);
    const touched = services.filter((s) => changed.includes(s) || after.services[s].taskDefinitionArn !== outputs.services[s].taskDefinitionArn || up.tracker.touched().includes(s));
    for (const s of touched) {
        // re-deployed by the rollback update: a row in the report, not "Unchanged"
        if (!changed.includes(s)) run.service(s).changedBy = "the rollback update (re-deployed with the same image)";
        run.service(s).taskDefinitionRevision = taskDefinitionLabel(after.services[s].taskDefinitionArn);
        const progress = up.tracker.snapshot(deps.clock.now() / 1000).find((p) => p.service === s);
        if (progress && progress.state !== "waiting") run.service(s).rolloutMs = progress.elapsedSeconds * 1000;
    }
    run.stage("rollback", "ok", `${touched.join(", ") || "no service"} updated to release ${source.releaseId}`);
    const verdicts = await verifyServices(ctx, { outputs: after, services: touched, expected: expectedTaskDefinitions(after, touched), sha: source.sha, checkVersion: false });
    for (const v of verdicts) run.service(v.service).verification = v;
    if (verdicts.some((v) => !v.ok)) {
        run.stage("verify", "failed", failedChecks(verdicts));
        return run.finish("NEEDS_ATTENTION", target, `the rollback update succeeded but ${failedChecks(verdicts)} did not verify`);
    }
    run.stage("verify", "ok", `${verdicts.length} verified`);
    const set: ReleasedSet = { version: 1, releaseId: id, sha: source.sha, releasedAt: new Date(deps.clock.now()).toISOString(), images: target, contexts };
    try {
        await withRetry(deps.clock, "released set", () => deps.store.writeReleased(set), { log: deps.progress });
    } catch (error) {
        run.stage("record", "failed", message(error));
        return run.finish(
            "NEEDS_ATTENTION",
            target,
            `the rollback to ${source.releaseId} is verified, but it could not be recorded (${message(error)}): the next \`pulumi up\` would return to the images of ${released?.releaseId ?? "the program's build"}; rerun the rollback`,
        );
    }
    run.stage("record", "ok", `recorded as release ${id}`);
    const keptNote = kept.length > 0 ? `; ${kept.join(", ")} kept their current image (not in ${source.releaseId})` : "";
    return run.finish("RELEASED", target, `rolled back to release ${source.releaseId} (sha ${source.sha.slice(0, 12)}), recorded as ${id}${touched.length > 0 ? `; ${touched.join(", ")} verified` : ""}${keptNote}`);
}

function noopPlan(source: ReleasedSet, services: string[], current: Record<string, string>): ReleasePlan {
    return {
        releaseId: source.releaseId,
        sha: source.sha,
        imageTag: source.sha,
        services: services.map((name) => ({ name, changed: false, reason: "unchanged", contextDigest: "", previousDigest: current[name], action: "none" as const, digest: current[name] })),
        toRoll: [],
        levels: [],
        migration: { runs: false, why: "rollback" },
        imagesAfter: current,
        awaitingDigests: [],
        releaseTags: [],
        nothingToDo: true,
        counts: { builds: 0, reused: 0, rollouts: 0 },
    };
}

/**
 * `rollback` without --to (pure): when the stack does not run the released set (a release that needs attention),
 * the released set itself; otherwise the newest recorded release older than the released set whose images differ
 * from what the stack runs (so a re-recorded identical set is passed over). None: ReleaseInputError (exit 3).
 */
export function previousRelease(
    candidates: readonly ReleasedSet[],
    released: ReleasedSet,
    applied: Record<string, string>,
    stackName: string,
): { set: ReleasedSet; why: string } {
    const describe = (set: ReleasedSet) => `${set.releaseId} (sha ${set.sha.slice(0, 12)}, released ${set.releasedAt})`;
    const differs = (set: ReleasedSet) => Object.keys(applied).some((s) => set.images[s] !== undefined && set.images[s] !== applied[s]);
    if (differs(released)) return { set: released, why: `stack ${stackName} does not run the released set: returning to the current release ${describe(released)}` };
    const index = candidates.findIndex((c) => c.releaseId === released.releaseId);
    const before = candidates.slice(index + 1).find(differs);
    if (!before) {
        throw new ReleaseInputError(
            `stack ${stackName} runs release ${describe(released)} and no earlier recorded release has other images: there is nothing to roll back to`,
        );
    }
    return { set: before, why: `rolling back from the current release ${describe(released)} to the release before it: ${describe(before)}` };
}

/** `status`: per service the running task definition, counts, deployments, target health and released digest. */
export async function readStatus(deps: Pick<ReleaseDeps, "stack" | "ecs" | "elb" | "store"> & { clock?: ReleaseDeps["clock"] }): Promise<StatusReport> {
    const clock = deps.clock ?? { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const ctx = { deps: deps as ReleaseDeps, timing: timingOf(), log: () => undefined };
    const outputs = await readOutputs(ctx);
    const released = await deps.store.readReleased();
    const names = Object.keys(outputs.services);
    const statuses = await describeAll(clock, deps.ecs, outputs, names);
    const services = [];
    for (const name of names) {
        const svc = outputs.services[name];
        const st = statuses.get(name);
        let targets: StatusReport["services"][number]["targets"];
        if (svc.targetGroupArn) {
            const health = await deps.elb.targetHealth(svc.targetGroupArn);
            const states: Record<string, number> = {};
            for (const t of health) states[t.state] = (states[t.state] ?? 0) + 1;
            targets = { healthy: states.healthy ?? 0, total: health.length, states };
        }
        services.push({
            service: name,
            serviceName: svc.serviceName,
            ...(st ? { runningTaskDefinition: taskDefinitionLabel(st.taskDefinition) } : {}),
            stackTaskDefinition: taskDefinitionLabel(svc.taskDefinitionArn),
            matchesStack: st?.taskDefinition === svc.taskDefinitionArn,
            counts: { desired: st?.desiredCount ?? 0, running: st?.runningCount ?? 0, pending: st?.pendingCount ?? 0 },
            deployments: (st?.deployments ?? []).map((d) => ({
                status: d.status,
                ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
                taskDefinition: taskDefinitionLabel(d.taskDefinition),
                running: d.runningCount,
                desired: d.desiredCount,
                failedTasks: d.failedTasks,
            })),
            ...(targets ? { targets } : {}),
            ...(released?.images[name] ? { releasedDigest: released.images[name] } : {}),
        });
    }
    return {
        stack: deps.stack.name,
        cluster: outputs.clusterName,
        ...(released ? { released: { releaseId: released.releaseId, sha: released.sha, releasedAt: released.releasedAt } } : {}),
        services,
    };
}

// Re-exported for the CLI's error mapping.
export { StackLockedError };
