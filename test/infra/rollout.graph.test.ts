// Blue/green, canary and linear services in the mocked graph: exact inputs of the alternate target group, the
// production and test rules, the role ECS shifts traffic with, the service's deployment configuration, hooks
// and alarms; the `rollout` outputs as the driver parses them; and what a later `pulumi up` leaves to ECS.
import { expect } from "chai";
import { parseStackOutputs } from "../../automation/plan/outputs";
import type { Synthesis } from "../../infra/synth/synthesize";
import type { SynthResource } from "../../infra/synth/mockEngine";
import { describeRollout } from "../../infra/synth/render";
import { engineWait, rollingDependentsOf } from "../../infra/components/rollout";
import type { RolloutSettings, RolloutStrategy } from "../../infra/config/settings";
import { baseConfig, exampleStack, ofType, one, synth, T } from "../helpers/synth";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const arnOf = (r: SynthResource) => String(r.state.arn);

function prodConfig(): Record<string, any> {
    const c = baseConfig({ "berth:environment": "prod" });
    // web: blue/green by profile; api: canary with a pause before each production step and one after; worker: unrouted, rolls.
    c["berth:services"][1].rollout = { strategy: "canary", canary: { percent: 10, bakeMinutes: 4 }, stepPauseMinutes: 12, productionPauseMinutes: 15, testTimeoutMinutes: 45 };
    return c;
}

