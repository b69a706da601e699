// What runs now, read from ECS and the load balancer (never from what berth meant to do): `status`, and the
// "what runs now" sentence of NEEDS_ATTENTION and INTERRUPTED reports.
import type { EnvironmentOutputs } from "../plan/outputs";
import { taskDefinitionLabel } from "../plan/verify";
import type { EcsPort, ServiceStatus } from "../ports";
import { message } from "./util";

export type { ServiceStatusReport, StatusReport } from "../plan/status";

export async function describeAll(ecs: EcsPort, outputs: EnvironmentOutputs, services: string[]): Promise<Map<string, ServiceStatus>> {
    const names = services.map((s) => outputs.services[s].serviceName);
    const statuses = await ecs.describeServices(outputs.clusterName, names);
    const byName = new Map(statuses.map((s) => [s.serviceName, s]));
    return new Map(services.map((s) => [s, byName.get(outputs.services[s].serviceName)!]).filter(([, st]) => st !== undefined) as [string, ServiceStatus][]);
}

/** One line per service: the task definitions its deployments run, for reports. Never throws. */
export async function whatRunsNow(ecs: EcsPort, outputs: EnvironmentOutputs, services: string[]): Promise<string> {
    if (services.length === 0) return "no service was touched";
    try {
        const found = await describeAll(ecs, outputs, services);
        return services
            .map((s) => {
                const st = found.get(s);
                if (!st) return `${s}: unknown to ECS`;
                const deps = st.deployments.map((d) => `${d.status} ${taskDefinitionLabel(d.taskDefinition)} ${d.rolloutState ?? ""} ${d.runningCount}/${d.desiredCount}`.replace(/\s+/g, " ").trim());
                return `${s}: ${deps.join(", ") || taskDefinitionLabel(st.taskDefinition)}`;
            })
            .join("; ");
    } catch (error) {
        return `could not read ECS (${message(error)}); run npm run status`;
    }
}
