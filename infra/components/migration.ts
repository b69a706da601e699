// The database migration as a one-off Fargate task (F02): the named service's image and the migration
// command, master credentials from the RDS-managed secret (it alone reads them), the catalogue's database
// roles to create and grant, its own log group and security group.
// The release driver runs it with RunTask in the private subnets, reading every identifier from outputs.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Settings } from "../config/settings";
import { LOGICAL_NAMES, MIGRATION_LOG_STREAM_PREFIX, type Naming } from "../naming";
import { MIGRATION_PURPOSE } from "../resources";
import { ecsTaskTrust, executionPolicy, type DatabaseLink } from "./taskDefinition";

export interface MigrationArgs {
    naming: Naming;
    migration: NonNullable<Settings["migration"]>;
    environmentName: string;
    region: string;
    accountId: string;
    image: pulumi.Input<string>;
    repositoryArn: pulumi.Input<string>;
    database: DatabaseLink;
    /** The roles and access levels the migration creates and grants (names only, never secrets). */
    roles: { role: string; access: "read" | "readwrite" }[];
    cpu: number;
    memory: number;
    architecture: "x86_64" | "arm64";
    logRetentionDays: number;
    protectLogs: boolean;
}

export const MIGRATION_CONTAINER = "migrate";

export class Migration extends pulumi.ComponentResource {
    readonly family: string;
    readonly containerName = MIGRATION_CONTAINER;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: MigrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:migration:Migration", name, {}, opts);
        this.family = args.naming.migrationFamily();
        const logGroup = this.createLogGroup(name, args);
        const role = this.createExecutionRole(name, args, logGroup);
        const taskDefinition = this.createTaskDefinition(name, args, logGroup, role);
        this.logGroupName = logGroup.name;
        this.taskDefinitionArn = taskDefinition.arn;
        this.registerOutputs({ family: this.family, taskDefinitionArn: this.taskDefinitionArn, logGroupName: this.logGroupName });
    }

    private createLogGroup(name: string, args: MigrationArgs): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(`${name}-logs`, { name: args.naming.migrationLogGroup(), retentionInDays: args.logRetentionDays }, { parent: this, protect: args.protectLogs });
    }

    /** Pulls the image, writes the logs, reads the database secret: nothing else. */
    private createExecutionRole(name: string, args: MigrationArgs, logGroup: aws.cloudwatch.LogGroup): aws.iam.Role {
        const role = new aws.iam.Role(`${name}-execution`, { name: args.naming.role("migrate-exec"), assumeRolePolicy: ecsTaskTrust(args.region, args.accountId) }, { parent: this });
        new aws.iam.RolePolicy(
            `${name}-execution-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([args.repositoryArn, logGroup.arn, args.database.secretArn])
                    .apply(([repositoryArn, logGroupArn, secretArn]) => JSON.stringify(executionPolicy({ repositoryArn, logGroupArn, secretArns: [secretArn], ssmArns: [] }))),
            },
            { parent: this },
        );
        return role;
    }

    private createTaskDefinition(name: string, args: MigrationArgs, logGroup: aws.cloudwatch.LogGroup, role: aws.iam.Role): aws.ecs.TaskDefinition {
        const container = pulumi
            .all([args.image, logGroup.name, args.database.address, args.database.secretArn])
            .apply(([image, logGroupName, address, secretArn]) => JSON.stringify([migrationContainer(args, { image, logGroupName, address, secretArn })]));
        return new aws.ecs.TaskDefinition(
            `${name}${LOGICAL_NAMES.taskDefinitionSuffix}`,
            {
                family: this.family,
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: String(args.cpu),
                memory: String(args.memory),
                executionRoleArn: role.arn,
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture === "arm64" ? "ARM64" : "X86_64" },
                containerDefinitions: container,
                // The one task definition allowed to reference the master secret (BERTH.DB-MASTER-SECRET).
                tags: { "berth:purpose": MIGRATION_PURPOSE },
            },
            { parent: this },
        );
    }
}

/** The one container: the migration command, database endpoint in environment, credentials as secrets (F03). */
function migrationContainer(args: MigrationArgs, resolved: { image: string; logGroupName: string; address: string; secretArn: string }): object {
    return {
        name: MIGRATION_CONTAINER,
        image: resolved.image,
        essential: true,
        command: args.migration.command,
        environment: [
            { name: "BERTH_ENVIRONMENT", value: args.environmentName },
            { name: "DB_HOST", value: resolved.address },
            { name: "DB_NAME", value: args.database.dbName },
            { name: "DB_PORT", value: String(args.database.port) },
            { name: "BERTH_DB_ROLES", value: JSON.stringify(args.roles) },
        ],
        secrets: [
            { name: "DB_PASSWORD", valueFrom: `${resolved.secretArn}:password::` },
            { name: "DB_USERNAME", valueFrom: `${resolved.secretArn}:username::` },
        ],
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": resolved.logGroupName, "awslogs-region": args.region, "awslogs-stream-prefix": MIGRATION_LOG_STREAM_PREFIX } },
        readonlyRootFilesystem: true,
        privileged: false,
    };
}
