// One catalogue entry on Fargate: log group, least-privilege execution and task roles, task definition
// (image by digest, secrets by reference), and an ECS service in private subnets that rolls out safely: rolling,
// or blue/green, canary or linear with the role ECS shifts traffic with, PAUSE hooks and deployment alarms.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { ServiceSettings } from "../config/settings";
import { LOGICAL_NAMES, type Naming } from "../naming";
import type { TrafficShift } from "./loadBalancer";
import { deploymentConfiguration, ecsInfrastructureTrust, engineWait, trafficShiftPolicy, type EngineWait } from "./rollout";
import { bucketPolicy, containerEnvironment, containerSecrets, dbConnectPolicy, dbUserArn, ecsTaskTrust, executionPolicy, secretResourceArns, type DatabaseLink } from "./taskDefinition";

export type { DatabaseLink } from "./taskDefinition";

export interface ServiceArgs {
    naming: Naming;
    service: ServiceSettings;
    environmentName: string;
    region: string;
    accountId: string;
    clusterName: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    securityGroupId: pulumi.Input<string>;
    repositoryArn: pulumi.Input<string>;
    image: pulumi.Input<string>;
    logRetentionDays: number;
    discoveryServiceArn: pulumi.Input<string>;
    publicUrl: pulumi.Input<string>;
    /** `<dependency>.<namespace>:<port>` base URLs of the services this one calls (F10). */
    dependencyUrls: Record<string, string>;
    targetGroupArn?: pulumi.Input<string>;
    /** A target group can only be used once a listener rule forwards to it. */
    listenerRules: pulumi.Resource[];
    /** Blue/green, canary and linear services: the alternate target group and the rules ECS rewrites. */
    trafficShift?: TrafficShift;
    /** CloudWatch alarms ECS rolls a deployment back on (routed services; observability.ts names them). */
    alarmNames: string[];
    database?: DatabaseLink;
    bucket?: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** ECS services of the catalogue entries this one waits for (F11). */
    waitsFor: aws.ecs.Service[];
    /** Rolling catalogue entries that wait for this one (rollout.ts engineWait: they keep the engine waiting). */
    rollingDependents: string[];
    protectLogs: boolean;
}

