// `status`: what runs now, per service — the running task definition, counts, deployments, target health and
// the released digest — and how the last run ended. Read from ECS, the load balancer and the release store, never
// from what berth meant to do.
import type { StatusReport } from "../plan/status";
import { taskDefinitionLabel } from "../plan/verify";
import type { LoadBalancerPort } from "../ports";
import { timingOf } from "../stages/record";
import { readOutputs } from "../stages/resolve";
import { describeAll } from "../stages/status";
import type { ReleaseDeps } from "../stages/types";

export type StatusDeps = Pick<ReleaseDeps, "stack" | "ecs" | "elb" | "store">;

export async function readStatus(deps: StatusDeps): Promise<StatusReport> {
    const outputs = await readOutputs({ deps: deps as ReleaseDeps, timing: timingOf(), log: () => undefined });
    const released = await deps.store.readReleased();
    // The outcome history only adds the last run's state: a corrupt one is said, not fatal.
    const outcomes = await deps.store.listOutcomes().then(
        (list) => (list[0] ? { lastRun: list[0] } : {}),
        (error: Error) => ({ outcomesProblem: error.message }),
    );
    const names = Object.keys(outputs.services);
    const statuses = await describeAll(deps.ecs, outputs, names);
    const services: StatusReport["services"] = [];
    for (const name of names) {
        const st = statuses.get(name);
        const svc = outputs.services[name];
        const targets = svc.targetGroupArn ? await targetCounts(deps.elb, svc.targetGroupArn) : undefined;
        services.push({
            service: name,
            serviceName: svc.serviceName,
            ...(st ? { runningTaskDefinition: taskDefinitionLabel(st.taskDefinition) } : {}),
            stackTaskDefinition: taskDefinitionLabel(svc.taskDefinitionArn),
            matchesStack: st?.taskDefinition === svc.taskDefinitionArn,
            counts: { desired: st?.desiredCount ?? 0, running: st?.runningCount ?? 0, pending: st?.pendingCount ?? 0 },
            deployments: (st?.deployments ?? []).map((d) => ({
                status: d.status,
                ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
                taskDefinition: taskDefinitionLabel(d.taskDefinition),
                running: d.runningCount,
                desired: d.desiredCount,
                failedTasks: d.failedTasks,
            })),
            ...(targets ? { targets } : {}),
            ...(released?.images[name] ? { releasedDigest: released.images[name] } : {}),
        });
    }
    return { stack: deps.stack.name, cluster: outputs.clusterName, ...(released ? { released: { releaseId: released.releaseId, sha: released.sha, releasedAt: released.releasedAt, ...(released.promotedFrom ? { promotedFrom: released.promotedFrom } : {}) } } : {}), ...outcomes, services };
}

async function targetCounts(elb: LoadBalancerPort, targetGroupArn: string): Promise<NonNullable<StatusReport["services"][number]["targets"]>> {
    const health = await elb.targetHealth(targetGroupArn);
    const states: Record<string, number> = {};
    for (const t of health) states[t.state] = (states[t.state] ?? 0) + 1;
    return { healthy: states.healthy ?? 0, total: health.length, states };
}

