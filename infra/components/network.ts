// The network: a VPC with public, private (app) and isolated (database) subnets over N AZs, NAT per the
// profile, S3/DynamoDB gateway endpoints, optional interface endpoints, and flow logs where required.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type { Settings } from "../config/settings";
import type { Naming } from "../naming";

export interface NetworkArgs {
    naming: Naming;
    network: Settings["network"];
    availabilityZones: string[];
    region: string;
    logRetentionDays: number;
}

/** Interface endpoints that keep image pulls, logs and secrets off the NAT gateway. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"] as const;
export const GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly isolatedSubnetIds: pulumi.Output<string[]>;
    readonly cidr: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:network:Network", name, {}, opts);
        const { network } = args;
        this.cidr = network.cidr;

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: network.cidr,
                availabilityZoneNames: args.availabilityZones,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                subnetStrategy: "Auto",
                subnetSpecs: [
                    { type: "Public", name: "public", cidrBlocks: network.subnets.public },
                    { type: "Private", name: "app", cidrBlocks: network.subnets.private },
                    { type: "Isolated", name: "db", cidrBlocks: network.subnets.isolated },
                ],
                natGateways: { strategy: network.natGateways === "single" ? "Single" : "OnePerAz" },
                tags: { Name: args.naming.prefix },
            },
            { parent: this },
        );
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;

        const routeTableIds = vpc.routeTables.apply((tables) => pulumi.all(tables.map((t) => t.id)));
        this.createGatewayEndpoints(name, args, routeTableIds);
        if (network.interfaceEndpoints) this.createInterfaceEndpoints(name, args);
        if (network.flowLogs) this.createFlowLogs(name, args);

        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds, isolatedSubnetIds: this.isolatedSubnetIds });
    }

    private createGatewayEndpoints(name: string, args: NetworkArgs, routeTableIds: pulumi.Input<string[]>): void {
        for (const service of GATEWAY_ENDPOINTS) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service}`,
                {
                    vpcId: this.vpcId,
                    serviceName: `com.amazonaws.${args.region}.${service}`,
                    vpcEndpointType: "Gateway",
                    routeTableIds,
                    tags: { Name: `${args.naming.prefix}-${service}` },
                },
                { parent: this },
            );
        }
    }

    private createInterfaceEndpoints(name: string, args: NetworkArgs): void {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-endpoints-sg`,
            { name: args.naming.securityGroup("endpoints"), description: "VPC interface endpoints: HTTPS from inside the VPC", vpcId: this.vpcId },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-endpoints-in-https`,
            { securityGroupId: sg.id, cidrIpv4: args.network.cidr, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "HTTPS from the VPC" },
            { parent: this },
        );
        for (const service of INTERFACE_ENDPOINTS) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service.replace(".", "-")}`,
                {
                    vpcId: this.vpcId,
                    serviceName: `com.amazonaws.${args.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [sg.id],
                    tags: { Name: `${args.naming.prefix}-${service}` },
                },
                { parent: this },
            );
        }
    }

    private createFlowLogs(name: string, args: NetworkArgs): void {
        const group = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: args.naming.flowLogGroup(), retentionInDays: args.logRetentionDays },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                name: args.naming.role("flow-logs"),
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-policy`,
            {
                role: role.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [group.arn, pulumi.interpolate`${group.arn}:*`],
                        },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            { vpcId: this.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: group.arn, iamRoleArn: role.arn },
            { parent: this },
        );
    }
}