export class Service extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly family: string;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly ecsService: aws.ecs.Service;
    /** The role ECS moves traffic with, for blue/green, canary and linear services. */
    readonly trafficShiftRoleArn?: pulumi.Output<string>;
    /** How the engine waits for this service's updates (stack outputs `rollout.engineWaits`). */
    readonly engineWait: EngineWait;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:service:Service", name, {}, opts);
        const { service, naming } = args;
        this.family = naming.taskFamily(service.name);
        this.engineWait = engineWait(service.rollout, args.rollingDependents);

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: naming.logGroup(service.name), retentionInDays: args.logRetentionDays },
            { parent: this, protect: args.protectLogs },
        );
        this.logGroupName = logGroup.name;
        const { executionRole, taskRole } = this.createRoles(name, args, logGroup);
        const taskDefinition = this.createTaskDefinition(name, args, logGroup, executionRole, taskRole);
        this.taskDefinitionArn = taskDefinition.arn;
        const shiftRole = args.trafficShift ? this.createTrafficShiftRole(name, args, args.trafficShift) : undefined;
        this.trafficShiftRoleArn = shiftRole?.role.arn;
        this.ecsService = this.createService(name, args, taskDefinition, shiftRole);
        this.serviceName = this.ecsService.name;
        if (service.autoscaling) this.createAutoscaling(name, args, service.autoscaling);

        this.registerOutputs({ serviceName: this.serviceName, family: this.family, taskDefinitionArn: this.taskDefinitionArn, logGroupName: this.logGroupName });
    }

    private createRoles(name: string, args: ServiceArgs, logGroup: aws.cloudwatch.LogGroup) {
        const { service, naming, region, accountId } = args;
        const trust = ecsTaskTrust(region, accountId);
        const executionRole = new aws.iam.Role(`${name}-execution`, { name: naming.role(`${service.name}-exec`), assumeRolePolicy: trust }, { parent: this });
        const smArns = service.secrets.filter((s) => s.source === "secretsManager").flatMap((s) => secretResourceArns(s, region, accountId));
        const ssmArns = service.secrets.filter((s) => s.source === "ssm").flatMap((s) => secretResourceArns(s, region, accountId));
        new aws.iam.RolePolicy(
            `${name}-execution-policy`,
            {
                role: executionRole.name,
                policy: pulumi
                    .all([args.repositoryArn, logGroup.arn])
                    .apply(([repositoryArn, logGroupArn]) => JSON.stringify(executionPolicy({ repositoryArn, logGroupArn, secretArns: smArns, ssmArns }))),
            },
            { parent: this },
        );
        const taskRole = new aws.iam.Role(`${name}-task`, { name: naming.role(`${service.name}-task`), assumeRolePolicy: trust }, { parent: this });
        if (args.bucket && service.bucket !== "none") {
            const access = service.bucket;
            new aws.iam.RolePolicy(
                `${name}-task-bucket`,
                { role: taskRole.name, policy: pulumi.output(args.bucket.arn).apply((arn) => JSON.stringify(bucketPolicy(arn, access))) },
                { parent: this },
            );
        }
        if (args.database && service.database) {
            const user = service.database.user;
            new aws.iam.RolePolicy(
                `${name}-task-db-connect`,
                { role: taskRole.name, policy: pulumi.output(args.database.resourceId).apply((resourceId) => JSON.stringify(dbConnectPolicy(dbUserArn({ region, accountId, resourceId, user })))) },
                { parent: this },
            );
        }
        return { executionRole, taskRole };
    }

    private createTaskDefinition(name: string, args: ServiceArgs, logGroup: aws.cloudwatch.LogGroup, executionRole: aws.iam.Role, taskRole: aws.iam.Role) {
        const { service } = args;
        const container = pulumi
            .all([args.image, args.publicUrl, logGroup.name, args.database?.address, args.bucket?.name])
            .apply(([image, publicUrl, logGroupName, dbAddress, bucketName]) => {
                const hc = service.healthCheck.container;
                return JSON.stringify([
                    {
                        name: args.naming.containerName(service.name),
                        image,
                        essential: true,
                        portMappings: [{ containerPort: service.port, protocol: "tcp", name: "http" }],
                        environment: containerEnvironment({
                            service,
                            environmentName: args.environmentName,
                            publicUrl,
                            dependencyUrls: args.dependencyUrls,
                            database:
                                args.database && service.database && dbAddress
                                    ? { address: dbAddress, port: args.database.port, dbName: args.database.dbName, user: service.database.user, region: args.region }
                                    : undefined,
                            bucketName: service.bucket !== "none" ? bucketName : undefined,
                        }),
                        secrets: containerSecrets(service),
                        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logGroupName, "awslogs-region": args.region, "awslogs-stream-prefix": service.name } },
                        healthCheck: hc ? { command: hc.command, interval: hc.intervalSeconds, timeout: hc.timeoutSeconds, retries: hc.retries, startPeriod: hc.startPeriodSeconds } : undefined,
                        readonlyRootFilesystem: service.readonlyRootFilesystem,
                        // A read-only root still needs somewhere to write temporary files.
                        mountPoints: service.readonlyRootFilesystem ? [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }] : [],
                        privileged: false,
                        user: service.user,
                        stopTimeout: service.stopTimeoutSeconds,
                        linuxParameters: { initProcessEnabled: true },
                    },
                ]);
            });
        return new aws.ecs.TaskDefinition(
            `${name}${LOGICAL_NAMES.taskDefinitionSuffix}`,
            {
                family: this.family,
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: String(service.cpu),
                memory: String(service.memory),
                executionRoleArn: executionRole.arn,
                taskRoleArn: taskRole.arn,
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: service.architecture === "arm64" ? "ARM64" : "X86_64" },
                volumes: service.readonlyRootFilesystem ? [{ name: "tmp" }] : [],
                containerDefinitions: container,
                tags: service.readonlyRootFilesystem ? {} : { "berth:waivers": "ECS.5" },
            },
            { parent: this },
        );
    }

    /** The role ECS assumes to register green and rewrite this service's two rules, and nothing else. */
    private createTrafficShiftRole(name: string, args: ServiceArgs, shift: TrafficShift) {
        const role = new aws.iam.Role(`${name}-lb-role`, { name: args.naming.role(`${args.service.name}-lb`), assumeRolePolicy: ecsInfrastructureTrust() }, { parent: this });
        const policy = new aws.iam.RolePolicy(
            `${name}-lb-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([args.targetGroupArn!, shift.alternateTargetGroup.arn, shift.productionRule.arn, shift.testRule.arn])
                    .apply(([primary, alternate, production, test]) => JSON.stringify(trafficShiftPolicy({ targetGroupArns: [primary, alternate], listenerRuleArns: [production, test] }))),
            },
            { parent: this },
        );
        return { role, policy };
    }

    private createService(name: string, args: ServiceArgs, taskDefinition: aws.ecs.TaskDefinition, shiftRole?: { role: aws.iam.Role; policy: aws.iam.RolePolicy }): aws.ecs.Service {
        const { service } = args;
        const shift = args.trafficShift;
        const wait = this.engineWait;
        // The config loader already refused spot where the profile forbids it.
        const spot = service.spot;
        return new aws.ecs.Service(
            `${name}${LOGICAL_NAMES.ecsServiceSuffix}`,
            {
                name: args.naming.service(service.name),
                cluster: args.clusterName,
                taskDefinition: taskDefinition.arn,
                desiredCount: service.desiredCount,
                capacityProviderStrategies: spot
                    ? [
                          { capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 },
                          { capacityProvider: "FARGATE", weight: 0, base: 0 },
                      ]
                    : [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
                networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroupId], assignPublicIp: false },
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: service.deployment.minimumHealthyPercent,
                deploymentMaximumPercent: service.deployment.maximumPercent,
                healthCheckGracePeriodSeconds: args.targetGroupArn ? service.healthCheck.gracePeriodSeconds : undefined,
                loadBalancers: args.targetGroupArn
                    ? [
                          {
                              targetGroupArn: args.targetGroupArn,
                              containerName: args.naming.containerName(service.name),
                              containerPort: service.port,
                              advancedConfiguration:
                                  shift && shiftRole
                                      ? { alternateTargetGroupArn: shift.alternateTargetGroup.arn, productionListenerRule: shift.productionRule.arn, testListenerRule: shift.testRule.arn, roleArn: shiftRole.role.arn }
                                      : undefined,
                          },
                      ]
                    : [],
                deploymentConfiguration: deploymentConfiguration(service.rollout),
                // ECS rolls back a deployment that sets off one of these, whatever the strategy (F13).
                alarms: args.alarmNames.length > 0 ? { alarmNames: args.alarmNames, enable: true, rollback: true } : undefined,
                serviceRegistries: { registryArn: args.discoveryServiceArn },
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: wait.waitForSteadyState,
            },
            {
                parent: this,
                // ECS must be allowed to move traffic before the first deployment starts.
                dependsOn: [...args.waitsFor, ...args.listenerRules, ...(shiftRole ? [shiftRole.policy] : [])],
                // Autoscaling owns the running count once enabled; a later `up` must not reset it. After a
                // blue/green, canary or linear deployment ECS swaps the service's target group and alternate:
                // sending the declared pair back would make the next deployment register green in the live
                // group (terraform-provider-aws #45678), so the load-balancer block is ECS's once created — except
                // in the one update that switches a rolling service over (rollout.switching), which must send it.
                ignoreChanges: [...(service.autoscaling ? ["desiredCount"] : []), ...(shift && !service.rollout.switching ? ["loadBalancers"] : [])],
                // A traffic-shifting service the engine waits for (a rolling dependent): waitForSteadyState follows its
                // PAUSE hooks and bake, so wait as long as they may take.
                customTimeouts: wait.timeoutMinutes !== undefined ? { create: `${wait.timeoutMinutes}m`, update: `${wait.timeoutMinutes}m` } : undefined,
            },
        );
    }

    private createAutoscaling(name: string, args: ServiceArgs, autoscaling: NonNullable<ServiceSettings["autoscaling"]>): void {
        const target = new aws.appautoscaling.Target(
            `${name}-scaling-target`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${args.clusterName}/${this.ecsService.name}`,
                minCapacity: autoscaling.min,
                maxCapacity: autoscaling.max,
            },
            { parent: this },
        );
        new aws.appautoscaling.Policy(
            `${name}-scaling-cpu`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    targetValue: autoscaling.targetCpu,
                    predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                    scaleInCooldown: autoscaling.scaleInCooldownSeconds,
                    scaleOutCooldown: autoscaling.scaleOutCooldownSeconds,
                },
            },
            { parent: this },
        );
    }
}
