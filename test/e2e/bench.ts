// Benchmark, not a test (`npm run bench:detect`): on the AWS simulator's clock, with berth's default settings,
// (1) the rollout the driver produced for the 12-service example at --parallel 4 — per-service spans from the
// engine events — against the sliding-window model of `npm run bench:rollout`; (2) time to detect a failing
// service: from the fault's onset (the first failed task, or the new deployment completing for faults no task
// shows) to berth's verdict (the end of the stage that failed), per scenario. Prints figures; never gates CI.
// BERTH_BENCH_SCALE sets the clock (×10 by default); BERTH_BENCH_ONLY=<text> runs only the matching scenarios.
import fs from "node:fs";
import path from "node:path";
import { formatDuration } from "../../automation/plan/events";
import { circuitBreakerThreshold } from "../../automation/plan/verify";
import { criticalPath, optimalMakespan, slidingWindow, type Job } from "../../automation/plan/schedule";
import { loadIntegrationEnv } from "../integration/helpers/integrationEnv";
import { World, type Behaviour } from "./harness";

const SCALE = Number(process.env.BERTH_BENCH_SCALE ?? 10);

interface Span {
    start: number;
    end: number;
}

function spansOf(world: World, from: number): Record<string, Span> {
    const file = path.join(world.state, "events.jsonl");
    const spans: Record<string, Span> = {};
    for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(from)) {
        const e = JSON.parse(line);
        const meta = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        const m = meta && /::svc-(.+)-service$/.exec(meta.urn);
        if (!m || e.command !== "up") continue;
        if (e.resourcePreEvent) spans[m[1]] = { start: e.timestamp, end: e.timestamp };
        else spans[m[1]].end = e.timestamp;
    }
    return spans;
}

function eventCount(world: World): number {
    const file = path.join(world.state, "events.jsonl");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").length : 0;
}

