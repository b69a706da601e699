// The simulator's native ECS deployments over the wire, with the unmodified SDK clients: blue/green, canary and
// linear walk their lifecycle stages; a PAUSE hook waits AWAITING_ACTION until ContinueServiceDeployment or its
// timeout; the listener sends the test header to green; rollback by hook, timeout, alarm, circuit breaker or
// StopServiceDeployment returns production to blue. The clock is a hand-moved one: no real waiting.
import { expect } from "chai";
import {
    ContinueServiceDeploymentCommand,
    DescribeServiceDeploymentsCommand,
    DescribeServiceRevisionsCommand,
    DescribeServicesCommand,
    ECSClient,
    ListServiceDeploymentsCommand,
    StopServiceDeploymentCommand,
    UpdateServiceCommand,
    type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import type { SimClock } from "./clock";
import type { Behaviour } from "./ecs";
import { AwsSimulator } from "./server";
import { unmocked } from "./unmocked";

const REGION = "eu-west-1";
const CLUSTER = "berth-dev";
const SERVICE = "berth-dev-catalog";
const BLUE_TG = `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/berth-dev-catalog/aaaaaaaaaaaaaaaa`;
const GREEN_TG = `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/berth-dev-catalog-alt/bbbbbbbbbbbbbbbb`;
const ROLE = "arn:aws:iam::123456789012:role/berth-dev-ecs-lb";
const ALARM = "berth-dev-catalog-5xx";

interface Clock {
    t: number;
}

describe("sim: native ECS deployments over the wire (blue/green, canary, linear, PAUSE hooks)", function () {
    this.timeout(30_000);
    let sim: AwsSimulator;
    let clock: Clock;
    let ecs: ECSClient;
    let prodRule: string;
    let testRule: string;
    let revision = 0;

    beforeEach(async () => {
        clock = { t: Date.UTC(2026, 2, 14, 9, 0, 0) };
        sim = new AwsSimulator({ clock: { nowMs: () => clock.t } as unknown as SimClock, region: REGION, registry: "127.0.0.1:9" });
        await sim.start();
        ecs = unmocked(new ECSClient({ region: REGION, endpoint: sim.endpoint, credentials: { accessKeyId: "AKIASIMULATOR0000000", secretAccessKey: "x" }, maxAttempts: 1 }));
        const model = sim.ecs;
        model.createTargetGroup({ arn: BLUE_TG, intervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 10, port: 8080, routes: ["/catalog", "/catalog/*"] });
        model.createTargetGroup({ arn: GREEN_TG, intervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 10, port: 8080, routes: [] });
        prodRule = model.rules.productionRuleOf(BLUE_TG)!.arn;
        testRule = model.rules.create({ priority: 5, paths: ["/catalog", "/catalog/*"], header: { name: "x-berth-test", values: ["1"] }, forward: [{ targetGroupArn: BLUE_TG, weight: 100 }] }).arn;
        model.cloudwatch.defineAlarm({ name: ALARM, metric: "HTTPCode_Target_5XX_Count", targetGroupArns: [BLUE_TG, GREEN_TG], threshold: 5, periodSeconds: 60 });
        revision = 0;
        model.createService(CLUSTER, SERVICE, taskDefinition({ kind: "healthy", migration: "ok", version: "blue" }), 2, BLUE_TG);
    });
    afterEach(async () => {
        ecs.destroy();
        await sim.stop();
    });

    function taskDefinition(behaviour: Behaviour): string {
        revision += 1;
        return sim.ecs.registerTaskDefinition("berth-dev-catalog", [{ name: "catalog", image: `registry/catalog@sha256:${String(revision).padStart(64, "0")}` }], behaviour).arn;
    }

    /** Moves the clock in steps of `stepSeconds` until `done` holds (the model steps every second in between). */
    function until(done: () => boolean, maxSeconds: number, stepSeconds = 5): void {
        for (let waited = 0; waited <= maxSeconds; waited += stepSeconds) {
            sim.ecs.advance();
            if (done()) return;
            clock.t += stepSeconds * 1000;
        }
        throw new Error(`not reached within ${maxSeconds} sim seconds`);
    }

    function record() {
        return sim.ecs.service(CLUSTER, SERVICE)!.records[0];
    }

    /**
     * UpdateService with a new revision. The load-balancer block (the declared pair) goes with the first update only,
     * as the program sends it when a service switches over and then leaves it to ECS.
     */
    async function update(behaviour: Behaviour, deploymentConfiguration: Record<string, unknown>, options: { loadBalancers?: boolean } = {}): Promise<string> {
        const first = sim.ecs.service(CLUSTER, SERVICE)!.advanced === undefined;
        await ecs.send(
            new UpdateServiceCommand({
                cluster: CLUSTER,
                service: SERVICE,
                taskDefinition: taskDefinition(behaviour),
                deploymentConfiguration,
                ...((options.loadBalancers ?? first)
                    ? { loadBalancers: [{ targetGroupArn: BLUE_TG, containerName: "catalog", containerPort: 8080, advancedConfiguration: { alternateTargetGroupArn: GREEN_TG, productionListenerRule: prodRule, testListenerRule: testRule, roleArn: ROLE } }] }
                    : {}),
            }),
        );
        return record().arn;
    }

    async function describe(arn: string): Promise<ServiceDeployment> {
        const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
        return out.serviceDeployments![0];
    }

    async function version(headers: Record<string, string> = {}): Promise<string> {
        const res = await fetch(`${sim.albUrl}/catalog/health`, { headers });
        return res.status === 200 ? ((await res.json()) as { version: string }).version : String(res.status);
    }

    const PAUSE_AFTER_TEST = { targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"], timeoutConfiguration: { timeoutInMinutes: 30, action: "ROLLBACK" } } as const;
    const blueGreen = (extra: Record<string, unknown> = {}) => ({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 10, lifecycleHooks: [PAUSE_AFTER_TEST], alarms: { alarmNames: [ALARM], enable: true, rollback: true }, ...extra });

    it("blue/green: the PAUSE hook waits AWAITING_ACTION with the test header on green; CONTINUE moves production, bake keeps blue, then SUCCESSFUL", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen());
        const first = await describe(arn);
        expect(first.status).to.equal("IN_PROGRESS");
        expect(first.lifecycleStage).to.equal("PRE_SCALE_UP");
        expect(first.targetServiceRevision?.arn).to.match(/:service-revision\/berth-dev\/berth-dev-catalog\/\d{19}$/);

        const stages: string[] = [];
        until(() => {
            const lc = record().lifecycle!;
            if (stages.at(-1) !== lc.stage) stages.push(lc.stage);
            return lc.hooks.some((h) => h.status === "AWAITING_ACTION");
        }, 600, 1);
        expect(stages).to.deep.equal(["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"]);
        const paused = await describe(arn);
        expect(paused.lifecycleStage).to.equal("POST_TEST_TRAFFIC_SHIFT");
        const hook = paused.lifecycleHookDetails![0];
        expect({ ...hook, hookId: undefined, expiresAt: undefined }).to.deep.equal({ hookId: undefined, expiresAt: undefined, targetType: "PAUSE", status: "AWAITING_ACTION", timeoutAction: "ROLLBACK" });
        expect(hook.hookId).to.match(/^ecs-pause-[A-Za-z0-9_-]{43}$/);
        expect(hook.expiresAt!.getTime() - paused.updatedAt!.getTime()).to.equal(30 * 60_000);
        expect(paused.targetServiceRevision).to.include({ requestedTestTrafficWeight: 100, requestedProductionTrafficWeight: 0, runningTaskCount: 2 });
        // The test rule reaches green; production still reaches blue. A paused hook stays paused.
        expect(await version({ "x-berth-test": "1" })).to.equal("green");
        expect(await version({ "X-Berth-Test": "1" }), "header names are case-insensitive").to.equal("green");
        expect(await version()).to.equal("blue");
        expect(await version({ "x-berth-test": "0" })).to.equal("blue");
        clock.t += 20 * 60_000;
        expect((await describe(arn)).lifecycleHookDetails![0].status).to.equal("AWAITING_ACTION");

        await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId, action: "CONTINUE" }));
        expect((await describe(arn)).lifecycleHookDetails![0].status).to.equal("SUCCEEDED");
        until(() => record().lifecycle!.stage === "BAKE_TIME", 120, 1);
        expect(await version()).to.equal("green");
        const baking = await describe(arn);
        expect(baking.status).to.equal("IN_PROGRESS");
        expect(baking.sourceServiceRevisions![0]).to.include({ runningTaskCount: 2, requestedProductionTrafficWeight: 0 });
        clock.t += 9 * 60_000;
        expect((await describe(arn)).lifecycleStage, "bake lasts bakeTimeInMinutes").to.equal("BAKE_TIME");
        until(() => record().status === "SUCCESSFUL", 300);
        const done = await describe(arn);
        expect(done.finishedAt).to.be.instanceOf(Date);
        expect(done.lifecycleStage).to.equal(undefined);

        // ECS moved production to the alternate group and swapped the pair in the service's own configuration.
        const svc = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0];
        expect(svc.loadBalancers![0].targetGroupArn).to.equal(GREEN_TG);
        expect(svc.loadBalancers![0].advancedConfiguration?.alternateTargetGroupArn).to.equal(BLUE_TG);
        expect(svc.deploymentConfiguration?.strategy).to.equal("BLUE_GREEN");
        expect(svc.deployments!.map((d) => `${d.status} ${d.rolloutState}`)).to.deep.equal(["PRIMARY COMPLETED"]);
        expect(sim.ecs.targetGroups.get(GREEN_TG)!.targets.map((t) => t.state)).to.deep.equal(["healthy", "healthy"]);
        expect(sim.ecs.targetGroups.get(BLUE_TG)!.targets).to.deep.equal([]);
        const revision = (await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [done.targetServiceRevision!.arn!] }))).serviceRevisions![0];
        expect(revision.taskDefinition).to.equal(svc.taskDefinition);

        // The next deployment's green is the group that served production before: the two groups swap roles.
        const next = await update({ kind: "healthy", migration: "ok", version: "third" }, blueGreen({ lifecycleHooks: [] }));
        until(() => record().lifecycle!.stage === "BAKE_TIME", 600);
        expect(record().lifecycle!.greenTg).to.equal(BLUE_TG);
        expect(await version()).to.equal("third");
        until(() => record().status === "SUCCESSFUL", 900);
        const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
        expect(listed.serviceDeployments!.map((d) => d.status)).to.deep.equal(["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]);
        expect(listed.serviceDeployments![0].serviceDeploymentArn).to.equal(next);
    });

    it("resending the declared target-group pair after a swap makes green register in the live group: production reaches it untested", async () => {
        await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen({ bakeTimeInMinutes: 0, lifecycleHooks: [] }));
        until(() => record().status === "SUCCESSFUL", 900);
        expect(await version()).to.equal("green");
        // A program that does not leave the block to ECS sends BLUE_TG as the target group again (#45678).
        await update({ kind: "smoke-5xx", migration: "ok", version: "broken" }, blueGreen(), { loadBalancers: true });
        expect(record().lifecycle!.greenTg, "green goes to the group serving production").to.equal(GREEN_TG);
        until(() => record().lifecycle!.stage === "POST_SCALE_UP", 600);
        const answers = await Promise.all(Array.from({ length: 4 }, () => version()));
        expect(answers, "production requests reach the untested revision before any test").to.include("502");
    });

    it("a green that fails the test through the header is rolled back by ContinueServiceDeployment ROLLBACK; blue serves throughout", async () => {
        const arn = await update({ kind: "smoke-5xx", migration: "ok", version: "green" }, blueGreen());
        until(() => record().lifecycle!.hooks.some((h) => h.status === "AWAITING_ACTION"), 600);
        expect(await version({ "x-berth-test": "1" }), "green, reached by the test header, answers 502").to.equal("502");
        expect(await version()).to.equal("blue");
        const hookId = (await describe(arn)).lifecycleHookDetails![0].hookId!;
        await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: "ROLLBACK" }));
        const requested = await describe(arn);
        expect(requested.status).to.equal("ROLLBACK_REQUESTED");
        expect(requested.statusReason).to.equal(`The deployment was rolled back by ContinueServiceDeployment with action ROLLBACK on lifecycle hook ${hookId} at POST_TEST_TRAFFIC_SHIFT.`);
        expect(requested.rollback?.serviceRevisionArn).to.equal(requested.sourceServiceRevisions![0].arn);
        const seen: string[] = [];
        for (let i = 0; i < 60 && !seen.includes("ROLLBACK_SUCCESSFUL"); i++) {
            const d = await describe(arn);
            const step = `${d.status}${d.lifecycleStage ? ` ${d.lifecycleStage}` : ""}`;
            if (seen.at(-1) !== step) seen.push(step);
            clock.t += 1000;
        }
        // Rolling back, ECS walks the traffic stages again (production, then test traffic back to blue), then cleans up.
        expect(seen).to.deep.equal([
            "ROLLBACK_REQUESTED POST_TEST_TRAFFIC_SHIFT",
            "ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT",
            "ROLLBACK_IN_PROGRESS TEST_TRAFFIC_SHIFT",
            "ROLLBACK_IN_PROGRESS CLEAN_UP",
            "ROLLBACK_SUCCESSFUL",
        ]);
        expect(await version({ "x-berth-test": "1" }), "the test rule is back on blue").to.equal("blue");
        expect(await version()).to.equal("blue");
        const svc = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0];
        expect(svc.deployments!.map((d) => `${d.status} ${d.rolloutState}`)).to.deep.equal(["PRIMARY COMPLETED"]);
        expect(svc.taskDefinition).to.equal(sim.ecs.taskDefinition("berth-dev-catalog:1")!.arn);
        // The hook no longer waits: acting on it again fails the way ECS fails.
        const again = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: "CONTINUE" })).catch((e: Error) => e);
        expect(again).to.include({ name: "InvalidParameterException", message: "The service deployment is in ROLLBACK_SUCCESSFUL status. You can only continue a service deployment that is IN_PROGRESS." });
    });

    it("a hook nobody answers times out into its action (ROLLBACK); continuing it afterwards is refused", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen({ lifecycleHooks: [{ ...PAUSE_AFTER_TEST, timeoutConfiguration: { timeoutInMinutes: 3, action: "ROLLBACK" } }] }));
        until(() => record().lifecycle!.hooks.some((h) => h.status === "AWAITING_ACTION"), 600);
        const hook = (await describe(arn)).lifecycleHookDetails![0];
        clock.t = hook.expiresAt!.getTime() - 1000;
        expect((await describe(arn)).status).to.equal("IN_PROGRESS");
        clock.t += 1000;
        const timedOut = await describe(arn);
        expect(timedOut.status).to.equal("ROLLBACK_REQUESTED");
        expect(timedOut.statusReason).to.equal(`The lifecycle hook ${hook.hookId} at POST_TEST_TRAFFIC_SHIFT timed out; its timeout action is ROLLBACK.`);
        expect(timedOut.lifecycleHookDetails!.map((h) => h.status), "the hook stays listed with what became of it").to.deep.equal(["TIMED_OUT"]);
        const late = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId, action: "CONTINUE" })).catch((e: Error) => e);
        expect(late).to.include({ name: "InvalidParameterException", message: "The service deployment is in ROLLBACK_REQUESTED status. You can only continue a service deployment that is IN_PROGRESS." });
        until(() => record().status === "ROLLBACK_SUCCESSFUL", 120);
        expect(await version()).to.equal("blue");
    });

    it("with timeout action CONTINUE an unanswered hook lets the deployment proceed", async () => {
        await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen({ bakeTimeInMinutes: 1, lifecycleHooks: [{ ...PAUSE_AFTER_TEST, timeoutConfiguration: { timeoutInMinutes: 2, action: "CONTINUE" } }] }));
        until(() => record().status === "SUCCESSFUL", 900);
        expect(await version()).to.equal("green");
    });

    it("ContinueServiceDeployment on an unknown deployment or hook fails with ECS's exceptions", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen());
        const unknown = `arn:aws:ecs:${REGION}:123456789012:service-deployment/${CLUSTER}/${SERVICE}/nosuchdeployment0000`;
        const missing = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: unknown, hookId: "ecs-pause-x", action: "CONTINUE" })).catch((e: Error) => e);
        expect(missing).to.include({ name: "ServiceDeploymentNotFoundException", message: `The service deployment ${unknown} does not exist.` });
        const early = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: "ecs-pause-x", action: "CONTINUE" })).catch((e: Error) => e);
        expect(early).to.include({ name: "InvalidParameterException", message: "The lifecycle hook ecs-pause-x was not found for the service deployment." });
        until(() => record().lifecycle!.hooks.some((h) => h.status === "AWAITING_ACTION"), 600);
        const hookId = record().lifecycle!.hooks[0].hookId;
        await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: "CONTINUE" }));
        const twice = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: "CONTINUE" })).catch((e: Error) => e);
        expect(twice).to.include({ name: "InvalidParameterException", message: `The lifecycle hook ${hookId} is in SUCCEEDED status. You can only act on a hook that is AWAITING_ACTION.` });
    });

    it("a deployment alarm going into ALARM during bake (green degrades under production traffic) rolls back to blue at once", async () => {
        const arn = await update({ kind: "degrades", migration: "ok", version: "green" }, blueGreen({ bakeTimeInMinutes: 30 }));
        until(() => record().lifecycle!.hooks.some((h) => h.status === "AWAITING_ACTION"), 600);
        expect(await version({ "x-berth-test": "1" }), "green passes a test made early").to.equal("green");
        await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: record().lifecycle!.hooks[0].hookId, action: "CONTINUE" }));
        until(() => record().lifecycle?.stage === "BAKE_TIME", 120);
        const bakeStarted = clock.t;
        until(() => record().status !== "IN_PROGRESS", 30 * 60);
        const rolled = await describe(arn);
        expect(rolled.status).to.equal("ROLLBACK_REQUESTED");
        expect(rolled.statusReason).to.equal(`CloudWatch alarm(s) ${ALARM} in ALARM state.`);
        expect(rolled.alarms).to.deep.equal({ status: "TRIGGERED", alarmNames: [ALARM], triggeredAlarmNames: [ALARM] });
        expect(clock.t - bakeStarted, "well inside the 30-minute bake").to.be.lessThan(10 * 60_000);
        until(() => record().status === "ROLLBACK_SUCCESSFUL", 120);
        expect(await version()).to.equal("blue");
    });

    it("an alarm already in ALARM when the deployment starts fails it only once it has left ALARM and moved into it again", async () => {
        sim.ecs.cloudwatch.force(ALARM, "ALARM");
        await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen({ lifecycleHooks: [] }));
        until(() => record().lifecycle!.stage === "BAKE_TIME", 600);
        expect(record().status, "still firing from before: not a move into ALARM").to.equal("IN_PROGRESS");
        sim.ecs.cloudwatch.force(ALARM, "OK");
        clock.t += 1000;
        sim.ecs.advance();
        sim.ecs.cloudwatch.force(ALARM, "ALARM");
        clock.t += 1000;
        sim.ecs.advance();
        expect(record().status).to.equal("ROLLBACK_REQUESTED");
    });

    it("StopServiceDeployment (ROLLBACK) during bake goes back to blue at once; on a finished deployment it is a ConflictException", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, blueGreen({ lifecycleHooks: [] }));
        until(() => record().lifecycle!.stage === "BAKE_TIME", 600);
        expect(await version()).to.equal("green");
        await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }));
        expect((await describe(arn)).statusReason).to.equal("The deployment was rolled back by StopServiceDeployment.");
        until(() => record().status === "ROLLBACK_IN_PROGRESS", 30, 1);
        expect(await version(), "production is back on blue as soon as the rollback starts").to.equal("blue");
        until(() => record().status === "ROLLBACK_SUCCESSFUL", 120);
        const conflict = await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" })).catch((e: Error) => e);
        expect(conflict).to.include({ name: "ConflictException", message: "The service deployment is in ROLLBACK_SUCCESSFUL status and cannot be stopped." });
    });

    it("green tasks that crash trip the circuit breaker during SCALE_UP: rolled back, production never left blue", async () => {
        const arn = await update({ kind: "crash", migration: "ok", version: "green" }, blueGreen());
        until(() => record().status === "ROLLBACK_SUCCESSFUL", 900);
        const out = await describe(arn);
        expect(out.statusReason).to.equal("ECS deployment circuit breaker: tasks failed to start.");
        expect(out.deploymentCircuitBreaker).to.include({ status: "TRIGGERED", threshold: 3 });
        // Two tasks crash together: the count may pass the threshold before ECS acts, as the real one does.
        expect(out.deploymentCircuitBreaker!.failureCount).to.be.within(3, 4);
        expect(await version()).to.equal("blue");
    });

    it("canary: canaryPercent of production on green for the canary bake, then the rest", async () => {
        await update({ kind: "healthy", migration: "ok", version: "green" }, { strategy: "CANARY", bakeTimeInMinutes: 2, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 }, lifecycleHooks: [] });
        until(() => record().lifecycle!.stage === "PRODUCTION_TRAFFIC_SHIFT", 600, 1);
        const rule = () => sim.ecs.rules.get(prodRule)!.forward.map((f) => `${f.targetGroupArn === GREEN_TG ? "green" : "blue"} ${f.weight}`);
        expect(rule()).to.deep.equal(["blue 90", "green 10"]);
        const versions = await Promise.all(Array.from({ length: 20 }, () => version()));
        expect(versions.filter((v) => v === "green").length, "2 of 20 requests").to.equal(2);
        clock.t += 5 * 60_000;
        sim.ecs.advance();
        expect(rule(), "still the canary share after the canary bake (plus the shift itself)").to.deep.equal(["blue 90", "green 10"]);
        until(() => record().lifecycle!.stage === "BAKE_TIME", 60, 1);
        expect(rule()).to.deep.equal(["blue 0", "green 100"]);
    });

    it("linear: production moves in stepPercent steps, stepBakeTimeInMinutes apart", async () => {
        await update({ kind: "healthy", migration: "ok", version: "green" }, { strategy: "LINEAR", bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 }, lifecycleHooks: [] });
        const weights: number[] = [];
        until(() => {
            const w = record().lifecycle!.productionWeight;
            if (w !== weights.at(-1)) weights.push(w);
            return record().status === "SUCCESSFUL";
        }, 1200, 1);
        expect(weights).to.deep.equal([0, 25, 50, 75, 100]);
    });

    const PAUSE_BEFORE_STEP = { targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"], timeoutConfiguration: { timeoutInMinutes: 30, action: "ROLLBACK" } } as const;

    /** Answers every waiting hook with CONTINUE until `done`, noting each hook and the production weight on green then. */
    async function continueUntil(arn: string, done: () => boolean, maxSeconds: number): Promise<{ stage: string; hookId: string; weight: number }[]> {
        const seen: { stage: string; hookId: string; weight: number }[] = [];
        for (let waited = 0; waited <= maxSeconds && !done(); waited += 1) {
            sim.ecs.advance();
            const d = await describe(arn);
            const waiting = (d.lifecycleHookDetails ?? []).find((h) => h.status === "AWAITING_ACTION");
            if (waiting) {
                seen.push({ stage: d.lifecycleStage!, hookId: waiting.hookId!, weight: d.targetServiceRevision!.requestedProductionTrafficWeight! });
                await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: waiting.hookId!, action: "CONTINUE" }));
            }
            clock.t += 1000;
        }
        return seen;
    }

    it("canary with a PAUSE at PRE_PRODUCTION_TRAFFIC_SHIFT: a new hook before each step — at 0% on green, then at the canary share; an earlier step's hook id is refused", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, { strategy: "CANARY", bakeTimeInMinutes: 1, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 }, lifecycleHooks: [PAUSE_AFTER_TEST, PAUSE_BEFORE_STEP] });
        const seen = await continueUntil(arn, () => record().status === "SUCCESSFUL", 1200);
        expect(seen.map((h) => `${h.stage} ${h.weight}`)).to.deep.equal(["POST_TEST_TRAFFIC_SHIFT 0", "PRE_PRODUCTION_TRAFFIC_SHIFT 0", "PRE_PRODUCTION_TRAFFIC_SHIFT 10"]);
        expect(new Set(seen.map((h) => h.hookId)).size, "every invocation has its own hook id").to.equal(3);
        const stale = seen[1].hookId;
        const again = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: stale, action: "CONTINUE" })).catch((e: Error) => e);
        expect(again).to.include({ name: "InvalidParameterException" });
    });

    it("canary: ROLLBACK at the pause before the rest moves takes production back to blue from the canary share", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, { strategy: "CANARY", bakeTimeInMinutes: 1, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 }, lifecycleHooks: [PAUSE_AFTER_TEST, PAUSE_BEFORE_STEP] });
        await continueUntil(arn, () => record().lifecycle!.stage === "PRODUCTION_TRAFFIC_SHIFT", 600);
        until(() => record().lifecycle!.stage === "PRE_PRODUCTION_TRAFFIC_SHIFT", 600, 1);
        const rule = () => sim.ecs.rules.get(prodRule)!.forward.map((f) => `${f.targetGroupArn === GREEN_TG ? "green" : "blue"} ${f.weight}`);
        expect(rule(), "the canary share while the second pause waits").to.deep.equal(["blue 90", "green 10"]);
        const hookId = (await describe(arn)).lifecycleHookDetails!.find((h) => h.status === "AWAITING_ACTION")!.hookId!;
        await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: "ROLLBACK" }));
        until(() => record().status === "ROLLBACK_SUCCESSFUL", 300, 1);
        expect(rule()).to.deep.equal(["blue 100", "green 0"]);
        expect(record().statusReason).to.equal(`The deployment was rolled back by ContinueServiceDeployment with action ROLLBACK on lifecycle hook ${hookId} at PRE_PRODUCTION_TRAFFIC_SHIFT.`);
    });

    it("linear with a PAUSE at PRE_PRODUCTION_TRAFFIC_SHIFT pauses before every step; an unanswered one times out into ROLLBACK", async () => {
        const arn = await update({ kind: "healthy", migration: "ok", version: "green" }, { strategy: "LINEAR", bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 }, lifecycleHooks: [PAUSE_BEFORE_STEP] });
        const seen = await continueUntil(arn, () => record().status === "SUCCESSFUL", 1200);
        expect(seen.map((h) => `${h.stage} ${h.weight}`)).to.deep.equal([0, 25, 50, 75].map((w) => `PRE_PRODUCTION_TRAFFIC_SHIFT ${w}`));
        const next = await update({ kind: "healthy", migration: "ok", version: "again" }, { strategy: "LINEAR", bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 }, lifecycleHooks: [PAUSE_BEFORE_STEP] });
        await continueUntil(next, () => record().lifecycle!.productionWeight === 25 && record().lifecycle!.stage === "PRE_PRODUCTION_TRAFFIC_SHIFT", 600);
        until(() => record().status === "ROLLBACK_SUCCESSFUL", 40 * 60, 10);
        expect(record().statusReason).to.match(/^The lifecycle hook ecs-pause-\S+ at PRE_PRODUCTION_TRAFFIC_SHIFT timed out; its timeout action is ROLLBACK\.$/);
    });

    it("ListServiceDeployments pages newest first and filters by status and creation time", async () => {
        for (const v of ["a", "b", "c"]) {
            await update({ kind: "healthy", migration: "ok", version: v }, blueGreen({ bakeTimeInMinutes: 0, lifecycleHooks: [] }));
            until(() => record().status === "SUCCESSFUL", 900);
        }
        const after = new Date(record().createdAt - 1000);
        const page = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, maxResults: 2 }));
        expect(page.serviceDeployments).to.have.length(2);
        expect(page.nextToken).to.be.a("string");
        const rest = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, maxResults: 2, nextToken: page.nextToken }));
        expect(rest.serviceDeployments).to.have.length(2);
        expect(rest.nextToken).to.equal(undefined);
        const recent = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, createdAt: { after }, status: ["SUCCESSFUL"] }));
        expect(recent.serviceDeployments!.map((d) => d.serviceDeploymentArn)).to.deep.equal([record().arn]);
    });

    it("UpdateService refuses a blue/green strategy without advancedConfiguration and PAUSE hooks at traffic-shift stages", async () => {
        const bare = await ecs
            .send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinition({ kind: "healthy", migration: "ok" }), deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 } }))
            .catch((e: Error) => e);
        expect(bare).to.include({ name: "InvalidParameterException", message: "The BLUE_GREEN deployment strategy requires loadBalancers[].advancedConfiguration with alternateTargetGroupArn, productionListenerRule and roleArn." });
        const atShift = await update({ kind: "healthy", migration: "ok" }, blueGreen({ lifecycleHooks: [{ ...PAUSE_AFTER_TEST, lifecycleStages: ["PRODUCTION_TRAFFIC_SHIFT"] }] })).catch((e: Error) => e);
        expect(atShift).to.include({ name: "InvalidParameterException", message: "PAUSE hooks cannot be configured at the PRODUCTION_TRAFFIC_SHIFT lifecycle stage." });
        const unknown = await update({ kind: "healthy", migration: "ok" }, blueGreen({ lifecycleHooks: [{ ...PAUSE_AFTER_TEST, lifecycleStages: ["PRE_PRODUCTION"] }] })).catch((e: Error) => e);
        expect(unknown).to.include({ name: "InvalidParameterException" });
        expect((unknown as Error).message).to.match(/^Invalid lifecycle stage: PRE_PRODUCTION\. Valid values: /);
    });
});
