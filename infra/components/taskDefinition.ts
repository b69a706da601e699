// What every berth task definition is made of: the ECS task trust, the least-privilege execution and
// task-role policies, and the container's environment and secrets (F03, F14). Used by Service and Migration.
import type * as pulumi from "@pulumi/pulumi";
import type { SecretRef, ServiceSettings } from "../config/settings";

/**
 * How a task reaches the database: endpoint and name in environment. Services sign in as their own role
 * with IAM tokens (scoped by the instance's resource id); only the migration reads the master secret.
 */
export interface DatabaseLink {
    address: pulumi.Input<string>;
    port: number;
    dbName: string;
    secretArn: pulumi.Input<string>;
    resourceId: pulumi.Input<string>;
}

/** The IAM resource a service may `rds-db:connect` to: its own database user on this instance only. */
export function dbUserArn(p: { region: string; accountId: string; resourceId: string; user: string }): string {
    return `arn:aws:rds-db:${p.region}:${p.accountId}:dbuser:${p.resourceId}/${p.user}`;
}

/** Task-role policy: connect to the database as the service's own user, nothing else. */
export function dbConnectPolicy(userArn: string): object {
    return { Version: "2012-10-17", Statement: [{ Sid: "ConnectAsOwnDbUser", Effect: "Allow", Action: "rds-db:connect", Resource: userArn }] };
}

/** What the migration task creates and grants: one role per service with database access, by name. */
export function databaseRoles(services: readonly Pick<ServiceSettings, "name" | "database">[]): { role: string; access: "read" | "readwrite" }[] {
    return services
        .flatMap((s) => (s.database ? [{ role: s.database.user, access: s.database.access }] : []))
        .sort((a, b) => a.role.localeCompare(b.role));
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
    database?: { address: string; port: number; dbName: string; user: string; region: string };
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
        env.DB_USERNAME = args.database.user;
        // The service signs a fresh IAM token per connection: nothing to rotate, nothing to go stale.
        env.DB_IAM_AUTH = "true";
        env.DB_REGION = args.database.region;
    }
    if (args.bucketName) env.BUCKET_NAME = args.bucketName;
    Object.assign(env, args.service.environment);
    return Object.keys(env)
        .sort()
        .map((name) => ({ name, value: env[name] }));
}

/** The container's `secrets`: the catalogue's references only; a service never sees the master secret. */
export function containerSecrets(service: ServiceSettings): { name: string; valueFrom: string }[] {
    const out: { name: string; valueFrom: string }[] = [];
    for (const ref of service.secrets) out.push({ name: ref.name, valueFrom: secretValueFrom(ref) });
    return out.sort((a, b) => a.name.localeCompare(b.name));
}
