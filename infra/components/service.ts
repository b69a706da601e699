// One catalogue entry on Fargate: log group, least-privilege execution and task roles, task definition
// (image by digest, secrets by reference), and an ECS service in private subnets that rolls out safely.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { SecretRef, ServiceSettings } from "../config/settings";
import type { Naming } from "../naming";

export interface DatabaseLink {
    address: pulumi.Input<string>;
    port: number;
    dbName: string;
    secretArn: pulumi.Input<string>;
}

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
    database?: DatabaseLink;
    bucket?: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** ECS services of the catalogue entries this one waits for (F11). */
    waitsFor: aws.ecs.Service[];
    protectLogs: boolean;
}

/** Trust policy for ECS tasks, scoped to this account's ECS (confused-deputy protection). */
export function ecsTaskTrust(region: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:aws:ecs:${region}:${accountId}:*` } },
            },
        ],
    });
}

/** The ARN IAM needs for a secret reference (a Secrets Manager ARN may lack its random suffix). */
export function secretResourceArns(ref: SecretRef, region: string, accountId: string): string[] {
    if (ref.source === "secretsManager") return [ref.arn, `${ref.arn}-??????`];
    if (ref.parameter.startsWith("arn:")) return [ref.parameter];
    const name = ref.parameter.startsWith("/") ? ref.parameter : `/${ref.parameter}`;
    return [`arn:aws:ssm:${region}:${accountId}:parameter${name}`];
}

/** ECS `valueFrom` for a secret reference (JSON key selected with ECS's `arn:key::` syntax). */
export function secretValueFrom(ref: SecretRef): string {
    if (ref.source === "secretsManager") return ref.jsonKey ? `${ref.arn}:${ref.jsonKey}::` : ref.arn;
    return ref.parameter;
}

/** Execution-role policy: pull its own repository, write its own logs, read only its own secrets. */
export function executionPolicy(p: { repositoryArn: string; logGroupArn: string; secretArns: string[]; ssmArns: string[] }): object {
    const statements: object[] = [
        // GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
        { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "PullOwnImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: p.repositoryArn },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${p.logGroupArn}:*` },
    ];
    if (p.secretArns.length > 0) statements.push({ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: p.secretArns });
    if (p.ssmArns.length > 0) statements.push({ Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: p.ssmArns });
    return { Version: "2012-10-17", Statement: statements };
}

/** Task-role policy: the uploads bucket, as declared. */
export function bucketPolicy(bucketArn: string, access: "read" | "readwrite"): object {
    const objectActions = access === "read" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
            { Sid: "Objects", Effect: "Allow", Action: objectActions, Resource: `${bucketArn}/*` },
        ],
    };
}

/** Environment berth injects, then the catalogue's own: no secret ever travels here (F03, F14). */
export function containerEnvironment(args: {
    service: ServiceSettings;
    environmentName: string;
    publicUrl: string;
    dependencyUrls: Record<string, string>;
    database?: { address: string; port: number; dbName: string };
    bucketName?: string;
}): { name: string; value: string }[] {
    const env: Record<string, string> = {
        PORT: String(args.service.port),
        SERVICE_NAME: args.service.name,
        BERTH_ENVIRONMENT: args.environmentName,
        PUBLIC_URL: args.publicUrl,
    };
    for (const [dep, url] of Object.entries(args.dependencyUrls)) env[`${dep.toUpperCase().replace(/-/g, "_")}_URL`] = url;
    if (args.database) {
        env.DB_HOST = args.database.address;
        env.DB_PORT = String(args.database.port);
        env.DB_NAME = args.database.dbName;
    }
    if (args.bucketName) env.BUCKET_NAME = args.bucketName;
    Object.assign(env, args.service.environment);
    return Object.keys(env)
        .sort()
        .map((name) => ({ name, value: env[name] }));
}

/** The container's `secrets`: the database credentials from the RDS-managed secret, then the catalogue's. */
export function containerSecrets(service: ServiceSettings, databaseSecretArn?: string): { name: string; valueFrom: string }[] {
    const out: { name: string; valueFrom: string }[] = [];
    if (databaseSecretArn) {
        out.push({ name: "DB_USERNAME", valueFrom: `${databaseSecretArn}:username::` });
        out.push({ name: "DB_PASSWORD", valueFrom: `${databaseSecretArn}:password::` });
    }
    for (const ref of service.secrets) out.push({ name: ref.name, valueFrom: secretValueFrom(ref) });
    return out.sort((a, b) => a.name.localeCompare(b.name));
}

export class Service extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly family: string;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly ecsService: aws.ecs.Service;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:service:Service", name, {}, opts);
        const { service, naming } = args;
        this.family = naming.taskFamily(service.name);

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: naming.logGroup(service.name), retentionInDays: args.logRetentionDays },
            { parent: this, protect: args.protectLogs },
        );
        this.logGroupName = logGroup.name;
        const { executionRole, taskRole } = this.createRoles(name, args, logGroup);
        const taskDefinition = this.createTaskDefinition(name, args, logGroup, executionRole, taskRole);
        this.taskDefinitionArn = taskDefinition.arn;
        this.ecsService = this.createService(name, args, taskDefinition);
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
                    .all([args.repositoryArn, logGroup.arn, args.database?.secretArn])
                    .apply(([repositoryArn, logGroupArn, dbSecret]) =>
                        JSON.stringify(executionPolicy({ repositoryArn, logGroupArn, secretArns: [...(dbSecret ? [dbSecret] : []), ...smArns], ssmArns })),
                    ),
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
        return { executionRole, taskRole };
    }

    private createTaskDefinition(name: string, args: ServiceArgs, logGroup: aws.cloudwatch.LogGroup, executionRole: aws.iam.Role, taskRole: aws.iam.Role) {
        const { service } = args;
        const container = pulumi
            .all([args.image, args.publicUrl, logGroup.name, args.database?.address, args.database?.secretArn, args.bucket?.name])
            .apply(([image, publicUrl, logGroupName, dbAddress, dbSecretArn, bucketName]) => {
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
                            database: args.database && dbAddress ? { address: dbAddress, port: args.database.port, dbName: args.database.dbName } : undefined,
                            bucketName: service.bucket !== "none" ? bucketName : undefined,
                        }),
                        secrets: containerSecrets(service, args.database ? dbSecretArn : undefined),
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
            `${name}-task-definition`,
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

    private createService(name: string, args: ServiceArgs, taskDefinition: aws.ecs.TaskDefinition): aws.ecs.Service {
        const { service } = args;
        // The config loader already refused spot where the profile forbids it.
        const spot = service.spot;
        return new aws.ecs.Service(
            `${name}-service`,
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
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                healthCheckGracePeriodSeconds: args.targetGroupArn ? service.healthCheck.gracePeriodSeconds : undefined,
                loadBalancers: args.targetGroupArn ? [{ targetGroupArn: args.targetGroupArn, containerName: args.naming.containerName(service.name), containerPort: service.port }] : [],
                serviceRegistries: { registryArn: args.discoveryServiceArn },
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: true,
            },
            {
                parent: this,
                dependsOn: [...args.waitsFor, ...args.listenerRules],
                // Autoscaling owns the running count once enabled; a later `up` must not reset it.
                ignoreChanges: service.autoscaling ? ["desiredCount"] : [],
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
                    scaleInCooldown: 120,
                    scaleOutCooldown: 60,
                },
            },
            { parent: this },
        );
    }
}
