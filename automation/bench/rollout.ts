// Benchmark, not a test (F17): rollout makespan of the 12-service dev example under berth's sliding window
// vs fixed batches of 4 in priority waves, against the critical-path lower bound. `npm run bench:rollout`.
import * as path from "path";
import { synthesizeStack } from "../../infra/synth/synthesize";
import { DEFAULT_MODEL, Job, criticalPath, fixedBatches, lowerBound, optimalMakespan, rolloutDuration, seededRandom, slidingWindow } from "../plan/schedule";
import { formatDuration } from "../plan/events";

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
    // What declaration in name order within a level (berth before critical-path-first) would give.
    const nameOrder = rolloutLevels.flat().map((name) => base.find((j) => j.name === name)!);
    console.log(`\nName order within a level (before critical path first), parallel 4: ${slidingWindow(nameOrder, 4).makespan}s`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
