// The ECS cluster: Container Insights on, FARGATE and FARGATE_SPOT capacity providers, FARGATE by default.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Naming } from "../naming";

export interface ClusterArgs {
    naming: Naming;
}

export class Cluster extends pulumi.ComponentResource {
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:cluster:Cluster", name, {}, opts);
        const cluster = new aws.ecs.Cluster(
            `${name}-ecs`,
            { name: args.naming.cluster(), settings: [{ name: "containerInsights", value: "enabled" }] },
            { parent: this },
        );
        const providers = new aws.ecs.ClusterCapacityProviders(
            `${name}-capacity`,
            {
                clusterName: cluster.name,
                capacityProviders: ["FARGATE", "FARGATE_SPOT"],
                defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
            },
            { parent: this },
        );
        // Services name a capacity provider strategy: they must wait until the providers are attached.
        this.name = pulumi.all([cluster.name, providers.id]).apply(([n]) => n);
        this.arn = cluster.arn;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
