// What a service's rollout settings become on the ECS service: deploymentConfiguration (strategy, bake, canary
// or linear steps, PAUSE hooks), the time Pulumi may wait for a deployment, and the least-privilege policy of
// the role ECS shifts traffic with. Pure; the Service component and the stack outputs use it.
import type { RolloutSettings } from "../config/settings";
import { ECS_STRATEGY, doubledMinutes, shiftsTraffic, trafficSteps } from "../config/rollout";

/** A PAUSE hook as the driver answers it (automation/plan/outputs.ts `pauseHooks`). */
export interface PauseHook {
    stage: "POST_TEST_TRAFFIC_SHIFT" | "PRE_PRODUCTION_TRAFFIC_SHIFT" | "POST_PRODUCTION_TRAFFIC_SHIFT";
    timeoutMinutes: number;
}

/**
 * The PAUSE hooks of a traffic-shifting service. Every one times out to ROLLBACK: a driver that died (or never
 * came) leaves blue serving, never a half-tested green. PAUSE is not allowed at TEST_TRAFFIC_SHIFT or
 * PRODUCTION_TRAFFIC_SHIFT, so berth pauses once test traffic reaches green (POST_TEST_TRAFFIC_SHIFT); for canary
 * and linear, if asked, before every production traffic step (PRE_PRODUCTION_TRAFFIC_SHIFT: ECS invokes it before
 * the first step and again before each later one, production then partly on green); and, if asked, once all
 * production traffic moved and blue still runs (POST_PRODUCTION_TRAFFIC_SHIFT).
 *
 * @pulumi/aws 7.48 documents seven lifecycle stages without PRE_PRODUCTION_TRAFFIC_SHIFT (the text of the Terraform
 * docs), but terraform-provider-aws validates `lifecycle_stages` with enum.Validate[awstypes.DeploymentLifecycleHookStage]:
 * the ECS Go SDK's enum, generated from the same API model as @aws-sdk/client-ecs, whose enum has the stage. A
 * provider vendoring a Go SDK from before canary and linear would refuse it at preview ("expected
 * lifecycle_stages.0 to be one of ..."), before anything changed; without stepPauseMinutes nothing asks for it.
 */
