// Rollout timing model (F17): per-service rollout duration from its settings, and the makespans of berth's
// sliding window, a fixed-batch priority wave and the critical-path lower bound. Pure; used by the bench.

export interface Job {
    name: string;
    /** Seconds from "start rolling" to "stable" (old task gone). */
    duration: number;
    waitsFor: readonly string[];
}

/** The part of ServiceSettings the duration model reads (infra/config/settings.ts). */
export interface DurationInputs {
    routes: readonly string[];
    deregistrationDelaySeconds: number;
    stopTimeoutSeconds: number;
    healthCheck: { intervalSeconds: number; healthyThreshold: number; container?: { intervalSeconds: number } };
}

export interface DurationModel {
    /** Fargate provisioning + image pull (no image cache) + process start, seconds. */
    taskStartSeconds: number;
    /** ECS scheduler reaction and deployment bookkeeping, seconds. */
    schedulerSeconds: number;
    /** Time a well-behaved process needs after SIGTERM; capped by the service's stopTimeout. */
    shutdownSeconds: number;
}

export const DEFAULT_MODEL: DurationModel = { taskStartSeconds: 40, schedulerSeconds: 15, shutdownSeconds: 5 };

/**
 * duration = scheduler + taskStart + healthy + drain + stop, where
 *   healthy = max(routed ? healthyThreshold × interval : 0, container check ? its interval : 0)
 *             (the ALB wants `healthyThreshold` passing checks — conservative: FACTS says a new target may
 *             need only one; the grace period only masks failures and adds no time on a healthy start);
 *   drain   = routed ? deregistrationDelay : 0 (the old task leaves the target group before it stops);
 *   stop    = min(stopTimeout, shutdown).
 * minimumHealthyPercent 100 / maximumPercent 200 start every replacement at once, so desiredCount adds nothing.
 */
export function rolloutDuration(s: DurationInputs, model: DurationModel = DEFAULT_MODEL): number {
    const routed = s.routes.length > 0;
    const alb = routed ? s.healthCheck.healthyThreshold * s.healthCheck.intervalSeconds : 0;
    const container = s.healthCheck.container?.intervalSeconds ?? 0;
    const drain = routed ? s.deregistrationDelaySeconds : 0;
    return model.schedulerSeconds + model.taskStartSeconds + Math.max(alb, container) + drain + Math.min(s.stopTimeoutSeconds, model.shutdownSeconds);
}

export interface Schedule {
    makespan: number;
    /** name → [start, end] seconds. */
    spans: Record<string, [number, number]>;
}

function byName(jobs: readonly Job[]): Map<string, Job> {
    const map = new Map(jobs.map((j) => [j.name, j]));
    for (const j of jobs) for (const d of j.waitsFor) if (!map.has(d)) throw new Error(`${j.name} waits for unknown ${d}`);
    return map;
}

/**
 * berth's sliding window (list scheduling): a job starts as soon as everything it waits for is done and one
 * of `parallel` slots is free; ties go to the job listed first (the program declares services level by level).
 */
export function slidingWindow(jobs: readonly Job[], parallel: number): Schedule {
    if (parallel < 1) throw new Error("parallel must be at least 1");
    byName(jobs);
    const spans: Record<string, [number, number]> = {};
    const running: { name: string; end: number }[] = [];
    const done = new Set<string>();
    let now = 0;
    while (done.size < jobs.length) {
        for (const job of jobs) {
            if (running.length >= parallel) break;
            if (spans[job.name] || !job.waitsFor.every((d) => done.has(d))) continue;
            spans[job.name] = [now, now + job.duration];
            running.push({ name: job.name, end: now + job.duration });
        }
        if (running.length === 0) throw new Error("dependency cycle among jobs");
        now = Math.min(...running.map((r) => r.end));
        for (const r of running.filter((x) => x.end === now)) done.add(r.name);
        running.splice(0, running.length, ...running.filter((x) => x.end !== now));
    }
    return { makespan: Math.max(0, ...Object.values(spans).map(([, e]) => e)), spans };
}

/** The fixed-batch priority wave: each level split into batches of `batchSize`; a batch waits for its slowest job. */
export function fixedBatches(jobs: readonly Job[], levels: readonly (readonly string[])[], batchSize: number): Schedule {
    const map = byName(jobs);
    const spans: Record<string, [number, number]> = {};
    let now = 0;
    for (const level of levels) {
        for (let i = 0; i < level.length; i += batchSize) {
            const batch = level.slice(i, i + batchSize).map((n) => map.get(n)!);
            for (const j of batch) spans[j.name] = [now, now + j.duration];
            now += Math.max(0, ...batch.map((j) => j.duration));
        }
    }
    return { makespan: now, spans };
}

/** Longest chain of durations through the waitsFor graph: no schedule can beat it. */
export function criticalPath(jobs: readonly Job[]): { length: number; path: string[] } {
    const map = byName(jobs);
    const memo = new Map<string, { length: number; path: string[] }>();
    const finish = (name: string): { length: number; path: string[] } => {
        const known = memo.get(name);
        if (known) return known;
        const job = map.get(name)!;
        const best = job.waitsFor.map(finish).reduce((a, b) => (b.length > a.length ? b : a), { length: 0, path: [] as string[] });
        const result = { length: best.length + job.duration, path: [...best.path, name] };
        memo.set(name, result);
        return result;
    };
    return jobs.map((j) => finish(j.name)).reduce((a, b) => (b.length > a.length ? b : a), { length: 0, path: [] });
}

/** max(critical path, total work / parallel). */
export function lowerBound(jobs: readonly Job[], parallel: number): number {
    return Math.max(criticalPath(jobs).length, jobs.reduce((sum, j) => sum + j.duration, 0) / parallel);
}

/** mulberry32: a tiny seeded PRNG so the varied-duration variant prints the same figures every run. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
