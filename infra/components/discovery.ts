// Service discovery: a Cloud Map private DNS namespace `<stack>.internal` in the VPC, and one record set per
// service, so `orders.dev.internal` resolves to the orders tasks (F10).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Naming } from "../naming";

export interface DiscoveryArgs {
    naming: Naming;
    vpcId: pulumi.Input<string>;
    services: string[];
    forceDestroy: boolean;
}

export class Discovery extends pulumi.ComponentResource {
    readonly namespaceName: string;
    readonly namespaceId: pulumi.Output<string>;
    readonly serviceArns: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: DiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:discovery:Discovery", name, {}, opts);
        this.namespaceName = args.naming.namespace();
        const namespace = new aws.servicediscovery.PrivateDnsNamespace(
            `${name}-namespace`,
            { name: this.namespaceName, vpc: args.vpcId, description: `berth services of ${args.naming.prefix}` },
            { parent: this },
        );
        this.namespaceId = namespace.id;
        this.serviceArns = {};
        for (const service of args.services) {
            const entry = new aws.servicediscovery.Service(
                `${name}-${service}`,
                {
                    name: service,
                    namespaceId: namespace.id,
                    dnsConfig: { namespaceId: namespace.id, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
                    forceDestroy: args.forceDestroy,
                },
                { parent: this },
            );
            this.serviceArns[service] = entry.arn;
        }
        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}
