// The release record: the Run accumulates stage timings and per-service facts into a ReleaseRecord, and the
// record stage writes what a verified release leaves behind (ECR release tags, then the released set).
import type { RolloutSpan } from "../plan/events";
import type { EnvironmentOutputs } from "../plan/outputs";
import { releasedSetAfter, type ReleasePlan } from "../plan/release";
import { nextCommand, type MigrationRecord, type ReleaseRecord, type ReleaseState, type ServiceRecord, type StageName, type StageRecord } from "../plan/report";
import type { ServiceVerdict } from "../plan/verify";
import type { ReleasedSet } from "../ports";
import type { ReleaseDeps, StageContext, Timing } from "./types";
import type { UpdateOutcome } from "./update";
import { mapStackError } from "../adapters/pulumiStack";
import { message } from "./util";

export interface StageTimeouts {
    migrationSeconds: number;
    verifySeconds: number;
    pollSeconds: number;
    buildParallel: number;
}

export function timingOf(timeouts: Partial<StageTimeouts> = {}): Timing {
    return {
        pollMs: (timeouts.pollSeconds ?? 5) * 1000,
        verifyMs: (timeouts.verifySeconds ?? 600) * 1000,
        migrationMs: timeouts.migrationSeconds === undefined ? undefined : timeouts.migrationSeconds * 1000,
        buildParallel: timeouts.buildParallel ?? 4,
        checkRetries: 3,
    };
}

/** Accumulates stage timings and per-service facts into the ReleaseRecord. */
export class Run {
    readonly stages: StageRecord[] = [];
    readonly pulumiUpdates: ReleaseRecord["pulumiUpdates"] = {};
    migration: MigrationRecord = { outcome: "not-needed" };
    readonly services = new Map<string, ServiceRecord>();
    /** Services an update changed although this release did not roll them (e.g. the prepare update re-applying the released set). */
    readonly changedUnexpectedly: string[] = [];
    private mark: number;
    readonly startedAt: number;
    readonly progress: (line: string) => void;

    constructor(
        private readonly deps: ReleaseDeps,
        readonly stack: string,
        public plan: ReleasePlan | undefined,
    ) {
        this.startedAt = deps.clock.now();
        this.mark = this.startedAt;
        this.progress = deps.progress;
    }

    /** One service record per planned service, as the plan says before any stage ran. */
    trackPlan(plan: ReleasePlan): void {
        this.plan = plan;
        for (const s of plan.services) {
            this.services.set(s.name, {
                name: s.name,
                changed: s.changed,
                reason: s.reason,
                action: s.action,
                ...(s.digest ? { digest: s.digest } : {}),
                ...(s.previousDigest ? { previousDigest: s.previousDigest } : {}),
            });
        }
    }

    stage(name: StageName, outcome: StageRecord["outcome"], detail?: string): void {
        const now = this.deps.clock.now();
        this.stages.push({ name, outcome, startedAt: new Date(this.mark).toISOString(), durationMs: now - this.mark, ...(detail ? { detail } : {}) });
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
            ...(plan.promotedFrom ? { promotedFrom: plan.promotedFrom } : {}),
        };
        this.deps.progress(`${state}${summary ? `: ${summary}` : ""}`);
        this.deps.progress(`next: ${nextCommand(record)}`);
        return record;
    }

    /** Each service's update in a stack update, as the engine's events timed it (the report's gantt chart). */
    noteSpans(spans: RolloutSpan[], field: "rolloutSpan" | "rollbackSpan"): void {
        for (const span of spans) {
            const record = this.services.get(span.service);
            if (!record) continue;
            record[field] = { startedAt: new Date(span.start * 1000).toISOString(), ...(span.end === undefined ? {} : { finishedAt: new Date(span.end * 1000).toISOString() }), state: span.state };
        }
    }

    /** Services an update changed that the release did not mean to roll: logged now, named in the summary (finish). */
    noteUnexpectedChanges(touched: string[], update: string): void {
        const unexpected = touched.filter((s) => !this.changedUnexpectedly.includes(s));
        if (unexpected.length === 0) return;
        this.changedUnexpectedly.push(...unexpected);
        for (const s of unexpected) {
            const record = this.services.get(s);
            if (record) record.changedBy = `${update} (back to the released set)`;
        }
    }
}

/** berth:images before this release: the rollout map with every changed service back on its previous digest. */
export function imagesBefore(plan: ReleasePlan): Record<string, string> {
    const images = { ...plan.imagesAfter };
    for (const s of plan.services) {
        if (!s.changed) continue;
        if (s.previousDigest) images[s.name] = s.previousDigest;
        else delete images[s.name];
    }
    return images;
}

export function expectedTaskDefinitions(outputs: EnvironmentOutputs, services: string[]): Record<string, string> {
    return Object.fromEntries(services.map((s) => [s, outputs.services[s].taskDefinitionArn]));
}

export function failedChecks(verdicts: ServiceVerdict[]): string {
    return verdicts
        .filter((v) => !v.ok)
        .map((v) => `${v.service} (${v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join("; ")})`)
        .join(", ");
}

export function describeUpdate(outcome: UpdateOutcome): string {
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

/** One line for a failure met mid-release: the mapped message (environment problems name call, cause and fix). */
export function describeFailure(error: unknown): string {
    const mapped = mapStackError(error);
    return mapped.expected ? `${mapped.error.message} — ${mapped.hint}` : message(error);
}

/**
 * The record stage of a verified release (F06): ECR release tags first (bookkeeping: a failed tag only warns),
 * then the released set the program reads on its next update. A released set that cannot be written leaves
 * the release NEEDS_ATTENTION: the next `pulumi up` would return to the previous images.
 */
export async function recordRelease(ctx: StageContext, run: Run, plan: ReleasePlan, released: ReleasedSet | undefined): Promise<ReleaseRecord> {
    const { deps } = ctx;
    const warnings: string[] = [];
    for (const t of plan.releaseTags) {
        if (!t.digest) continue;
        const digest = t.digest;
        try {
            await deps.registry.addTag(t.repositoryName, digest, t.tag);
        } catch (error) {
            warnings.push(`could not tag ${t.service} ${t.tag}: ${message(error)}`);
        }
    }
    try {
        await deps.store.writeReleased(releasedSetAfter(plan, released, deps.clock.now()));
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

/** The record stage of a verified rollback: the restored set becomes the released set (and a history entry). */
export async function recordRollback(ctx: StageContext, set: ReleasedSet): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
        await ctx.deps.store.writeReleased(set);
        return { ok: true };
    } catch (error) {
        return { ok: false, error: message(error) };
    }
}
