// Rollout rules: routed services roll back on their alarms, traffic-shifting services pause for a test of green
// that times out to ROLLBACK, and the role ECS shifts traffic with is scoped to the service's own rules and
// target groups.
import { defineRule, isObj, list, obj, ofType, str, statements, strings, T } from "./graph";
import type { Rule } from "./types";

const MANAGED_LB_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(service-role\/)?AmazonECSInfrastructureRolePolicyForLoadBalancers$/;
/** Actions that let ECS move traffic: scoped to named resources, never "*". */
const TRAFFIC_ACTIONS = /^elasticloadbalancing:(ModifyRule|ModifyListener|RegisterTargets|DeregisterTargets|\*)$/i;

function strategyOf(svc: { inputs: Record<string, unknown> }): string {
    return str(obj(svc.inputs.deploymentConfiguration).strategy) ?? "ROLLING";
}

const deploymentAlarms = defineRule(
    { id: "BERTH.DEPLOYMENT-ALARMS", title: "Routed ECS services roll a deployment back when its alarms fire (F12, F13)", severity: "high" },
    (resources, flag) => {
        for (const svc of ofType(resources, T.ecsService)) {
            if (list(svc.inputs.loadBalancers).length === 0) continue;
            const alarms = obj(svc.inputs.alarms);
            if (alarms.enable !== true || alarms.rollback !== true || strings(alarms.alarmNames).length === 0) {
                flag(svc, `service "${svc.name}" is behind the load balancer without deployment alarms { alarmNames, enable: true, rollback: true }: a release that answers 5xx keeps running`);
            }
        }
    },
);

const testBeforeProduction = defineRule(
    { id: "BERTH.TEST-BEFORE-PRODUCTION", title: "Blue/green, canary and linear services pause for a test of green that times out to ROLLBACK", severity: "high" },
    (resources, flag) => {
        for (const svc of ofType(resources, T.ecsService)) {
            const strategy = strategyOf(svc);
            if (strategy === "ROLLING") continue;
            const hooks = list(obj(svc.inputs.deploymentConfiguration).lifecycleHooks).filter(isObj);
            const pauses = hooks.filter((h) => str(h.targetType) === "PAUSE");
            if (!pauses.some((h) => strings(h.lifecycleStages).includes("POST_TEST_TRAFFIC_SHIFT"))) {
                flag(svc, `service "${svc.name}" deploys ${strategy} without a PAUSE hook at POST_TEST_TRAFFIC_SHIFT: production traffic moves before anyone tested green`);
            }
            for (const h of pauses) {
                // ECS's default action is ROLLBACK; CONTINUE would release an untested green when the driver is gone.
                const action = str(obj(h.timeoutConfiguration).action) ?? "ROLLBACK";
                if (action !== "ROLLBACK") flag(svc, `service "${svc.name}" has a PAUSE hook at ${strings(h.lifecycleStages).join(", ")} that times out to ${action}: a lost driver would release green untested; use ROLLBACK`);
            }
        }
    },
);

const scopedTrafficRole = defineRule(
    { id: "BERTH.TRAFFIC-ROLE-SCOPE", title: "The role ECS shifts traffic with reaches only the service's own listener rules and target groups", severity: "high" },
    (resources, flag) => {
        const roleArns = new Set(
            ofType(resources, T.ecsService).flatMap((svc) =>
                list(svc.inputs.loadBalancers)
                    .filter(isObj)
                    .map((lb) => str(obj(lb.advancedConfiguration).roleArn))
                    .filter((arn): arn is string => arn !== undefined),
            ),
        );
        for (const role of ofType(resources, T.role).filter((r) => roleArns.has(str(r.state.arn) ?? ""))) {
            const name = str(role.inputs.name) ?? role.name;
            if (strings(role.inputs.managedPolicyArns).some((arn) => MANAGED_LB_POLICY.test(arn))) {
                flag(role, `role "${name}" carries AmazonECSInfrastructureRolePolicyForLoadBalancers, which may rewrite every listener rule and target group in the account; grant ModifyRule and Register/DeregisterTargets on the service's own ARNs`);
            }
            for (const att of ofType(resources, T.rolePolicyAttachment).filter((a) => a.inputs.role === name && MANAGED_LB_POLICY.test(str(a.inputs.policyArn) ?? ""))) {
                flag(att, `"${att.name}" attaches AmazonECSInfrastructureRolePolicyForLoadBalancers to role "${name}": scope ModifyRule and Register/DeregisterTargets to the service's own ARNs instead`);
            }
            for (const policy of ofType(resources, T.rolePolicy).filter((p) => p.inputs.role === name)) {
                const wide = statements(policy.inputs.policy)
                    .filter((s) => s.Effect === "Allow" && strings(s.Resource).some((r) => r.includes("*")))
                    .flatMap((s) => strings(s.Action).filter((a) => TRAFFIC_ACTIONS.test(a)));
                if (wide.length > 0) flag(policy, `policy of role "${name}" allows ${[...new Set(wide)].join(", ")} on a wildcard resource: name the service's own listener rules and target groups`);
            }
        }
    },
);

export const ROLLOUT_RULES: Rule[] = [deploymentAlarms, testBeforeProduction, scopedTrafficRole];
