// Benchmark, not a test (F17): rollout makespan of the 12-service dev example under berth's sliding window
// vs fixed batches of 4 in priority waves, against the critical-path lower bound; then the same release with
// every service blue/green (test + bake per service) under both gates: does a dependent wait for its
// dependency's bake, or only for its test and traffic move? — and what berth does (the engine goes on once ECS
// accepted a traffic-shifting update unless a rolling service waits for it), for two compositions. `npm run bench:rollout`.
import * as path from "path";
import { synthesizeStack } from "../../infra/synth/synthesize";
import {
    DEFAULT_MODEL,
    Job,
    PhasedJob,
    ReleaseJob,
    blueGreenPhases,
    blueGreenSchedule,
    criticalPath,
    fixedBatches,
    lowerBound,
    optimalMakespan,
    releaseSchedule,
    rolloutDuration,
    seededRandom,
    slidingWindow,
} from "../plan/schedule";
import { formatDuration } from "../plan/events";
import { chunkPatterns } from "../../infra/config/routes";
import { COMMON_DEFAULTS } from "../../infra/config/profiles";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const BATCH = 4;

function report(title: string, jobs: Job[], levels: string[][]): void {
    console.log(`\n${title}`);
    console.log(`  durations: ${jobs.map((j) => `${j.name} ${j.duration}s`).join(", ")}`);
    const waves = fixedBatches(jobs, levels, BATCH).makespan;
    const cp = criticalPath(jobs);
    console.log(`  critical path ${cp.length}s (${formatDuration(cp.length)}): ${cp.path.join(" → ")}`);
    console.log(`  fixed batches of ${BATCH} (priority waves): ${waves}s (${formatDuration(waves)})`);
    for (const parallel of [4, 12]) {
        const berth = slidingWindow(jobs, parallel).makespan;
        const bound = lowerBound(jobs, parallel);
        const optimal = optimalMakespan(jobs, parallel);
        console.log(
            `  berth sliding window, parallel ${String(parallel).padStart(2)}: ${berth}s (${formatDuration(berth)})` +
                ` · waves/berth ${(waves / berth).toFixed(2)}× · berth/optimal ${(berth / optimal.makespan).toFixed(2)}× (optimal ${optimal.exact ? "" : "≤ "}${optimal.makespan}s)` +
                ` · berth/lower bound ${(berth / bound).toFixed(2)}× (bound ${bound.toFixed(0)}s)`,
        );
    }
}

async function main(): Promise<void> {
    const synthesis = await synthesizeStack(PROJECT_DIR, "dev");
    // Jobs in the program's declaration order: the engine starts ready services in it (ties of the window).
    const { services, rolloutLevels, declarationOrder } = synthesis.settings;
    const base: Job[] = declarationOrder.map((name) => {
        const s = services.find((x) => x.name === name)!;
        return { name, duration: rolloutDuration(s), waitsFor: s.waitsFor };
    });
    console.log(`berth rollout bench — ${services.length} services of Pulumi.dev.yaml, model ${JSON.stringify(DEFAULT_MODEL)}`);
    report("Durations from settings", base, rolloutLevels);
    const random = seededRandom(20260314);
    // Image size and start-up vary by service: task start drawn from 20–140 s (Fargate has no image cache).
    const varied = declarationOrder.map((name) => {
        const s = services.find((x) => x.name === name)!;
        return { name, duration: rolloutDuration(s, { ...DEFAULT_MODEL, taskStartSeconds: 20 + Math.round(random() * 120) }), waitsFor: s.waitsFor };
    });
    report("Varied task start (seed 20260314)", varied, rolloutLevels);
    blueGreenReport(services, declarationOrder);
    // What declaration in name order within a level (berth before critical-path-first) would give.
    const nameOrder = rolloutLevels.flat().map((name) => base.find((j) => j.name === name)!);
    console.log(`\nName order within a level (before critical path first), parallel 4: ${slidingWindow(nameOrder, 4).makespan}s`);
}

const PARALLEL = 4;
const POLL_SECONDS = 5;

type Settings = Awaited<ReturnType<typeof synthesizeStack>>["settings"]["services"][number];

function phasedJobs(services: Settings[], order: string[], bakeMinutes: number): PhasedJob[] {
    return order.map((name) => {
        const s = services.find((x) => x.name === name)!;
        const drainAndStop = (s.routes.length > 0 ? s.deregistrationDelaySeconds : 0) + Math.min(s.stopTimeoutSeconds, DEFAULT_MODEL.shutdownSeconds);
        return { name, waitsFor: s.waitsFor, phases: blueGreenPhases({ duration: rolloutDuration(s), drainAndStop }, { bakeMinutes, pollSeconds: POLL_SECONDS }) };
    });
}