export function pauseHooks(r: RolloutSettings): PauseHook[] {
    if (!shiftsTraffic(r.strategy)) return [];
    const hooks: PauseHook[] = [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: r.testTimeoutMinutes }];
    if (r.stepPauseMinutes !== undefined && (r.strategy === "canary" || r.strategy === "linear")) hooks.push({ stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", timeoutMinutes: r.stepPauseMinutes });
    if (r.productionPauseMinutes !== undefined) hooks.push({ stage: "POST_PRODUCTION_TRAFFIC_SHIFT", timeoutMinutes: r.productionPauseMinutes });
    return hooks;
}

/** How many times ECS invokes a hook of this stage in one deployment: PRE_PRODUCTION_TRAFFIC_SHIFT before every step. */
export function hookInvocations(stage: PauseHook["stage"], r: Pick<RolloutSettings, "strategy" | "linear">): number {
    return stage === "PRE_PRODUCTION_TRAFFIC_SHIFT" ? trafficSteps(r) : 1;
}

/** `deploymentConfiguration` of the ECS service. The provider takes minutes as strings (its schema says so). */
export function deploymentConfiguration(r: RolloutSettings) {
    if (!shiftsTraffic(r.strategy)) return { strategy: ECS_STRATEGY.rolling };
    return {
        strategy: ECS_STRATEGY[r.strategy],
        bakeTimeInMinutes: String(r.bakeMinutes),
        canaryConfiguration: r.canary ? { canaryPercent: r.canary.percent, canaryBakeTimeInMinutes: String(r.canary.bakeMinutes) } : undefined,
        linearConfiguration: r.linear ? { stepPercent: r.linear.stepPercent, stepBakeTimeInMinutes: String(r.linear.intervalMinutes) } : undefined,
        lifecycleHooks: pauseHooks(r).map((h) => ({
            targetType: "PAUSE",
            lifecycleStages: [h.stage],
            timeoutConfiguration: { action: "ROLLBACK", timeoutInMinutes: String(h.timeoutMinutes) },
        })),
    };
}

/** The provider's own wait for a deployment (20 minutes) when nothing pauses or bakes. */
export const PROVIDER_WAIT_MINUTES = 20;

/**
 * How long `pulumi up` may wait for a traffic-shifting deployment to settle when it waits for steady state
 * (engineWait: a rolling service depends on it; waitForSteadyState then follows hooks and bake): every pause at its
 * timeout (a step pause once per traffic step), the canary or linear steps, the bake, and the provider's own 20
 * minutes for starting and stopping tasks. Undefined for rolling: the provider's default applies.
 */
export function deploymentWaitMinutes(r: RolloutSettings): number | undefined {
    if (!shiftsTraffic(r.strategy)) return undefined;
    return pauseHooks(r).reduce((sum, h) => sum + h.timeoutMinutes * hookInvocations(h.stage, r), 0) + doubledMinutes(r) + PROVIDER_WAIT_MINUTES;
}

/** How the engine waits for one ECS service's update (waitForSteadyState and its customTimeouts). */
export interface EngineWait {
    /** The update lasts until the deployment ended (hooks and bake included); false: until ECS accepted it. */
    waitForSteadyState: boolean;
    /** customTimeouts for create and update, minutes; undefined keeps the provider's 20. */
    timeoutMinutes?: number;
    /** The rolling services that wait for this traffic-shifting one: why the engine still waits through its bake. */
    rollingDependents: string[];
}

/**
 * Rolling services wait for steady state (their deployment is short, and the engine's wait is what orders their
 * dependents). A blue/green, canary or linear service lets the engine go on once ECS accepted the update: the
 * release driver's rollout watch then holds each traffic-shifting dependent's test hook until this one moved
 * production traffic, and waits for every deployment's end (bake included) before verifying, so bakes overlap.
 * A *rolling* dependent has no hook berth could hold: when one waits for this service, the engine keeps waiting
 * through the whole deployment, bake included (that dependent starts against a dependency that finished), and the
 * service pays its bake on the critical path — stated in synth and preview. terraform-provider-aws: with
 * wait_for_steady_state false, Update returns once the service reads ACTIVE after UpdateService.
 */
export function engineWait(r: RolloutSettings, rollingDependents: readonly string[]): EngineWait {
    if (!shiftsTraffic(r.strategy)) return { waitForSteadyState: true, rollingDependents: [] };
    if (rollingDependents.length === 0) return { waitForSteadyState: false, rollingDependents: [] };
    return { waitForSteadyState: true, timeoutMinutes: deploymentWaitMinutes(r), rollingDependents: [...rollingDependents] };
}

/** The rolling services of a catalogue that wait for `name` (its rolling dependents). */
export function rollingDependentsOf(name: string, services: readonly { name: string; waitsFor: readonly string[]; rollout: Pick<RolloutSettings, "strategy"> }[]): string[] {
    return services.filter((s) => !shiftsTraffic(s.rollout.strategy) && s.waitsFor.includes(name)).map((s) => s.name);
}

/** Trust of the role ECS assumes to move traffic, as AWS documents it for the load-balancer infrastructure role. */
export function ecsInfrastructureTrust(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "EcsShiftsTraffic", Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
}

/**
 * What AWS's managed AmazonECSInfrastructureRolePolicyForLoadBalancers (v6) grants, narrowed to one service:
 * register and deregister in its own two target groups, rewrite its own production and test rules. The
 * Describe calls have no resource-level permissions in ELBv2, so they stay on "*"; ModifyListener (NLB, or a
 * listener's default action) is left out because berth always gives ECS listener rules.
 */
export function trafficShiftPolicy(p: { targetGroupArns: string[]; listenerRuleArns: string[] }): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadLoadBalancing",
                Effect: "Allow",
                Action: ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
                Resource: "*",
            },
            { Sid: "MoveTargets", Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: p.targetGroupArns },
            { Sid: "ShiftTraffic", Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: p.listenerRuleArns },
        ],
    };
}
