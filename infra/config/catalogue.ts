// Rules across the catalogue: unique names, ports and routes; dependencies that name real services; the
// rollout graph (F11), the ALB's rule budget (F08) and the security groups' rule quota (F10).
import type { RawService } from "./schema";
import { criticalFirst, findCycle, rolloutEdges, rolloutLevels } from "./graph";
import { rolloutDuration } from "./rolloutTime";
import { ALB_LIMITS, planListenerRules, type ListenerRulePlan } from "./routes";
import { planFirewall, ruleQuotaProblems, type FirewallInputs } from "./firewall";
import type { Add } from "./errors";
import { hintFrom } from "./suggest";
import type { ServiceSettings } from "./settings";

export function checkCatalogue(raw: RawService[], services: ServiceSettings[], add: Add): void {
    const byName = new Map<string, number>();
    const byPort = new Map<number, number>();
    const byRoute = new Map<string, string>();
    services.forEach((s, i) => {
        const first = byName.get(s.name);
        if (first !== undefined) add(`services[${i}].name`, `"${s.name}" is already used by berth:services[${first}]; service names must be unique`);
        else byName.set(s.name, i);

        const portOwner = byPort.get(s.port);
        if (portOwner !== undefined) {
            add(`services[${i}].port`, `${s.port} is already used by "${services[portOwner].name}" (berth:services[${portOwner}]); give each service its own port so security-group rules and local runs stay unambiguous (F15)`);
        } else byPort.set(s.port, i);

        s.routes.forEach((r, j) => {
            const owner = byRoute.get(r);
            if (owner !== undefined && owner !== s.name) add(`services[${i}].routes[${j}]`, `"${r}" is already routed to "${owner}"; a path pattern routes to one service (F08)`);
            else if (owner === s.name) add(`services[${i}].routes[${j}]`, `"${r}" is listed twice`);
            else byRoute.set(r, s.name);
        });
    });
    services.forEach((s, i) => {
        (raw[i].dependsOn ?? []).forEach((dep, j) => {
            const key = `services[${i}].dependsOn[${j}]`;
            if (dep === s.name) add(key, `"${s.name}" cannot depend on itself`);
            else if (!byName.has(dep)) add(key, `"${dep}" is not a service in berth:services${hintFrom(dep, [...byName.keys()])}`);
        });
    });
}

/** The rollout graph: sets each service's waitsFor and returns the levels (none when there is a cycle). */
export function resolveRollout(services: ServiceSettings[], add: Add): { levels: string[][]; declarationOrder: string[] } {
    // Unknown and self references are reported by checkCatalogue; the graph only carries real edges.
    const known = new Set(services.map((s) => s.name));
    const edges = rolloutEdges(services.map((s) => ({ name: s.name, dependsOn: s.dependsOn.filter((d) => d !== s.name && known.has(d)), priority: s.priority })));
    const cycle = findCycle(edges);
    if (cycle) {
        add("services", `dependency cycle ${cycle.join(" → ")} (dependsOn and priority together); remove one of these edges (F11)`);
    }
    for (const s of services) s.waitsFor = (edges.get(s.name) ?? []).filter((d) => d !== s.name);
    const levels = cycle ? [] : rolloutLevels(edges);
    const byName = new Map(services.map((s) => [s.name, s]));
    return { levels, declarationOrder: criticalFirst(levels, edges, (name) => rolloutDuration(byName.get(name)!)) };
}

/** The listener rules the routes need, within the ALB's rule budget (F08). */
export function resolveListenerRules(services: ServiceSettings[], add: Add): ListenerRulePlan[] {
    const rules = planListenerRules(services.filter((s) => s.routes.length > 0));
    if (rules.length > ALB_LIMITS.rulesPerLoadBalancer) {
        add("services", `the routes need ${rules.length} listener rules; an ALB allows ${ALB_LIMITS.rulesPerLoadBalancer} (F08): merge path patterns with wildcards or split the catalogue across stacks`);
    }
    return rules;
}

/** The planned security-group rules fit AWS's per-group quota (F10). */
export function checkRuleQuota(inputs: FirewallInputs, add: Add): void {
    for (const p of ruleQuotaProblems(planFirewall(inputs), inputs.services)) add(p.key, p.message);
}
