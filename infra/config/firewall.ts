// The traffic graph between berth's security groups, planned as data (F10): internet → ALB → routed
// services, caller → declared dependency, database users → RDS, everything → HTTPS out; and the
// per-group rule quota AWS enforces, checked before anything is declared.
import type { ServiceSettings, Settings } from "./settings";

/** What the plan reads: the catalogue, whether the ALB serves HTTPS, the database port, a migration. */
export interface FirewallInputs {
    services: readonly Pick<ServiceSettings, "name" | "port" | "routes" | "dependsOn" | "database">[];
    loadBalancer: Pick<Settings["loadBalancer"], "certificateArn">;
    database: Pick<Settings["database"], "port">;
    migration?: unknown;
}

/** A security group berth owns: the ALB, the database, the migration task, or one per service. */
export type GroupId = "alb" | "db" | "migration" | `service:${string}`;
export type Peer = { group: GroupId } | { cidr: string };

export interface FirewallRule {
    direction: "ingress" | "egress";
    group: GroupId;
    peer: Peer;
    port: number;
    description: string;
}

export const ANYWHERE = "0.0.0.0/0";

/** The whole traffic graph of a stack (F10): nothing here that the catalogue did not declare. */
export function planFirewall(settings: FirewallInputs): FirewallRule[] {
    const rules: FirewallRule[] = [];
    const both = (from: GroupId, to: GroupId, port: number, why: string) => {
        rules.push({ direction: "ingress", group: to, peer: { group: from }, port, description: `${why} (from ${from})` });
        rules.push({ direction: "egress", group: from, peer: { group: to }, port, description: `${why} (to ${to})` });
    };
    const listenerPorts = settings.loadBalancer.certificateArn ? [80, 443] : [80];
    for (const port of listenerPorts) {
        rules.push({ direction: "ingress", group: "alb", peer: { cidr: ANYWHERE }, port, description: `public ${port === 443 ? "HTTPS" : "HTTP"} to the load balancer` });
    }
    const byName = new Map(settings.services.map((s) => [s.name, s]));
    for (const s of settings.services) {
        const group: GroupId = `service:${s.name}`;
        if (s.routes.length > 0) both("alb", group, s.port, `ALB to ${s.name}`);
        for (const dep of s.dependsOn) {
            const target = byName.get(dep);
            if (target) both(group, `service:${dep}`, target.port, `${s.name} calls ${dep}`);
        }
        if (s.database) both(group, "db", settings.database.port, `${s.name} uses the database`);
        rules.push({ direction: "egress", group, peer: { cidr: ANYWHERE }, port: 443, description: "HTTPS to AWS APIs (ECR, logs, secrets)" });
    }
    if (settings.migration) {
        both("migration", "db", settings.database.port, "migration task uses the database");
        rules.push({ direction: "egress", group: "migration", peer: { cidr: ANYWHERE }, port: 443, description: "HTTPS to AWS APIs (ECR, logs, secrets)" });
    }
    return rules;
}

/** Inbound and outbound rules per security group, each (AWS VPC quotas, default; adjustable per account). */
export const SG_RULE_QUOTA = 60;

/** Rules that would exceed the quota, per group and direction: config key (without namespace) and message. */
export function ruleQuotaProblems(rules: readonly FirewallRule[], services: readonly Pick<ServiceSettings, "name">[]): { key: string; message: string }[] {
    const counts = new Map<string, { group: GroupId; direction: FirewallRule["direction"]; n: number }>();
    for (const r of rules) {
        const id = `${r.group}|${r.direction}`;
        const entry = counts.get(id) ?? { group: r.group, direction: r.direction, n: 0 };
        entry.n++;
        counts.set(id, entry);
    }
    const problems: { key: string; message: string }[] = [];
    for (const { group, direction, n } of counts.values()) {
        if (n <= SG_RULE_QUOTA) continue;
        const dir = direction === "ingress" ? "inbound" : "outbound";
        const limit = `its security group would need ${n} ${dir} rules; AWS allows ${SG_RULE_QUOTA} ${dir} rules per security group (F10)`;
        if (group === "db") {
            problems.push({ key: "database", message: `${limit}: give fewer services database: true (one rule each, plus the migration task); let the others reach the data through a service that has it` });
        } else if (group === "alb") {
            problems.push({ key: "services", message: `the load balancer: ${limit}, one per routed service: route fewer services directly, e.g. through a gateway service` });
        } else if (group === "migration") {
            problems.push({ key: "migration", message: limit });
        } else {
            const name = group.slice("service:".length);
            const i = services.findIndex((s) => s.name === name);
            const fix = direction === "ingress" ? `fewer services can list "${name}" in dependsOn (one rule per caller): put a gateway service in front of it, or split the catalogue across stacks` : `"${name}" calls too many services (one rule per dependsOn entry): call some of them through a gateway service, or split the catalogue across stacks`;
            problems.push({ key: `services[${i}]`, message: `"${name}": ${limit}: ${fix}` });
        }
    }
    return problems;
}
