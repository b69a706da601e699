import { expect } from "chai";
import { decidedBy, DeploymentTimeline, describeDecision, isStoppable, judgeCanary, judgeGreen, nextStep, type BerthActions } from "../../../automation/plan/deployments";
import type { ServiceDeploymentSnapshot } from "../../../automation/ports";

const SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const snap = (over: Partial<ServiceDeploymentSnapshot> = {}): ServiceDeploymentSnapshot => ({ arn: "arn:sd/1", status: "IN_PROGRESS", hooks: [], ...over });
const hook = (status: string, hookId = "ecs-pause-1") => ({ hookId, targetType: "PAUSE", status, expiresAt: 1_000, timeoutAction: "ROLLBACK" });
const none: BerthActions = { answers: [], stopped: false };

describe("plan/deployments: reading one ECS service deployment", () => {
    it("next step: waiting, a PAUSE hook to answer (test, or canary check once production traffic is on green), bake, rolling back, finished", () => {
        const cases: [Partial<ServiceDeploymentSnapshot>, "rolling" | "blueGreen" | "canary", string[], unknown][] = [
            [{ status: "PENDING" }, "blueGreen", [], { kind: "waiting" }],
            [{ lifecycleStage: "SCALE_UP" }, "blueGreen", [], { kind: "waiting", stage: "SCALE_UP" }],
            [{ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION")] }, "blueGreen", [], { kind: "hook", hook: hook("AWAITING_ACTION"), stage: "POST_TEST_TRAFFIC_SHIFT", check: "test" }],
            [{ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION")] }, "canary", [], { kind: "hook", hook: hook("AWAITING_ACTION"), stage: "POST_TEST_TRAFFIC_SHIFT", check: "test" }],
            [{ lifecycleStage: "POST_PRODUCTION_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION")] }, "canary", [], { kind: "hook", hook: hook("AWAITING_ACTION"), stage: "POST_PRODUCTION_TRAFFIC_SHIFT", check: "canary" }],
            [{ lifecycleStage: "POST_PRODUCTION_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION")] }, "blueGreen", [], { kind: "hook", hook: hook("AWAITING_ACTION"), stage: "POST_PRODUCTION_TRAFFIC_SHIFT", check: "test" }],
            // answered already (ECS may still list it AWAITING_ACTION for a poll): nothing to do
            [{ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION")] }, "blueGreen", ["ecs-pause-1"], { kind: "waiting", stage: "POST_TEST_TRAFFIC_SHIFT" }],
            // a Lambda hook is ECS's to run, and a hook of a deployment no longer IN_PROGRESS cannot be answered
            [{ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", hooks: [{ ...hook("AWAITING_ACTION"), targetType: "AWS_LAMBDA" }] }, "blueGreen", [], { kind: "waiting", stage: "POST_TEST_TRAFFIC_SHIFT" }],
            [{ status: "STOP_REQUESTED", lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION")] }, "blueGreen", [], { kind: "waiting", stage: "POST_TEST_TRAFFIC_SHIFT" }],
            [{ lifecycleStage: "BAKE_TIME" }, "blueGreen", [], { kind: "baking", stage: "BAKE_TIME" }],
            [{ status: "ROLLBACK_REQUESTED", lifecycleStage: "BAKE_TIME" }, "blueGreen", [], { kind: "rolling-back", outcome: "ROLLBACK_REQUESTED" }],
            [{ status: "ROLLBACK_IN_PROGRESS" }, "rolling", [], { kind: "rolling-back", outcome: "ROLLBACK_IN_PROGRESS" }],
            ...(["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"] as const).map(
                (status) => [{ status, lifecycleStage: "CLEAN_UP" }, "blueGreen", [], { kind: "finished", outcome: status }] as [Partial<ServiceDeploymentSnapshot>, "blueGreen", string[], unknown],
            ),
        ];
        for (const [over, strategy, answered, expected] of cases) expect(nextStep(snap(over), { strategy }, new Set(answered)), JSON.stringify(over)).to.deep.equal(expected);
    });

    it("a step pause (PRE_PRODUCTION_TRAFFIC_SHIFT, before every canary or linear traffic step): the first checks green's test, every later one the 5xx ratio", () => {
        const waiting = { lifecycleStage: "PRE_PRODUCTION_TRAFFIC_SHIFT", hooks: [hook("AWAITING_ACTION", "ecs-pause-2")] };
        const step = (strategy: "canary" | "linear" | "blueGreen", over: Partial<ServiceDeploymentSnapshot>, answeredAtStep: number) =>
            (nextStep(snap({ ...waiting, ...over }), { strategy }, new Set(["ecs-pause-1"]), answeredAtStep) as { check?: string }).check;
        const cases: [string, "canary" | "linear" | "blueGreen", Partial<ServiceDeploymentSnapshot>, number, string][] = [
            ["canary, before the canary step", "canary", { targetTraffic: { test: 100, production: 0 } }, 0, "first-step"],
            ["canary, before the rest", "canary", { targetTraffic: { test: 100, production: 10 } }, 1, "canary"],
            // ECS's weights are snapshots that may lag: a step pause berth already answered means production moved.
            ["canary, before the rest, weight not yet reported", "canary", { targetTraffic: { test: 100, production: 0 } }, 1, "canary"],
            // a watch that started late has answered none, but the weight shows production on green
            ["canary, watch started late", "canary", { targetTraffic: { production: 10 } }, 0, "canary"],
            ["canary, no weights reported", "canary", {}, 0, "first-step"],
            ["linear, before the first step", "linear", { targetTraffic: { production: 0 } }, 0, "first-step"],
            ["linear, before the third step", "linear", { targetTraffic: { production: 50 } }, 2, "canary"],
            ["blue/green (no step pause in config; ECS's single step)", "blueGreen", { targetTraffic: { production: 0 } }, 0, "test"],
        ];
        for (const [what, strategy, over, answered, expected] of cases) expect(step(strategy, over, answered), what).to.equal(expected);
    });

    it("only PENDING and IN_PROGRESS deployments are stopped (StopServiceDeployment ROLLBACK)", () => {
        expect(["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "SUCCESSFUL"].filter((status) => isStoppable(snap({ status })))).to.deep.equal(["PENDING", "IN_PROGRESS"]);
    });

    it("judges green: 200 with this release's version on every test URL", () => {
        const url = "http://alb/orders/health";
        expect(judgeGreen([{ url, status: 200, version: SHA }], SHA)).to.deep.equal({ ok: true, detail: `${url} 200 on 1a2b3c4d5e6f` });
        expect(judgeGreen([{ url, status: 200, version: SHA.slice(0, 7) }], SHA).ok).to.equal(true);
        expect(judgeGreen([{ url, status: 503 }], SHA)).to.deep.equal({ ok: false, detail: `${url}: 503` });
        expect(judgeGreen([{ url, status: 204, version: SHA }], SHA)).to.deep.equal({ ok: false, detail: `${url}: 204` });
        expect(judgeGreen([{ url, status: 200, version: "0".repeat(40) }], SHA)).to.deep.equal({ ok: false, detail: `${url}: version 000000000000, expected 1a2b3c4d5e6f` });
        expect(judgeGreen([{ url, status: 200 }], SHA)).to.deep.equal({ ok: false, detail: `${url}: no version in the body` });
        expect(judgeGreen([{ url, error: "GET timed out" }], SHA)).to.deep.equal({ ok: false, detail: `${url}: GET timed out` });
        expect(judgeGreen([], SHA)).to.deep.equal({ ok: false, detail: "nothing was tested" });
    });

    it("judges a canary by the 5xx ratio of each target group, passing (and saying so) when too few requests came", () => {
        const tg = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/${name}/abc`;
        expect(judgeCanary([{ targetGroupArn: tg("blue"), requests: 900, errors5xx: 0 }, { targetGroupArn: tg("green"), requests: 100, errors5xx: 1 }])).to.deep.equal({ ok: true, detail: "5xx 0.1% of 1000 requests" });
        expect(judgeCanary([{ targetGroupArn: tg("blue"), requests: 900, errors5xx: 0 }, { targetGroupArn: tg("green"), requests: 100, errors5xx: 2 }])).to.deep.equal({
            ok: false,
            detail: "green 5xx 2.0% of 100 requests (limit 1.0%)",
        });
        expect(judgeCanary([{ targetGroupArn: tg("green"), requests: 19, errors5xx: 0 }])).to.deep.equal({ ok: true, detail: "19 requests in the canary window: too few to judge" });
        // a few requests that all fail still fail
        expect(judgeCanary([{ targetGroupArn: tg("green"), requests: 3, errors5xx: 3 }]).ok).to.equal(false);
        expect(judgeCanary([{ targetGroupArn: tg("green"), requests: 100, errors5xx: 1 }]).ok).to.equal(true); // at the limit, not above
    });

    it("who decided: berth's answers first, then alarms, the circuit breaker, a timed-out hook, else ECS", () => {
        const continued: BerthActions = { answers: [{ hookId: "h", action: "CONTINUE", check: "test" }], stopped: false };
        const rolledBack: BerthActions = { answers: [{ hookId: "h", action: "ROLLBACK", check: "test" }], stopped: false };
        const canaryStop: BerthActions = { answers: [{ hookId: "", action: "ROLLBACK", check: "canary" }], stopped: false };
        const alarm = { status: "TRIGGERED", alarmNames: ["a5xx", "b"], triggeredAlarmNames: ["a5xx"] };
        const cases: [Partial<ServiceDeploymentSnapshot>, BerthActions, string][] = [
            [{ status: "SUCCESSFUL" }, continued, "berth-test"],
            [{ status: "SUCCESSFUL" }, none, "ecs"],
            [{ status: "SUCCESSFUL" }, { answers: [{ hookId: "h", action: "CONTINUE", check: "canary" }], stopped: false }, "berth-canary"],
            [{ status: "ROLLBACK_SUCCESSFUL", alarms: alarm }, rolledBack, "berth-test"],
            [{ status: "ROLLBACK_SUCCESSFUL" }, canaryStop, "berth-canary"],
            [{ status: "ROLLBACK_SUCCESSFUL", alarms: alarm }, { ...continued, stopped: true }, "berth-rollback"],
            [{ status: "ROLLBACK_SUCCESSFUL", alarms: alarm }, continued, "alarm"],
            [{ status: "ROLLBACK_IN_PROGRESS", circuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 } }, none, "circuit-breaker"],
            [{ status: "ROLLBACK_SUCCESSFUL", circuitBreaker: { status: "MONITORING" }, hooks: [hook("TIMED_OUT")] }, none, "hook-timeout"],
            [{ status: "STOPPED", statusReason: "stopped by a user" }, none, "ecs"],
        ];
        for (const [over, actions, expected] of cases) expect(decidedBy(snap(over), actions), JSON.stringify([over, actions])).to.equal(expected);
        expect(describeDecision(snap({ alarms: alarm }), "alarm")).to.equal("an alarm (a5xx)");
        expect(describeDecision(snap({ statusReason: "stopped by a user" }), "ecs")).to.equal("ECS: stopped by a user");
        expect(describeDecision(snap({ hooks: [hook("TIMED_OUT")] }), "hook-timeout")).to.equal("the PAUSE hook timed out (its timeout action rolled back)");
        expect(describeDecision(snap(), "berth-test")).to.equal("berth's test");
    });

    it("timeline: time in test traffic runs from the test shift to the production shift; bake from BAKE_TIME to clean-up", () => {
        const t = new DeploymentTimeline();
        const at = (stage: string, now: number, status = "IN_PROGRESS") => t.observe(snap({ lifecycleStage: stage, status }), now);
        at("SCALE_UP", 0);
        expect(t.testTrafficMs(5)).to.equal(undefined);
        at("TEST_TRAFFIC_SHIFT", 40_000);
        at("POST_TEST_TRAFFIC_SHIFT", 50_000);
        expect(t.testTrafficMs(100_000)).to.equal(60_000); // still in test traffic: until now
        at("PRODUCTION_TRAFFIC_SHIFT", 170_000);
        at("BAKE_TIME", 180_000);
        at("BAKE_TIME", 200_000);
        expect(t.testTrafficMs(999_999)).to.equal(130_000);
        expect(t.bakeMs(300_000)).to.equal(120_000);
        at("CLEAN_UP", 480_000);
        expect(t.bakeMs(999_999)).to.equal(300_000);
        // a rollback during test traffic ends it at the rollback
        const r = new DeploymentTimeline();
        r.observe(snap({ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT" }), 10_000);
        r.observe(snap({ lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", status: "ROLLBACK_REQUESTED" }), 70_000);
        expect(r.testTrafficMs(999_999)).to.equal(60_000);
    });
});
