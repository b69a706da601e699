// Rollout timing model (F17): per-service rollout duration from its settings, and the makespans of berth's
// sliding window, a fixed-batch priority wave and the critical-path lower bound. Pure; used by the bench.

export interface Job {
    name: string;
    /** Seconds from "start rolling" to "stable" (old task gone). */
    duration: number;
    waitsFor: readonly string[];
}

// The duration model lives with the catalogue (the program orders its declarations by it); re-exported here.
export { DEFAULT_MODEL, rolloutDuration, type DurationInputs, type DurationModel } from "../../infra/config/rolloutTime";

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

/**
 * The shortest makespan any schedule of `jobs` on `parallel` slots can reach (precedence respected), by branch
 * and bound over the start decisions at each completion time — including leaving a slot idle. Exact for
 * catalogue-sized inputs; `budget` bounds the search, and `exact: false` says the budget ran out first (the
 * value is then the best schedule found, an upper bound on the optimum).
 */
export function optimalMakespan(jobs: readonly Job[], parallel: number, budget = 2_000_000): { makespan: number; exact: boolean } {
    const map = byName(jobs);
    const names = jobs.map((j) => j.name);
    const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
    for (const j of jobs) for (const d of j.waitsFor) dependents.get(d)!.push(j.name);
    const tailMemo = new Map<string, number>();
    const tail = (n: string): number => {
        if (!tailMemo.has(n)) tailMemo.set(n, map.get(n)!.duration + Math.max(0, ...dependents.get(n)!.map(tail)));
        return tailMemo.get(n)!;
    };
    let best = slidingWindow(jobs, parallel).makespan;
    let nodes = 0;
    const search = (now: number, running: { name: string; end: number }[], done: Set<string>, started: Set<string>): void => {
        if (++nodes > budget) return;
        if (started.size === names.length && running.length === 0) {
            best = Math.min(best, now);
            return;
        }
        const unstarted = names.filter((n) => !started.has(n));
        const work = unstarted.reduce((s, n) => s + map.get(n)!.duration, 0) + running.reduce((s, r) => s + (r.end - now), 0);
        const bound = Math.max(now + work / parallel, ...running.map((r) => r.end - map.get(r.name)!.duration + tail(r.name)), ...unstarted.map((n) => now + tail(n)));
        if (bound >= best) return;
        const ready = unstarted.filter((n) => map.get(n)!.waitsFor.every((d) => done.has(d))).sort((a, b) => tail(b) - tail(a));
        const free = parallel - running.length;
        const subsets: string[][] = [];
        const pick = (from: number, chosen: string[]) => {
            if (chosen.length > 0 || running.length > 0) subsets.push(chosen);
            if (chosen.length === free) return;
            for (let i = from; i < ready.length; i++) pick(i + 1, [...chosen, ready[i]]);
        };
        pick(0, []);
        subsets.sort((a, b) => b.length - a.length);
        for (const subset of subsets) {
            const next = [...running, ...subset.map((name) => ({ name, end: now + map.get(name)!.duration }))];
            const at = Math.min(...next.map((r) => r.end));
            const finished = next.filter((r) => r.end === at).map((r) => r.name);
            search(at, next.filter((r) => r.end !== at), new Set([...done, ...finished]), new Set([...started, ...subset]));
        }
    };
    search(0, [], new Set(), new Set());
    return { makespan: best, exact: nodes <= budget };
}

// ---------------------------------------------------------------------------------------------------
// Blue/green (and canary) makespan: how bake composes with dependency order.

/** Seconds of one blue/green deployment, phase by phase. */
export interface BlueGreenPhases {
    /** Green scaled up and healthy (no drain: blue keeps serving). */
    scaleUp: number;
    /** Test traffic shift, berth's test of green and its answer to the PAUSE hook. */
    test: number;
    /** Production traffic shift (plus a canary's bake, or a linear's steps). */
    shift: number;
    /** Blue kept beside green with production traffic on green. */
    bake: number;
    /** Blue drained and stopped. */
    cleanUp: number;
}

export interface PhasedJob {
    name: string;
    phases: BlueGreenPhases;
    waitsFor: readonly string[];
}

/** ECS's test and production traffic shifts take about 10 s each (listener rule edits); berth answers within one poll. */
export const TRAFFIC_SHIFT_SECONDS = 10;

/**
 * A rolling job's duration split into blue/green phases: the rolling model's scheduler + start + healthy becomes
 * the scale-up; its drain and stop move to clean-up, after the bake.
 */
export function blueGreenPhases(rolling: { duration: number; drainAndStop: number }, options: { bakeMinutes: number; pollSeconds: number; canaryMinutes?: number }): BlueGreenPhases {
    return {
        scaleUp: rolling.duration - rolling.drainAndStop,
        test: TRAFFIC_SHIFT_SECONDS + options.pollSeconds,
        shift: TRAFFIC_SHIFT_SECONDS + (options.canaryMinutes ?? 0) * 60,
        bake: options.bakeMinutes * 60,
        cleanUp: rolling.drainAndStop,
    };
}