/**
 * The example as berth releases it when `shifting` services are blue/green and the rest roll: the engine waits through
 * a traffic-shifting service only when a rolling service waits for it (infra/components/rollout.ts engineWait).
 */
function releaseJobs(services: Settings[], order: string[], bakeMinutes: number, shifting: (s: Settings) => boolean): ReleaseJob[] {
    const phased = new Map(phasedJobs(services, order, bakeMinutes).map((j) => [j.name, j]));
    const byName = new Map(services.map((s) => [s.name, s]));
    return order.map((name): ReleaseJob => {
        const s = byName.get(name)!;
        if (!shifting(s)) return { name, waitsFor: s.waitsFor, kind: "rolling", duration: rolloutDuration(s) };
        const rollingDependents = services.filter((x) => !shifting(x) && x.waitsFor.includes(name));
        return { name, waitsFor: s.waitsFor, kind: "shifting", phases: phased.get(name)!.phases, engineWaits: rollingDependents.length > 0 };
    });
}

/** Blue/green next to rolling: per bake time, the makespan when dependents wait for the bake and when they do not. */
function blueGreenReport(services: Settings[], order: string[]): void {
    const rolling = slidingWindow(
        order.map((name) => {
            const s = services.find((x) => x.name === name)!;
            return { name, duration: rolloutDuration(s), waitsFor: s.waitsFor };
        }),
        PARALLEL,
    ).makespan;
    console.log(`
Blue/green, every service (test via the PAUSE hook, answered within a ${POLL_SECONDS}s poll; parallel ${PARALLEL}); rolling: ${rolling}s (${formatDuration(rolling)})`);
    for (const bake of [0, 1, 3, 5, 10]) {
        const jobs = phasedJobs(services, order, bake);
        const afterBake = blueGreenSchedule(jobs, PARALLEL, "bake").makespan;
        const afterTraffic = blueGreenSchedule(jobs, PARALLEL, "traffic").makespan;
        console.log(
            `  bake ${String(bake).padStart(2)} min: dependent waits for the bake ${afterBake}s (${formatDuration(afterBake)}, ${(afterBake / rolling).toFixed(2)}× rolling)` +
                ` · dependent starts once traffic moved (berth) ${afterTraffic}s (${formatDuration(afterTraffic)}, ${(afterTraffic / rolling).toFixed(2)}× rolling)`,
        );
    }
    console.log(`  → waiting for each dependency's bake adds one bake per level of the critical path; starting dependents once traffic moved pays the bake once, at the end.`);
    const compositions: [string, (s: Settings) => boolean][] = [
        ["every service blue/green", () => true],
        // prod's profile on this catalogue: routed services blue/green where their routes fit one rule (orders' 4 patterns do not), the rest roll.
        ["prod's profile (routed blue/green where one rule fits, the rest rolling)", (s) => s.routes.length > 0 && chunkPatterns(s.routes).length === 1],
    ];
    const defaultBake = COMMON_DEFAULTS.rollout.bakeMinutes;
    for (const [title, shifting] of compositions) {
        const waiting = releaseJobs(services, order, 0, shifting).filter((j) => j.kind === "shifting" && j.engineWaits).map((j) => j.name);
        console.log(`
What berth does, ${title}: the engine goes on once ECS accepted a traffic-shifting update unless a rolling service waits for it${waiting.length > 0 ? ` (here: ${waiting.join(", ")})` : " (none here)"}; berth holds each dependent's test hook until its dependencies moved production traffic; verify after the last bake`);
        for (const bake of [0, 1, 3, 5, 10]) {
            const berth = releaseSchedule(releaseJobs(services, order, bake, shifting), PARALLEL, POLL_SECONDS);
            const last = Math.max(...Object.values(berth.trafficMoved));
            console.log(`  bake ${String(bake).padStart(2)} min: ${berth.makespan}s (${formatDuration(berth.makespan)}, ${(berth.makespan / rolling).toFixed(2)}× rolling; production moved on every service after ${last}s)${bake === defaultBake ? "  ← the default bake" : ""}`);
        }
        let within = 0;
        while (within < 24 * 60 && releaseSchedule(releaseJobs(services, order, within + 1, shifting), PARALLEL, POLL_SECONDS).makespan <= 1.5 * rolling) within++;
        console.log(`  → within 1.5× rolling for bakes up to ${within} min`);
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
