// Security groups and the exact traffic graph between them: internet → ALB → routed services, caller →
// declared dependency, database users → RDS, everything → HTTPS out. Planned as data, then created.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Settings } from "../config/settings";
import type { Naming } from "../naming";

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
export function planFirewall(settings: Pick<Settings, "services" | "loadBalancer" | "database" | "migration">): FirewallRule[] {
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

function slugOf(id: GroupId): string {
    return id.startsWith("service:") ? id.slice("service:".length) : id;
}

export interface FirewallArgs {
    naming: Naming;
    vpcId: pulumi.Input<string>;
    settings: Pick<Settings, "services" | "loadBalancer" | "database" | "migration">;
}

export class Firewall extends pulumi.ComponentResource {
    readonly albSecurityGroupId: pulumi.Output<string>;
    readonly dbSecurityGroupId: pulumi.Output<string>;
    readonly migrationSecurityGroupId: pulumi.Output<string>;
    readonly serviceSecurityGroupIds: Record<string, pulumi.Output<string>>;
    readonly rules: FirewallRule[];

    constructor(name: string, args: FirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:network:Firewall", name, {}, opts);
        this.rules = planFirewall(args.settings);
        const groups = new Map<GroupId, aws.ec2.SecurityGroup>();
        const group = (id: GroupId, description: string) => {
            const sg = new aws.ec2.SecurityGroup(
                `${name}-${slugOf(id)}`,
                { name: args.naming.securityGroup(slugOf(id) === "migration" ? "migrate" : slugOf(id)), description, vpcId: args.vpcId },
                { parent: this },
            );
            groups.set(id, sg);
            return sg.id;
        };
        this.albSecurityGroupId = group("alb", "Application load balancer");
        this.dbSecurityGroupId = group("db", "PostgreSQL: only declared database users");
        this.migrationSecurityGroupId = group("migration", "One-off database migration task");
        this.serviceSecurityGroupIds = Object.fromEntries(args.settings.services.map((s) => [s.name, group(`service:${s.name}`, `ECS service ${s.name}`)]));
        this.createRules(name, groups);
        this.registerOutputs({ albSecurityGroupId: this.albSecurityGroupId, dbSecurityGroupId: this.dbSecurityGroupId });
    }

    private createRules(name: string, groups: Map<GroupId, aws.ec2.SecurityGroup>): void {
        for (const rule of this.rules) {
            const peerName = "cidr" in rule.peer ? "anywhere" : slugOf(rule.peer.group);
            const ruleName = `${name}-${slugOf(rule.group)}-${rule.direction === "ingress" ? "in" : "out"}-${peerName}-${rule.port}`;
            const common = {
                securityGroupId: groups.get(rule.group)!.id,
                ipProtocol: "tcp",
                fromPort: rule.port,
                toPort: rule.port,
                description: rule.description,
                ...("cidr" in rule.peer ? { cidrIpv4: rule.peer.cidr } : { referencedSecurityGroupId: groups.get(rule.peer.group)!.id }),
            };
            if (rule.direction === "ingress") new aws.vpc.SecurityGroupIngressRule(ruleName, common, { parent: this });
            else new aws.vpc.SecurityGroupEgressRule(ruleName, common, { parent: this });
        }
    }
}