describe("rollout: the synthesized graph of traffic-shifting services", function () {
    let prod: Synthesis;
    let dev: Synthesis;

    before(async () => {
        prod = await synth(prodConfig(), undefined, "prod");
        dev = await synth(baseConfig());
    });

    it("gives each traffic-shifting service a twin target group: same port, health check, draining and stickiness", () => {
        const primary = one(prod, T.targetGroup, "edge-web-tg");
        const alternate = one(prod, T.targetGroup, "edge-web-alt-tg");
        expect(alternate.inputs).to.deep.equal({ ...primary.inputs, name: "berth-prod-web-alt" });
        expect(alternate.parent).to.equal(primary.parent);
        expect(ofType(prod, T.targetGroup).map((t) => t.inputs.name).sort()).to.deep.equal(["berth-prod-api", "berth-prod-api-alt", "berth-prod-web", "berth-prod-web-alt"]);
        expect(ofType(dev, T.targetGroup).map((t) => t.inputs.name).sort()).to.deep.equal(["berth-dev-api", "berth-dev-web"]);
    });

    it("adds a test rule 5 before the production rule: same paths plus the test header, forwarding to the alternate; ECS owns both rules' actions", () => {
        const [listener] = ofType(prod, T.listener);
        const value = (prod.outputs.services as any).web.rollout.testTraffic.value;
        expect(value).to.match(/^[0-9a-f]{16}$/);
        const production = one(prod, T.listenerRule, "edge-web-rule-0");
        const test = one(prod, T.listenerRule, "edge-web-test-rule");
        expect(production.inputs).to.deep.equal({
            listenerArn: arnOf(listener),
            priority: 20,
            conditions: [{ pathPattern: { values: ["/*"] } }],
            actions: [{ type: "forward", targetGroupArn: arnOf(one(prod, T.targetGroup, "edge-web-tg")) }],
        });
        expect(test.inputs).to.deep.equal({
            listenerArn: arnOf(listener),
            priority: 15,
            conditions: [{ pathPattern: { values: ["/*"] } }, { httpHeader: { httpHeaderName: "x-berth-test", values: [value] } }],
            actions: [{ type: "forward", targetGroupArn: arnOf(one(prod, T.targetGroup, "edge-web-alt-tg")) }],
        });
        expect([production.ignoreChanges, test.ignoreChanges]).to.deep.equal([["actions"], ["actions"]]);
        expect(one(prod, T.listenerRule, "edge-api-test-rule").inputs.priority).to.equal(5);
        expect(one(dev, T.listenerRule, "edge-web-rule-0").ignoreChanges).to.deep.equal([]);
        expect(ofType(dev, T.listenerRule).map((r) => r.name).sort()).to.deep.equal(["edge-api-rule-0", "edge-web-rule-0"]);
    });

    it("creates the role ECS shifts traffic with, trusted by ECS, allowed only this service's two target groups and two rules", () => {
        const role = one(prod, T.role, "svc-web-lb-role");
        expect(role.inputs.name).to.equal("berth-prod-web-lb");
        expect(JSON.parse(String(role.inputs.assumeRolePolicy))).to.deep.equal({
            Version: "2012-10-17",
            Statement: [{ Sid: "EcsShiftsTraffic", Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        const policy = one(prod, T.rolePolicy, "svc-web-lb-policy");
        expect(policy.inputs.role).to.equal("berth-prod-web-lb");
        expect(JSON.parse(String(policy.inputs.policy))).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReadLoadBalancing",
                    Effect: "Allow",
                    Action: ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
                    Resource: "*",
                },
                {
                    Sid: "MoveTargets",
                    Effect: "Allow",
                    Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                    Resource: [arnOf(one(prod, T.targetGroup, "edge-web-tg")), arnOf(one(prod, T.targetGroup, "edge-web-alt-tg"))],
                },
                { Sid: "ShiftTraffic", Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: [arnOf(one(prod, T.listenerRule, "edge-web-rule-0")), arnOf(one(prod, T.listenerRule, "edge-web-test-rule"))] },
            ],
        });
        expect(arnOf(one(prod, T.listenerRule, "edge-web-rule-0"))).to.match(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule\/app\/berth-prod-alb\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
        expect(ofType(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
        expect(ofType(dev, T.role).filter((r) => r.name.endsWith("-lb-role"))).to.deep.equal([]);
    });

    it("configures the ECS service: advancedConfiguration, BLUE_GREEN with bake, a PAUSE that rolls back, alarms; the engine goes on once ECS accepted the update", () => {
        const svc = one(prod, T.ecsService, "svc-web-service");
        expect(svc.inputs.loadBalancers).to.deep.equal([
            {
                targetGroupArn: arnOf(one(prod, T.targetGroup, "edge-web-tg")),
                containerName: "web",
                containerPort: 8080,
                advancedConfiguration: {
                    alternateTargetGroupArn: arnOf(one(prod, T.targetGroup, "edge-web-alt-tg")),
                    productionListenerRule: arnOf(one(prod, T.listenerRule, "edge-web-rule-0")),
                    testListenerRule: arnOf(one(prod, T.listenerRule, "edge-web-test-rule")),
                    roleArn: "arn:aws:iam::123456789012:role/berth-prod-web-lb",
                },
            },
        ]);
        expect(svc.inputs.deploymentConfiguration).to.deep.equal({
            strategy: "BLUE_GREEN",
            bakeTimeInMinutes: "5",
            lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"], timeoutConfiguration: { action: "ROLLBACK", timeoutInMinutes: "30" } }],
        });
        expect(svc.inputs.alarms).to.deep.equal({ alarmNames: ["berth-prod-web-unhealthyhostcount", "berth-prod-web-httpcode-target-5xx-count"], enable: true, rollback: true });
        expect(svc.inputs.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
        expect(svc.ignoreChanges).to.deep.equal(["loadBalancers"]);
        // No rolling service waits for web: the rollout watch, not the engine, waits for its hooks and bake.
        expect([svc.inputs.waitForSteadyState, svc.customTimeouts]).to.deep.equal([false, undefined]);
        expect(svc.dependsOn).to.include(one(prod, T.rolePolicy, "svc-web-lb-policy").urn);
    });

    it("configures canary steps, a pause before each production step and one once production moved; a traffic-shifting dependent (web) lets the engine go on", () => {
        const svc = one(prod, T.ecsService, "svc-api-service");
        expect(svc.inputs.deploymentConfiguration).to.deep.equal({
            strategy: "CANARY",
            bakeTimeInMinutes: "5",
            canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "4" },
            lifecycleHooks: [
                { targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"], timeoutConfiguration: { action: "ROLLBACK", timeoutInMinutes: "45" } },
                { targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"], timeoutConfiguration: { action: "ROLLBACK", timeoutInMinutes: "12" } },
                { targetType: "PAUSE", lifecycleStages: ["POST_PRODUCTION_TRAFFIC_SHIFT"], timeoutConfiguration: { action: "ROLLBACK", timeoutInMinutes: "15" } },
            ],
        });
        expect([svc.inputs.waitForSteadyState, svc.customTimeouts]).to.deep.equal([false, undefined]);
    });

    it("keeps the engine waiting through hooks and bake when a rolling service depends on a traffic-shifting one, with timeouts adding both pauses and the canary bake", async () => {
        const c = prodConfig();
        // worker (unrouted, so rolling) now waits for the canary api; api waits for nothing.
        c["berth:services"][1].dependsOn = [];
        c["berth:services"][2].dependsOn = ["api"];
        const s = await synth(c, undefined, "prod");
        const api = one(s, T.ecsService, "svc-api-service");
        // 45 (test) + 2 × 12 (ECS pauses before the canary step and before the rest) + 15 + 4 (canary bake) + 5 (bake) + 20.
        expect([api.inputs.waitForSteadyState, api.customTimeouts]).to.deep.equal([true, { create: "113m", update: "113m" }]);
        expect(api.dependsOn).to.not.include(one(s, T.ecsService, "svc-worker-service").urn);
        expect(one(s, T.ecsService, "svc-worker-service").dependsOn).to.include(api.urn);
        const web = one(s, T.ecsService, "svc-web-service");
        expect([web.inputs.waitForSteadyState, web.customTimeouts]).to.deep.equal([false, undefined]);
        const rollout = parseStackOutputs(s.outputs).services.api.rollout;
        expect([rollout.engineWaits, rollout.rollingDependents]).to.deep.equal([true, ["worker"]]);
        expect(describeRollout(rollout)).to.contain("; bake 5 min; the engine waits through the bake (rolling worker waits for it); PAUSE at");
    });

    it("rolls the unrouted worker without alarms or waits; a routed rolling service still rolls back on its alarms", () => {
        const worker = one(prod, T.ecsService, "svc-worker-service");
        expect([worker.inputs.deploymentConfiguration, worker.inputs.alarms, worker.ignoreChanges, worker.customTimeouts]).to.deep.equal([{ strategy: "ROLLING" }, undefined, [], undefined]);
        // Rolling services keep the steady-state wait (the provider's 20 minutes): it is what orders their dependents.
        expect([worker.inputs.waitForSteadyState, one(dev, T.ecsService, "svc-web-service").inputs.waitForSteadyState]).to.deep.equal([true, true]);
        const web = one(dev, T.ecsService, "svc-web-service");
        expect([web.inputs.deploymentConfiguration, web.inputs.alarms, web.ignoreChanges]).to.deep.equal([
            { strategy: "ROLLING" },
            { alarmNames: ["berth-dev-web-unhealthyhostcount", "berth-dev-web-httpcode-target-5xx-count"], enable: true, rollback: true },
            [],
        ]);
        expect((web.inputs.loadBalancers as object[])[0]).to.not.have.property("advancedConfiguration");
    });

    it("sends the load-balancer block in the one update that switches a rolling service over (rollout.switching)", async () => {
        const c = prodConfig();
        c["berth:services"][0].rollout = { switching: true };
        const s = await synth(c, undefined, "prod");
        expect(one(s, T.ecsService, "svc-web-service").ignoreChanges).to.deep.equal([]);
        expect(one(s, T.ecsService, "svc-api-service").ignoreChanges).to.deep.equal(["loadBalancers"]);
    });

    it("alarms of a traffic-shifting service add up both target groups (green is in either); a rolling one watches its own", () => {
        const tg = (name: string) => String(one(prod, T.targetGroup, name).state.arnSuffix);
        const lb = String(ofType(prod, T.alb)[0].state.arnSuffix);
        const fiveXx = one(prod, ALARM, "observability-web-target-5xx");
        const metric = (id: string, target: string) => ({
            id,
            returnData: false,
            metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { TargetGroup: target, LoadBalancer: lb }, period: 60, stat: "Sum" },
        });
        expect(fiveXx.inputs.metricQueries).to.deep.equal([
            { id: "total", expression: "FILL(m1, 0) + FILL(m2, 0)", label: "HTTPCode_Target_5XX_Count (sum)", returnData: true },
            metric("m1", tg("edge-web-tg")),
            metric("m2", tg("edge-web-alt-tg")),
        ]);
        expect(fiveXx.inputs).to.deep.include({ name: "berth-prod-web-httpcode-target-5xx-count", threshold: 5, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 2, treatMissingData: "notBreaching" });
        expect(fiveXx.inputs).to.not.have.any.keys("metricName", "dimensions");
        const unhealthy = one(prod, ALARM, "observability-web-unhealthy");
        expect((unhealthy.inputs.metricQueries as { metric?: { dimensions: { TargetGroup: string } } }[]).slice(1).map((q) => q.metric!.dimensions.TargetGroup)).to.deep.equal([tg("edge-web-tg"), tg("edge-web-alt-tg")]);
        const rolling = one(dev, ALARM, "observability-web-target-5xx");
        expect(rolling.inputs).to.deep.include({ metricName: "HTTPCode_Target_5XX_Count", statistic: "Sum", period: 60, dimensions: { TargetGroup: String(one(dev, T.targetGroup, "edge-web-tg").state.arnSuffix), LoadBalancer: String(ofType(dev, T.alb)[0].state.arnSuffix) } });
        // Every alarm name a service rolls back on exists in the graph.
        const names = new Set(ofType(prod, ALARM).map((a) => a.inputs.name));
        for (const svc of ofType(prod, T.ecsService)) for (const n of ((svc.inputs.alarms as { alarmNames: string[] } | undefined)?.alarmNames ?? [])) expect(names.has(n), n).to.equal(true);
    });

    it("emits the rollout block the driver parses: strategy, bake, steps, pauses, test header, alternate and alarms", () => {
        // As the driver receives them: JSON from the Automation API.
        const parsed = JSON.parse(JSON.stringify(parseStackOutputs(prod.outputs))) as ReturnType<typeof parseStackOutputs>;
        const alternate = (n: string) => arnOf(one(prod, T.targetGroup, `edge-${n}-alt-tg`));
        const test = { header: "x-berth-test", value: parsed.services.web.rollout.testTraffic!.value };
        expect(parsed.services.web.rollout).to.deep.equal({
            strategy: "blueGreen",
            bakeMinutes: 5,
            pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 30 }],
            testTraffic: test,
            alternateTargetGroupArn: alternate("web"),
            alarmNames: ["berth-prod-web-unhealthyhostcount", "berth-prod-web-httpcode-target-5xx-count"],
            engineWaits: false,
        });
        expect(parsed.services.api.rollout).to.deep.equal({
            strategy: "canary",
            bakeMinutes: 5,
            canary: { percent: 10, bakeMinutes: 4 },
            pauseHooks: [
                { stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 45 },
                { stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", timeoutMinutes: 12 },
                { stage: "POST_PRODUCTION_TRAFFIC_SHIFT", timeoutMinutes: 15 },
            ],
            testTraffic: test,
            alternateTargetGroupArn: alternate("api"),
            alarmNames: ["berth-prod-api-unhealthyhostcount", "berth-prod-api-httpcode-target-5xx-count"],
            engineWaits: false,
        });
        expect(parsed.services.worker.rollout).to.deep.equal({ strategy: "rolling", bakeMinutes: 0, pauseHooks: [], alarmNames: [], engineWaits: true });
        expect(JSON.parse(JSON.stringify(parseStackOutputs(dev.outputs).services.web.rollout))).to.deep.equal({
            strategy: "rolling",
            bakeMinutes: 0,
            pauseHooks: [],
            alarmNames: ["berth-dev-web-unhealthyhostcount", "berth-dev-web-httpcode-target-5xx-count"],
            engineWaits: true,
        });
        // The header value is the test rule's, and stable for the stack.
        expect((one(prod, T.listenerRule, "edge-api-test-rule").inputs.conditions as { httpHeader?: { values: string[] } }[])[1].httpHeader!.values).to.deep.equal([test.value]);
    });

    it("the next `pulumi up` after a finished blue/green deployment changes nothing: ECS's swaps land only on inputs berth leaves to ECS", async () => {
        // What ECS does behind Pulumi once green took over: the rules forward to the other group, and the
        // service's target group and alternate trade places.
        const swap = (r: SynthResource): Record<string, unknown> => {
            const tg = arnOf(one(prod, T.targetGroup, "edge-web-tg"));
            const alt = arnOf(one(prod, T.targetGroup, "edge-web-alt-tg"));
            const flip = (v: unknown) => JSON.parse(JSON.stringify(v).split(tg).join("\u0000").split(alt).join(tg).split("\u0000").join(alt));
            if (r.name === "edge-web-rule-0" || r.name === "edge-web-test-rule") return { ...r.inputs, actions: flip(r.inputs.actions) };
            if (r.name === "svc-web-service") return { ...r.inputs, loadBalancers: flip(r.inputs.loadBalancers) };
            return r.inputs;
        };
        const again = await synth(prodConfig(), undefined, "prod");
        const changed = (withIgnore: boolean) =>
            again.resources.flatMap((r) => {
                const old = prod.resources.find((x) => x.urn === r.urn)!;
                const live = swap(old);
                const ignored = withIgnore ? (r.ignoreChanges ?? []) : [];
                return Object.keys({ ...live, ...r.inputs })
                    .filter((k) => !ignored.includes(k) && JSON.stringify(live[k]) !== JSON.stringify(r.inputs[k]))
                    .map((k) => `${r.name}.${k}`);
            });
        expect(changed(true)).to.deep.equal([]);
        // Without ignoreChanges Pulumi would put the declared pair back, and the next deployment would go wrong.
        expect(changed(false).sort()).to.deep.equal(["edge-web-rule-0.actions", "edge-web-test-rule.actions", "svc-web-service.loadBalancers"]);
    });

    it("parents every new child by its component and names it after it (the role under the service, target groups and rules under the edge)", () => {
        for (const name of ["edge-web-alt-tg", "edge-web-test-rule", "svc-web-lb-role", "svc-web-lb-policy", "observability-web-target-5xx"]) {
            const child = prod.resources.find((r) => r.name === name)!;
            const parent = prod.resources.find((r) => r.urn === child.parent)!;
            expect(parent.type.startsWith("berth:"), name).to.equal(true);
            expect(name.startsWith(`${parent.name}-`), `${name} under ${parent.name}`).to.equal(true);
        }
    });

    it("describes each service's rollout in one line for synth", () => {
        const out = prod.outputs.services as Record<string, { rollout: Parameters<typeof describeRollout>[0] }>;
        expect(describeRollout(out.api.rollout)).to.equal(
            "canary; canary 10% for 4 min; bake 5 min; the engine goes on once ECS accepted the update (berth's watch waits for the bake); PAUSE at POST_TEST_TRAFFIC_SHIFT (rolls back after 45 min); PAUSE at PRE_PRODUCTION_TRAFFIC_SHIFT (rolls back after 12 min); PAUSE at POST_PRODUCTION_TRAFFIC_SHIFT (rolls back after 15 min); test header x-berth-test; alarms berth-prod-api-unhealthyhostcount, berth-prod-api-httpcode-target-5xx-count",
        );
        expect(describeRollout(out.worker.rollout)).to.equal("rolling; no deployment alarms (not routed)");
        expect(describeRollout(undefined)).to.equal("rolling");
    });
});

describe("rollout: the example stacks", () => {
    it("prod deploys its routed services blue/green by profile and orders as a canary; dev rolls everything", async () => {
        const prod = await exampleStack("prod");
        const dev = await exampleStack("dev");
        const strategies = (s: Synthesis) => Object.fromEntries(Object.entries(parseStackOutputs(s.outputs).services).map(([k, v]) => [k, v.rollout.strategy]));
        expect(strategies(prod)).to.deep.equal({ "api-gateway": "blueGreen", accounts: "blueGreen", orders: "canary" });
        expect(new Set(Object.values(strategies(dev)))).to.deep.equal(new Set(["rolling"]));
        expect(one(prod, T.ecsService, "svc-orders-service").inputs.deploymentConfiguration).to.deep.include({ strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } });
        // Autoscaling owns the count and ECS the load-balancer block: a later `up` touches neither.
        expect(one(prod, T.ecsService, "svc-api-gateway-service").ignoreChanges).to.deep.equal(["desiredCount", "loadBalancers"]);
        // No rolling service waits for a traffic-shifting one in prod: the engine goes on at every service, bakes overlap.
        expect(["api-gateway", "accounts", "orders"].map((n) => one(prod, T.ecsService, `svc-${n}-service`).inputs.waitForSteadyState)).to.deep.equal([false, false, false]);
    });
});

describe("rollout: how the engine waits for each service (engineWait)", () => {
    const r = (strategy: RolloutStrategy, extra: Partial<RolloutSettings> = {}): RolloutSettings => ({ strategy, bakeMinutes: 5, testTimeoutMinutes: 30, testHeader: "x-berth-test", switching: false, ...extra });
    it("rolling waits for steady state on the provider's timeout; traffic-shifting goes on unless a rolling service depends on it", () => {
        const table: [RolloutSettings, string[], ReturnType<typeof engineWait>][] = [
            [r("rolling"), [], { waitForSteadyState: true, rollingDependents: [] }],
            [r("rolling"), ["x"], { waitForSteadyState: true, rollingDependents: [] }],
            [r("blueGreen"), [], { waitForSteadyState: false, rollingDependents: [] }],
            [r("blueGreen"), ["worker"], { waitForSteadyState: true, timeoutMinutes: 55, rollingDependents: ["worker"] }],
            [r("linear", { linear: { stepPercent: 25, intervalMinutes: 2 } }), ["a", "b"], { waitForSteadyState: true, timeoutMinutes: 30 + 6 + 5 + 20, rollingDependents: ["a", "b"] }],
            [r("canary", { canary: { percent: 10, bakeMinutes: 4 } }), [], { waitForSteadyState: false, rollingDependents: [] }],
        ];
        for (const [settings, dependents, expected] of table) expect(engineWait(settings, dependents), `${settings.strategy} ${dependents}`).to.deep.equal(expected);
    });

    it("finds the rolling services that wait for a service, not the traffic-shifting ones", () => {
        const services = [
            { name: "api", waitsFor: [], rollout: { strategy: "blueGreen" as const } },
            { name: "web", waitsFor: ["api"], rollout: { strategy: "canary" as const } },
            { name: "worker", waitsFor: ["api", "web"], rollout: { strategy: "rolling" as const } },
            { name: "cron", waitsFor: ["web"], rollout: { strategy: "rolling" as const } },
        ];
        expect(["api", "web", "worker"].map((n) => rollingDependentsOf(n, services))).to.deep.equal([["worker"], ["worker", "cron"], []]);
    });
});
