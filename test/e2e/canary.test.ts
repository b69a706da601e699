// End to end with ECS's canary and linear strategies and a PAUSE before every production traffic step
// (PRE_PRODUCTION_TRAFFIC_SHIFT, stepPauseMinutes): inventory releases as a 3% canary, shipping in 25% linear
// steps, each with the PAUSE after test traffic moved and the 5xx deployment alarm, in the simulator. The real CLI
// answers every pause: the first step once green passed its test, every later one by the target groups' 5xx ratio.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { useIntegrationEnv } from "../integration/helpers/integrationEnv";
import type { ServiceDeploymentRecord } from "../sim/ecs";
import { World, type RunResult } from "./harness";

interface Released {
    releaseId: string;
    sha: string;
    images: Record<string, string>;
}

/** What the test saw of one deployment between two reads of the simulator: its stage and green's production share. */
interface Sample {
    at: number;
    arn: string;
    stage?: string;
    weight: number;
    status: string;
}

const PAUSES = [
    { stage: "POST_TEST_TRAFFIC_SHIFT" as const, timeoutMinutes: 10 },
    { stage: "PRE_PRODUCTION_TRAFFIC_SHIFT" as const, timeoutMinutes: 10 },
];

describe("e2e: canary and linear releases over the wire (a PAUSE before every production step, berth's 5xx check)", function () {
    let world: World;
    let reports = 0;

    before(async function () {
        const env = await useIntegrationEnv(this);
        world = await new World(env, {
            rollouts: {
                // 3% of production: a green failing every request stays below the 5xx alarm (5 a minute), so only
                // berth's ratio sees it — the case the check exists for.
                inventory: { strategy: "canary", bakeMinutes: 2, canary: { percent: 3, bakeMinutes: 8 }, pauseHooks: PAUSES },
                shipping: { strategy: "linear", bakeMinutes: 1, linear: { stepPercent: 25, intervalMinutes: 1 }, pauseHooks: PAUSES },
            },
        }).start();
    });
    after(async () => world?.stop());

    async function release(args: string[]) {
        const file = path.join(world.root, `canary-report-${++reports}.json`);
        const mark = world.sim.calls.length;
        const result = await world.run("deploy", [...args, "--output", file]);
        const record = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
        const calls = world.sim.calls.slice(mark).filter((c) => !c.error);
        return { result, record, calls };
    }

    function explain(result: RunResult): string {
        return `exit ${result.code}\n--- stderr (end)\n${result.stderr.slice(-4000)}\n--- stdout (end)\n${result.stdout.slice(-2000)}`;
    }

    function deployment(service: string): ServiceDeploymentRecord {
        return world.sim.ecs.service(world.outputs.clusterName, world.outputs.services[service].serviceName)!.records[0];
    }

    function rolloutOf(record: any, service: string): any {
        return record.services.find((s: any) => s.name === service)?.rollout;
    }

    /** Samples a service's newest deployment every 20 ms (wall) while `run` goes on. */
    async function sampling<T>(service: string, run: () => Promise<T>): Promise<{ out: T; samples: Sample[] }> {
        const samples: Sample[] = [];
        const take = () => {
            const d = deployment(service);
            const last = samples.at(-1);
            const s: Sample = { at: world.clock.nowMs(), arn: d.arn, stage: d.lifecycle?.stage, weight: d.lifecycle?.productionWeight ?? 0, status: d.status };
            if (!last || last.arn !== s.arn || last.stage !== s.stage || last.weight !== s.weight || last.status !== s.status) samples.push(s);
        };
        const timer = setInterval(take, 20);
        try {
            return { out: await run(), samples };
        } finally {
            clearInterval(timer);
            take();
        }
    }

    /** For each ContinueServiceDeployment on `arn`: the stage and green's production share when it was sent, and the action. */
    function answers(calls: typeof world.sim.calls, samples: Sample[], arn: string): string[] {
        return calls
            .filter((c) => c.operation === "ContinueServiceDeployment" && c.input.serviceDeploymentArn === arn)
            .map((c) => {
                const then = samples.filter((s) => s.arn === arn && s.at <= c.at).at(-1)!;
                return `${then.stage} ${then.weight}% → ${c.input.action}`;
            });
    }

    /** Green's production shares in the order the deployment went through them. */
    function shares(samples: Sample[], arn: string): number[] {
        const out: number[] = [];
        for (const s of samples) if (s.arn === arn && s.weight !== out.at(-1)) out.push(s.weight);
        return out;
    }

    it("canary passing: green tested → first step continued → 3% canary → 5xx check passes at the pause → the rest moves → bake → RELEASED", async () => {
        const blue = world.digestOf("inventory");
        world.commit({ inventory: { note: "canary" } }, "inventory: a change released as a canary");
        const { out, samples } = await sampling("inventory", () => release(["--services", "inventory"]));
        const { result, record, calls } = out;
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        const d = deployment("inventory");
        expect(d.status).to.equal("SUCCESSFUL");
        expect(answers(calls, samples, d.arn)).to.deep.equal([
            "POST_TEST_TRAFFIC_SHIFT 0% → CONTINUE",
            "PRE_PRODUCTION_TRAFFIC_SHIFT 0% → CONTINUE",
            "PRE_PRODUCTION_TRAFFIC_SHIFT 3% → CONTINUE",
        ]);
        const hookIds = calls.filter((c) => c.operation === "ContinueServiceDeployment" && c.input.serviceDeploymentArn === d.arn).map((c) => c.input.hookId);
        expect(new Set(hookIds).size, "each pause answered by its own hook id").to.equal(3);
        expect(shares(samples, d.arn)).to.deep.equal([0, 3, 100]);
        // The canary share held for the canary bake before the pause that let the rest move (sim time).
        const canaryFrom = samples.find((s) => s.arn === d.arn && s.weight === 3)!.at;
        const restFrom = samples.find((s) => s.arn === d.arn && s.weight === 100)!.at;
        expect(restFrom - canaryFrom).to.be.within(8 * 60_000, 10 * 60_000);
        expect(samples.some((s) => s.arn === d.arn && s.stage === "BAKE_TIME")).to.equal(true);
        const rollout = rolloutOf(record, "inventory");
        expect(rollout).to.include({ strategy: "canary", status: "SUCCESSFUL", decidedBy: "berth-canary" });
        expect(rollout.test).to.include({ stage: "POST_TEST_TRAFFIC_SHIFT", action: "CONTINUE", ok: true });
        expect(rollout.canary).to.include({ stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", action: "CONTINUE", ok: true });
        expect(rollout.canary.detail).to.match(/^5xx 0\.0% of \d+ requests$/);
        expect(result.stderr).to.include("inventory: check before the first production step at PRE_PRODUCTION_TRAFFIC_SHIFT passed (green passed its test; no production traffic on it yet) → CONTINUE");
        expect(world.digestOf("inventory")).to.not.equal(blue);
        expect(world.digestOf("inventory")).to.equal((world.released() as Released).images.inventory);
        expect(world.status()).to.equal("");
    });

    it("canary whose green fails under production traffic: berth's 5xx check rolls it back at the pause before the rest moves; the alarm never fired; ROLLED_BACK", async () => {
        const before = world.released() as Released;
        const head = world.head();
        // Passes berth's test (made early), then 502s under production traffic: a fault only the canary share shows.
        world.commit({ inventory: { SIM_BEHAVIOUR: "degrades" } }, "inventory: fails a few minutes into production traffic");
        try {
            const { out, samples } = await sampling("inventory", () => release(["--services", "inventory"]));
            const { result, record, calls } = out;
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            const rollout = rolloutOf(record, "inventory");
            const d = world.sim.ecs.serviceDeployment(rollout.deploymentArn)!.record;
            expect(d.status).to.equal("ROLLBACK_SUCCESSFUL");
            expect(answers(calls, samples, d.arn)).to.deep.equal([
                "POST_TEST_TRAFFIC_SHIFT 0% → CONTINUE",
                "PRE_PRODUCTION_TRAFFIC_SHIFT 0% → CONTINUE",
                "PRE_PRODUCTION_TRAFFIC_SHIFT 3% → ROLLBACK",
            ]);
            expect(shares(samples, d.arn), "the rest never moved: from the canary share straight back to blue").to.deep.equal([0, 3, 0]);
            expect(d.statusReason).to.match(/^The deployment was rolled back by ContinueServiceDeployment with action ROLLBACK on lifecycle hook \S+ at PRE_PRODUCTION_TRAFFIC_SHIFT\.$/);
            expect(d.lifecycle!.triggeredAlarms, "the count alarm did not see a 3% canary").to.deep.equal([]);
            expect(calls.filter((c) => c.operation === "StopServiceDeployment" && c.input.serviceDeploymentArn === d.arn), "answered at the pause, not stopped mid-bake").to.deep.equal([]);
            expect(rollout).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "berth-canary" });
            expect(rollout.test.ok).to.equal(true);
            expect(rollout.canary).to.include({ stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", action: "ROLLBACK", ok: false });
            expect(rollout.canary.detail).to.match(/ 5xx \d+\.\d% of \d+ requests \(limit 1\.0%\)$/);
            expect(world.digestOf("inventory")).to.equal(before.images.inventory);
            expect((world.released() as Released).releaseId).to.equal(before.releaseId);
            expect(world.status()).to.equal("");
        } finally {
            world.revert(head, ["inventory"]);
        }
    });

    it("linear passing: a pause before each 25% step — the first continued on green's test, the next three by the 5xx check — bake, RELEASED", async () => {
        world.commit({ shipping: { note: "linear" } }, "shipping: a change released in linear steps");
        const { out, samples } = await sampling("shipping", () => release(["--services", "shipping"]));
        const { result, record, calls } = out;
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        const d = deployment("shipping");
        expect(d.status).to.equal("SUCCESSFUL");
        expect(answers(calls, samples, d.arn)).to.deep.equal([
            "POST_TEST_TRAFFIC_SHIFT 0% → CONTINUE",
            "PRE_PRODUCTION_TRAFFIC_SHIFT 0% → CONTINUE",
            "PRE_PRODUCTION_TRAFFIC_SHIFT 25% → CONTINUE",
            "PRE_PRODUCTION_TRAFFIC_SHIFT 50% → CONTINUE",
            "PRE_PRODUCTION_TRAFFIC_SHIFT 75% → CONTINUE",
        ]);
        expect(shares(samples, d.arn)).to.deep.equal([0, 25, 50, 75, 100]);
        const rollout = rolloutOf(record, "shipping");
        expect(rollout).to.include({ strategy: "linear", status: "SUCCESSFUL", decidedBy: "berth-canary" });
        expect(rollout.canary).to.include({ stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", action: "CONTINUE", ok: true });
        expect(world.digestOf("shipping")).to.equal((world.released() as Released).images.shipping);
        expect(world.status()).to.equal("");
    });
});
