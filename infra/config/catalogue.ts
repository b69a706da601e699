// Rules across the catalogue: unique names, ports and routes; dependencies that name real services; the
// rollout graph (F11), the ALB's rule budget (F08) and the security groups' rule quota (F10).
import type { RawService } from "./schema";
import { criticalFirst, findCycle, rolloutEdges, rolloutLevels } from "./graph";
import { rolloutDuration } from "./rolloutTime";
import { ALB_LIMITS, planListenerRules, ruleCount, type ListenerRulePlan } from "./routes";
import { shiftsTraffic } from "./rollout";
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

/**
 * The listener rules the routes need, test rules of traffic-shifting rollouts included, within the ALB's rule
 * budget (F08). A test rule's values stay within a rule's 5 (3 paths per condition + the header value).
 */
export function resolveListenerRules(services: ServiceSettings[], add: Add): ListenerRulePlan[] {
    const rules = planListenerRules(services.filter((s) => s.routes.length > 0).map((s) => ({ name: s.name, routes: s.routes, testRoute: shiftsTraffic(s.rollout.strategy) })));
    const total = ruleCount(rules);
    if (total > ALB_LIMITS.rulesPerLoadBalancer) {
        const tests = total - rules.length;
        const counted = tests > 0 ? ` (${rules.length} production and ${tests} test rules for blueGreen, canary and linear rollouts)` : "";
        const fixes = tests > 0 ? "merge path patterns with wildcards, roll some services instead, or split the catalogue across stacks" : "merge path patterns with wildcards or split the catalogue across stacks";
        add("services", `the routes need ${total} listener rules${counted}; an ALB allows ${ALB_LIMITS.rulesPerLoadBalancer} (F08): ${fixes}`);
    }
    return rules;
}

/** Target-group names: a traffic-shifting service "x" owns "<prefix>-x" and "<prefix>-x-alt"; no service may be called "x-alt". */
export function checkAlternateNames(services: ServiceSettings[], add: Add): void {
    const names = new Map(services.map((s, i) => [s.name, i]));
    for (const s of services) {
        const clash = names.get(`${s.name}-alt`);
        if (shiftsTraffic(s.rollout.strategy) && clash !== undefined) {
            add(`services[${clash}].name`, `"${s.name}-alt" is the name of ${s.name}'s alternate target group (${s.name} uses ${s.rollout.strategy}); rename the service`);
        }
    }
}

/** The planned security-group rules fit AWS's per-group quota (F10). */
export function checkRuleQuota(inputs: FirewallInputs, add: Add): void {
    for (const p of ruleQuotaProblems(planFirewall(inputs), inputs.services)) add(p.key, p.message);
}