/**
 * When may a dependent start? `bake`: only once its dependency's deployment has ended (bake and clean-up
 * included — what a steady-state wait that covers the bake gives, one bake per level). `traffic`: once its
 * dependency has passed berth's test and production traffic has moved to it; the bake runs on beside the later
 * levels (ECS keeps blue and watches the alarms), and the release ends when the last bake ends.
 * A job holds one of `parallel` slots until its dependents may start.
 */
export function blueGreenSchedule(jobs: readonly PhasedJob[], parallel: number, gate: "bake" | "traffic"): Schedule & { trafficMoved: Record<string, number> } {
    const held = (p: BlueGreenPhases) => p.scaleUp + p.test + p.shift + (gate === "bake" ? p.bake + p.cleanUp : 0);
    const slotted = slidingWindow(
        jobs.map((j) => ({ name: j.name, duration: held(j.phases), waitsFor: j.waitsFor })),
        parallel,
    );
    const spans: Record<string, [number, number]> = {};
    const trafficMoved: Record<string, number> = {};
    for (const j of jobs) {
        const [start] = slotted.spans[j.name];
        const p = j.phases;
        trafficMoved[j.name] = start + p.scaleUp + p.test + p.shift;
        spans[j.name] = [start, trafficMoved[j.name] + p.bake + p.cleanUp];
    }
    return { makespan: Math.max(0, ...Object.values(spans).map(([, e]) => e)), spans, trafficMoved };
}

/** One service of a release as berth rolls it: rolling, or traffic-shifting with or without the engine's wait. */
export type ReleaseJob =
    | { name: string; waitsFor: readonly string[]; kind: "rolling"; duration: number }
    | { name: string; waitsFor: readonly string[]; kind: "shifting"; phases: BlueGreenPhases; engineWaits: boolean };

/** Seconds the engine takes for an update it does not wait through (UpdateService, then the service reads ACTIVE). */
export const ACCEPT_SECONDS = 5;

/**
 * What berth does (infra/components/rollout.ts engineWait, the rollout watch): the engine starts a service's update
 * once the updates of everything it waits for have ended, at most `parallel` at once. A rolling update lasts its
 * duration. A traffic-shifting one lasts ACCEPT_SECONDS unless the engine waits for it (a rolling dependent), then
 * its whole deployment. Its green scales up at once; berth answers its test hook once green is up and every
 * dependency has moved production traffic (within a poll); then production moves, it bakes and cleans up. The
 * release ends when the last deployment ends (verify waits for every bake).
 */
export function releaseSchedule(jobs: readonly ReleaseJob[], parallel: number, pollSeconds: number): Schedule & { trafficMoved: Record<string, number> } {
    if (parallel < 1) throw new Error("parallel must be at least 1");
    const names = new Set(jobs.map((j) => j.name));
    for (const j of jobs) for (const d of j.waitsFor) if (!names.has(d)) throw new Error(`${j.name} waits for unknown ${d}`);
    const spans: Record<string, [number, number]> = {};
    const trafficMoved: Record<string, number> = {};
    const opEnd: Record<string, number> = {};
    const running: { name: string; end: number }[] = [];
    const done = new Set<string>();
    let now = 0;
    const start = (j: ReleaseJob) => {
        if (j.kind === "rolling") {
            trafficMoved[j.name] = now + j.duration;
            spans[j.name] = [now, now + j.duration];
            return now + j.duration;
        }
        const p = j.phases;
        const dependenciesMoved = Math.max(0, ...j.waitsFor.map((d) => trafficMoved[d] + pollSeconds));
        trafficMoved[j.name] = Math.max(now + p.scaleUp + p.test, dependenciesMoved) + p.shift;
        spans[j.name] = [now, trafficMoved[j.name] + p.bake + p.cleanUp];
        return j.engineWaits ? spans[j.name][1] : now + ACCEPT_SECONDS;
    };
    while (done.size < jobs.length) {
        for (const job of jobs) {
            if (running.length >= parallel) break;
            if (spans[job.name] || !job.waitsFor.every((d) => done.has(d))) continue;
            opEnd[job.name] = start(job);
            running.push({ name: job.name, end: opEnd[job.name] });
        }
        if (running.length === 0) throw new Error("dependency cycle among jobs");
        now = Math.min(...running.map((r) => r.end));
        for (const r of running.filter((x) => x.end === now)) done.add(r.name);
        running.splice(0, running.length, ...running.filter((x) => x.end !== now));
    }
    return { makespan: Math.max(0, ...Object.values(spans).map(([, e]) => e)), spans, trafficMoved };
}
