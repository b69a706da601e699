// End to end with ECS's native deployment strategies: catalog releases blue/green and inventory canary, each with a
// PAUSE hook after test traffic moved (timeout action ROLLBACK) and a 5xx deployment alarm, in the simulator. The
// real CLI steers them through the scripted pulumi's update; each scenario starts from what the previous left.
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

describe("e2e: blue/green and canary releases over the wire (PAUSE hooks, test traffic, bake, alarms)", function () {
    let world: World;
    let reports = 0;

    before(async function () {
        const env = await useIntegrationEnv(this);
        world = await new World(env, {
            rollouts: {
                catalog: { strategy: "blueGreen", bakeMinutes: 10, pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 10 }] },
                inventory: { strategy: "canary", bakeMinutes: 2, canary: { percent: 10, bakeMinutes: 3 }, pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 10 }] },
            },
        }).start();
    });
    after(async () => world?.stop());

    async function release(command: "deploy" | "rollback", args: string[] = [], options: Parameters<World["run"]>[2] = {}) {
        const file = path.join(world.root, `report-${++reports}.json`);
        const mark = world.sim.calls.length;
        const albMark = world.sim.albRequests.length;
        const result = await world.run(command, [...args, "--output", file], options);
        const record = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
        const calls = world.sim.calls.slice(mark).filter((c) => !c.error);
        return { result, record, calls, alb: world.sim.albRequests.slice(albMark) };
    }

    function explain(result: RunResult): string {
        return `exit ${result.code}\n--- stderr (end)\n${result.stderr.slice(-4000)}\n--- stdout (end)\n${result.stdout.slice(-2000)}`;
    }

    /** The newest ServiceDeployment of a service, as the simulator holds it. */
    function deployment(service: string): ServiceDeploymentRecord {
        return world.sim.ecs.service(world.outputs.clusterName, world.outputs.services[service].serviceName)!.records[0];
    }

    function hookAwaiting(service: string): boolean {
        return deployment(service).lifecycle?.hooks.some((h) => h.status === "AWAITING_ACTION") ?? false;
    }

    /** Waits (wall time) until `done` holds; the simulator's clock runs on meanwhile. */
    async function eventually(done: () => boolean, what: string, wallMs = 60_000): Promise<void> {
        const deadline = Date.now() + wallMs;
        while (!done()) {
            if (Date.now() > deadline) throw new Error(`${what}: not within ${wallMs} ms`);
            await new Promise((r) => setTimeout(r, 100));
        }
    }

    /** berth's test request through the header has reached the listener and not been answered yet. */
    function pendingTest(): boolean {
        return world.sim.albPending.some((r) => r.headers["x-berth-test"] === "1");
    }

    /** No update holds the stack: the scripted pulumi's lock is gone or its process is (an orphaned update ended). */
    function stackFree(): boolean {
        const lock = path.join(world.state, "lock-dev.json");
        if (!fs.existsSync(lock)) return true;
        try {
            process.kill(JSON.parse(fs.readFileSync(lock, "utf8")).pid, 0);
            return false;
        } catch {
            return true;
        }
    }

    function rolloutOf(record: any, service: string): any {
        return record.services.find((s: any) => s.name === service)?.rollout;
    }

    /** Requests that carried the test header and what answered them. */
    function tested(alb: typeof world.sim.albRequests, service: string) {
        const altTg = world.outputs.services[service].rollout.alternateTargetGroupArn;
        return alb.filter((r) => r.headers["x-berth-test"] === "1").map((r) => ({ ...r, green: r.targetGroupArn === altTg || deployment(service).lifecycle?.greenTg === r.targetGroupArn }));
    }

    it("hook awaiting → berth tests green through the test header → CONTINUE: production moves, bake, RELEASED", async () => {
        const blue = world.digestOf("catalog");
        const sha = world.commit({ catalog: { note: "blue/green" } }, "catalog: a change released blue/green");
        const { result, record, calls, alb } = await release("deploy", ["--services", "catalog"]);
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        const d = deployment("catalog");
        expect(d.status).to.equal("SUCCESSFUL");
        const continues = calls.filter((c) => c.operation === "ContinueServiceDeployment");
        expect(continues.map((c) => ({ arn: c.input.serviceDeploymentArn, action: c.input.action }))).to.deep.equal([{ arn: d.arn, action: "CONTINUE" }]);
        expect(continues[0].input.hookId).to.match(/^ecs-pause-/);
        // berth's test went through the listener with the header, reached green and saw this release's version.
        const continuedAt = continues[0].at;
        const before = tested(alb, "catalog").filter((r) => r.at <= continuedAt);
        expect(before.length, "test requests before CONTINUE").to.be.greaterThan(0);
        expect(before.every((r) => r.targetGroupArn === d.lifecycle!.greenTg && r.status === 200 && r.version === sha)).to.equal(true);
        const rollout = rolloutOf(record, "catalog");
        expect(rollout).to.include({ strategy: "blueGreen", status: "SUCCESSFUL", decidedBy: "berth-test" });
        expect(rollout.test.ok).to.equal(true);
        // The bake as berth saw it, between two of its polls: about the configured 10 minutes (sim time).
        expect(rollout.bakeMs).to.be.within(9.5 * 60_000, 11 * 60_000);
        expect(world.digestOf("catalog")).to.not.equal(blue);
        expect(world.digestOf("catalog")).to.equal((world.released() as Released).images.catalog);
        expect(world.status()).to.equal("");
    });

    it("green fails berth's test through the header → ROLLBACK at the hook: production never left blue, ROLLED_BACK", async () => {
        const before = world.released() as Released;
        const head = world.head();
        world.commit({ catalog: { SIM_BEHAVIOUR: "smoke-5xx" } }, "catalog: 502 on every path");
        try {
            const { result, record, calls, alb } = await release("deploy", ["--services", "catalog"]);
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            const rollout = rolloutOf(record, "catalog");
            // The release's own deployment (berth's restore that follows is another, successful one).
            const d = world.sim.ecs.serviceDeployment(rollout.deploymentArn)!.record;
            expect(d.status).to.equal("ROLLBACK_SUCCESSFUL");
            expect(calls.filter((c) => c.operation === "ContinueServiceDeployment" && c.input.serviceDeploymentArn === d.arn).map((c) => c.input.action)).to.deep.equal(["ROLLBACK"]);
            expect(tested(alb, "catalog").some((r) => r.status === 502 && r.targetGroupArn === d.lifecycle!.greenTg), "the 502 came from green through the test rule").to.equal(true);
            // Production never reached green: no request without the header got green's 502.
            expect(alb.filter((r) => r.path.startsWith("/catalog") && r.headers["x-berth-test"] === undefined && r.status === 502)).to.deep.equal([]);
            expect(d.lifecycle!.productionWeight).to.equal(0);
            expect(rollout).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "berth-test" });
            expect(rollout.test.ok).to.equal(false);
            expect(world.digestOf("catalog")).to.equal(before.images.catalog);
            expect((world.released() as Released).releaseId).to.equal(before.releaseId);
            expect(world.status()).to.equal("");
        } finally {
            world.revert(head, ["catalog"]);
        }
    });

    it("a deployment alarm in ALARM during bake (green degrades under production traffic) rolls back; berth reports the alarm decided", async () => {
        const before = world.released() as Released;
        const head = world.head();
        world.commit({ catalog: { SIM_BEHAVIOUR: "degrades" } }, "catalog: fails after a few minutes under load");
        try {
            const { result, record, calls } = await release("deploy", ["--services", "catalog"]);
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            const rollout = rolloutOf(record, "catalog");
            const d = world.sim.ecs.serviceDeployment(rollout.deploymentArn)!.record;
            expect(d.status).to.equal("ROLLBACK_SUCCESSFUL");
            expect(d.statusReason).to.equal(`CloudWatch alarm(s) ${world.outputs.services.catalog.rollout.alarmNames[0]} in ALARM state.`);
            expect(d.lifecycle!.stage, "the alarm fired during bake").to.equal("BAKE_TIME");
            expect(d.lifecycle!.productionWeight, "production went back to blue").to.equal(0);
            // berth's test passed (green was still fine) and let production move; the alarm decided during bake.
            expect(calls.filter((c) => c.operation === "ContinueServiceDeployment" && c.input.serviceDeploymentArn === d.arn).map((c) => c.input.action)).to.deep.equal(["CONTINUE"]);
            expect(rollout).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "alarm" });
            expect(rollout.test.ok).to.equal(true);
            expect(world.digestOf("catalog")).to.equal(before.images.catalog);
            expect((world.released() as Released).releaseId).to.equal(before.releaseId);
        } finally {
            world.revert(head, ["catalog"]);
        }
    });

    it("berth interrupted (SIGINT to its process group) while the hook waits: it stops answering, says so; the hook's timeout rolls back", async () => {
        const before = world.released() as Released;
        const head = world.head();
        world.commit({ catalog: { note: "interrupted" } }, "catalog: a change whose release is interrupted");
        // A slow green keeps berth's test in flight when Ctrl-C arrives.
        world.sim.faults = { testTrafficDelayMs: 3000 };
        try {
            const file = path.join(world.root, "interrupted-bg.json");
            const mark = world.sim.calls.length;
            const result = await world.run("deploy", ["--services", "catalog", "--output", file], {
                watch: { when: () => hookAwaiting("catalog") && pendingTest(), signal: "SIGINT" },
            });
            expect(result.code, explain(result)).to.equal(2);
            const record = JSON.parse(fs.readFileSync(file, "utf8"));
            expect(record.state).to.equal("INTERRUPTED");
            expect(result.stderr).to.match(/interrupted: berth no longer answers catalog's PAUSE hook; ECS takes its timeout action \(ROLLBACK\) at /);
            expect(world.sim.calls.slice(mark).filter((c) => c.operation === "ContinueServiceDeployment")).to.deep.equal([]);
            const sigints = world.pulumiInvocations().filter((i) => i.signal === "SIGINT").slice(-1);
            expect(sigints.map((i) => i.count), "the engine got one graceful SIGINT, from berth").to.deep.equal([1]);
            await eventually(() => deployment("catalog").status === "ROLLBACK_SUCCESSFUL", "catalog rolled back by its hook timeout", 120_000);
            expect(deployment("catalog").lifecycle!.hooks.map((h) => h.status)).to.deep.equal(["TIMED_OUT"]);
            expect(world.digestOf("catalog")).to.equal(before.images.catalog);
            expect((world.released() as Released).releaseId).to.equal(before.releaseId);
            expect(world.status()).to.equal("");
        } finally {
            world.sim.faults = {};
            world.revert(head, ["catalog"]);
        }
    });

    it("berth gone while the hook waits (the runner killed): the hook's own timeout rolls catalog back to blue, nothing is recorded", async () => {
        const before = world.released() as Released | undefined;
        const blue = world.digestOf("catalog");
        const head = world.head();
        world.commit({ catalog: { note: "runner dies" } }, "catalog: a change whose release loses its runner");
        try {
            const { result } = await release("deploy", ["--services", "catalog"], { watch: { when: () => hookAwaiting("catalog"), signal: "SIGKILL" } });
            expect(result.signal, explain(result)).to.equal("SIGKILL");
            const hook = deployment("catalog").lifecycle!.hooks[0];
            // Nobody answers: ECS takes the hook's timeout action by itself; the orphaned update ends with it.
            await eventually(() => deployment("catalog").status === "ROLLBACK_SUCCESSFUL", "catalog rolled back", 120_000);
            const d = deployment("catalog");
            expect(d.statusReason).to.equal(`The lifecycle hook ${hook.hookId} at POST_TEST_TRAFFIC_SHIFT timed out; its timeout action is ROLLBACK.`);
            expect(hook.status).to.equal("TIMED_OUT");
            expect(d.rollback!.startedAt - d.createdAt, "the 10-minute hook timeout, after scale-up and test traffic").to.be.within(10 * 60_000, 12 * 60_000);
            expect(world.digestOf("catalog"), "catalog runs blue").to.equal(blue);
            expect((world.released() as Released | undefined)?.releaseId, "no release recorded").to.equal(before?.releaseId);
            await eventually(stackFree, "the orphaned pulumi update ended", 60_000);
            expect(world.status()).to.equal("");
        } finally {
            world.revert(head, ["catalog"]);
        }
    });
});
