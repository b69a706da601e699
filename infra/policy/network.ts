// Network rules: VPC flow logs where the profile records traffic, and no security group open to the
// internet except the load balancer's on HTTP/HTTPS.
import { defineRule, isObj, list, num, ofType, str, strings, T } from "./graph";
import type { SynthResource } from "../resources";
import type { Rule } from "./types";

/** The VPC id as the program sees it: awsx publishes `vpcId`, a plain VPC its `id`. */
function vpcId(vpc: SynthResource): string | undefined {
    return str(vpc.state.vpcId) ?? str(vpc.state.id);
}

const flowLogs = defineRule(
    { id: "EC2.6", title: "VPCs record flow logs", severity: "medium", profiles: ["staging", "prod"] },
    (resources, flag) => {
        const logs = ofType(resources, T.flowLog).filter((f) => {
            const traffic = str(f.inputs.trafficType);
            return traffic === "ALL" || traffic === "REJECT";
        });
        for (const vpc of ofType(resources, T.awsxVpc, T.vpc)) {
            const id = vpcId(vpc);
            // Without a known id the VPC cannot be told apart: any VPC flow log counts.
            const covered = id === undefined ? logs.some((f) => str(f.inputs.vpcId)) : logs.some((f) => f.inputs.vpcId === id);
            if (!covered) flag(vpc, `VPC "${vpc.name}" has no flow log recording ALL or REJECT traffic`);
        }
    },
);

const WORLD = /\/0$/;

interface Ingress {
    resource: SynthResource;
    securityGroupId?: string;
    cidrs: string[];
    protocol: string;
    fromPort?: number;
    toPort?: number;
}

/** The security group id a group resource was given: state.id, or the tail of its ARN. */
function groupId(sg: SynthResource): string | undefined {
    return str(sg.state.id) ?? /security-group\/(sg-[\w]+)$/.exec(str(sg.state.arn) ?? "")?.[1];
}

/** Every ingress permission in the graph, whichever of the three AWS resource shapes declared it. */
function ingressRules(resources: readonly SynthResource[]): Ingress[] {
    const out: Ingress[] = [];
    for (const r of ofType(resources, T.ingressRule)) {
        out.push({
            resource: r,
            securityGroupId: str(r.inputs.securityGroupId),
            cidrs: [str(r.inputs.cidrIpv4), str(r.inputs.cidrIpv6)].filter((c): c is string => c !== undefined),
            protocol: String(r.inputs.ipProtocol ?? "-1"),
            fromPort: num(r.inputs.fromPort),
            toPort: num(r.inputs.toPort),
        });
    }
    for (const r of ofType(resources, T.securityGroupRule).filter((x) => x.inputs.type === "ingress")) {
        out.push({
            resource: r,
            securityGroupId: str(r.inputs.securityGroupId),
            cidrs: [...strings(r.inputs.cidrBlocks), ...strings(r.inputs.ipv6CidrBlocks)],
            protocol: String(r.inputs.protocol ?? "-1"),
            fromPort: num(r.inputs.fromPort),
            toPort: num(r.inputs.toPort),
        });
    }
    for (const sg of ofType(resources, T.securityGroup)) {
        for (const inline of list(sg.inputs.ingress).filter(isObj)) {
            out.push({
                resource: sg,
                securityGroupId: groupId(sg),
                cidrs: [...strings(inline.cidrBlocks), ...strings(inline.ipv6CidrBlocks)],
                protocol: String(inline.protocol ?? "-1"),
                fromPort: num(inline.fromPort),
                toPort: num(inline.toPort),
            });
        }
    }
    return out;
}

function describePorts(rule: Ingress): string {
    if (rule.protocol === "-1" || rule.protocol.toLowerCase() === "all") return "all traffic";
    return rule.fromPort === rule.toPort ? `${rule.protocol}/${rule.fromPort}` : `${rule.protocol}/${rule.fromPort}-${rule.toPort}`;
}

const noOpenIngress = defineRule(
    { id: "BERTH.SG-OPEN", title: "Only the load balancer's security group accepts internet traffic, and only on 80/443", severity: "critical" },
    (resources, flag) => {
        const lbGroups = new Set(ofType(resources, T.loadBalancer).flatMap((lb) => strings(lb.inputs.securityGroups)));
        for (const rule of ingressRules(resources)) {
            const open = rule.cidrs.filter((c) => WORLD.test(c));
            if (open.length === 0) continue;
            const tcp = rule.protocol === "tcp" || rule.protocol === "6";
            const webPort = rule.fromPort === rule.toPort && (rule.fromPort === 80 || rule.fromPort === 443);
            if (rule.securityGroupId !== undefined && lbGroups.has(rule.securityGroupId) && tcp && webPort) continue;
            const target = rule.securityGroupId !== undefined && lbGroups.has(rule.securityGroupId) ? "the load balancer's security group" : `security group ${rule.securityGroupId ?? "(unknown)"}`;
            flag(rule.resource, `"${rule.resource.name}" opens ${target} to ${open.join(" and ")} on ${describePorts(rule)}`);
        }
    },
);

export const NETWORK_RULES: Rule[] = [flowLogs, noOpenIngress];