async function deploy(world: World, args: string[] = []): Promise<any> {
    const file = path.join(world.root, `bench-${Date.now()}.json`);
    const result = await world.run("deploy", [...args, "--output", file], { timeoutMs: 900_000 });
    if (!fs.existsSync(file)) throw new Error(`deploy wrote no record (exit ${result.code}):\n${result.stderr.slice(-3000)}`);
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** When the release reached its verdict: the end of the first stage that did not end ok. */
function verdictAt(record: any): number {
    let t = Date.parse(record.startedAt);
    for (const stage of record.stages) {
        t += stage.durationMs;
        if (stage.outcome !== "ok" && stage.outcome !== "skipped") return t;
    }
    return t;
}

async function rolloutBench(world: World): Promise<void> {
    const from = eventCount(world);
    const record = await deploy(world, ["--parallel", "4"]);
    const spans = spansOf(world, from);
    const t0 = Math.min(...Object.values(spans).map((s) => s.start));
    const settings = world.synthesis.settings;
    const measured: Job[] = settings.declarationOrder.map((name) => ({ name, duration: spans[name].end - spans[name].start, waitsFor: settings.services.find((s) => s.name === name)!.waitsFor }));
    const model = slidingWindow(measured, 4);
    const makespan = Math.max(...Object.values(spans).map((s) => s.end)) - t0;
    const overlap = Math.max(...Object.values(spans).map((s) => Object.values(spans).filter((o) => o.start <= s.start && o.end > s.start).length));
    console.log(`\nRollout of the 12-service example at --parallel 4 (${record.state}), sim seconds from the first service update:`);
    for (const name of settings.declarationOrder) {
        const s = spans[name];
        const m = model.spans[name];
        console.log(`  ${name.padEnd(17)} engine ${String(s.start - t0).padStart(4)}–${String(s.end - t0).padEnd(4)} model ${String(m[0]).padStart(4)}–${m[1]}`);
    }
    const optimal = optimalMakespan(measured, 4);
    console.log(`  engine makespan ${makespan}s (${formatDuration(makespan)}) · model with the measured durations ${model.makespan}s · optimal ${optimal.makespan}s · critical path ${criticalPath(measured).length}s`);
    console.log(`  berth/optimal ${(makespan / optimal.makespan).toFixed(2)}× · most services updating at once: ${overlap} (bound 4)`);
}

interface Scenario {
    title: string;
    service: string;
    behaviour: Behaviour;
    providerReportsRollbackAsSuccess?: boolean;
}

async function detectBench(world: World): Promise<void> {
    const scenarios: Scenario[] = [
        { title: "crash on start (circuit breaker)", service: "search", behaviour: { SIM_BEHAVIOUR: "crash" } },
        { title: "crash, 2 tasks (api-gateway)", service: "api-gateway", behaviour: { SIM_BEHAVIOUR: "crash" } },
        { title: "image cannot be pulled", service: "reviews", behaviour: { SIM_BEHAVIOUR: "cannot-start" } },
        { title: "targets never healthy", service: "catalog", behaviour: { SIM_BEHAVIOUR: "unhealthy" } },
        { title: "smoke test 502", service: "inventory", behaviour: { SIM_BEHAVIOUR: "smoke-5xx" } },
        { title: "silent rollback (provider reports success)", service: "reviews", behaviour: { SIM_BEHAVIOUR: "crash" }, providerReportsRollbackAsSuccess: true },
    ];
    console.log(`\nTime to detect a failing service (sim clock ×${SCALE}, default settings: poll 5 s, 3 strikes):`);
    console.log("  scenario                                    | onset → verdict | failed tasks | ECS circuit breaker | state");
    const only = process.env.BERTH_BENCH_ONLY;
    for (const sc of scenarios.filter((x) => !only || x.title.includes(only))) {
        const sha = world.head();
        world.provider({ reportsRollbackAsSuccess: sc.providerReportsRollbackAsSuccess ?? false });
        world.commit({ [sc.service]: sc.behaviour }, sc.title);
        const started = world.clock.nowMs();
        const record = await deploy(world);
        const serviceName = world.outputs.services[sc.service].serviceName;
        const failures = world.sim.ecs.failures.filter((f) => f.service.endsWith(`/${serviceName}`) && f.at >= started);
        const svc = world.sim.ecs.service(world.outputs.clusterName, serviceName)!;
        const ours = svc.records.filter((r) => r.createdAt >= started);
        // Records are newest first: the release's own deployment is the oldest that completed (later ones are rollbacks).
        const completed = [...ours].reverse().find((r) => r.status === "SUCCESSFUL" && r.finishedAt !== undefined);
        const tripped = ours.find((r) => r.failedAt !== undefined);
        const onset = failures[0]?.at ?? completed?.finishedAt;
        const verdict = verdictAt(record);
        const detect = onset === undefined ? "—" : formatDuration(Math.max(0, verdict - onset) / 1000);
        const desired = world.synthesis.settings.services.find((s) => s.name === sc.service)!.desiredCount;
        const breaker = tripped ? `tripped after ${formatDuration((tripped.failedAt! - (failures[0]?.at ?? tripped.failedAt!)) / 1000)} (${circuitBreakerThreshold(desired)} tasks)` : "not tripped";
        console.log(`  ${sc.title.padEnd(43)} | ${detect.padStart(15)} | ${String(failures.length).padStart(12)} | ${breaker.padEnd(19)} | ${record.state}`);
        world.provider({ reportsRollbackAsSuccess: false });
        world.revert(sha, [sc.service]);
    }
}

async function main(): Promise<void> {
    const env = await loadIntegrationEnv();
    if ("problem" in env) throw new Error(`integration environment unavailable: ${env.problem}; start it with bash test/integration/env/setup.sh`);
    const world = await new World(env, { scale: SCALE }).start();
    try {
        console.log(`berth end-to-end bench — AWS simulator at ×${SCALE}, scripted pulumi, Docker + registry`);
        if (!process.env.BERTH_BENCH_ONLY) await rolloutBench(world);
        // The detection scenarios need a verified release to roll back to.
        else await deploy(world);
        await detectBench(world);
    } finally {
        await world.stop();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
