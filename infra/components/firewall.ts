// Security groups and the exact traffic graph between them, as planned in config/firewall.ts (F10): one
// group per ALB, database, migration task and service, one rule resource per planned edge.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { planFirewall, type FirewallInputs, type FirewallRule, type GroupId } from "../config/firewall";
import type { Naming } from "../naming";

function slugOf(id: GroupId): string {
    return id.startsWith("service:") ? id.slice("service:".length) : id;
}

export interface FirewallArgs {
    naming: Naming;
    vpcId: pulumi.Input<string>;
    settings: FirewallInputs;
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
