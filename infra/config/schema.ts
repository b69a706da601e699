// The shape of berth's stack configuration (`berth:*` keys): types, ranges and unknown keys. Cross-field
// rules (graph, routes, ports, profiles) live in load.ts; this file is the one place the shape is declared.
import { z } from "zod";
import { ENVIRONMENTS } from "./profiles";
import { costAssumptionsSchema } from "./costAssumptions";

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,26}[a-z0-9]$/;

const healthCheck = z.strictObject({
    path: z.string().regex(/^\/[\x21-\x7e]{0,1023}$/, "must be an absolute path such as /health").optional(),
    gracePeriodSeconds: int(0, 2147483647).optional(),
    intervalSeconds: int(5, 300).optional(),
    timeoutSeconds: int(2, 120).optional(),
    healthyThreshold: int(2, 10).optional(),
    unhealthyThreshold: int(2, 10).optional(),
    matcher: z.string().regex(/^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$/, 'must be HTTP codes such as "200" or "200-299"').optional(),
    /** Container health check command; exec form unless the image has a shell (F01). */
    command: z.array(z.string().min(1)).min(1).optional(),
    shell: z.boolean().optional(),
});

const service = z.strictObject({
    name: z.string(),
    build: z.strictObject({
        context: z.string().min(1),
        dockerfile: z.string().min(1).optional(),
        target: z.string().min(1).optional(),
        args: z.record(z.string(), z.string()).optional(),
    }),
    port: int(1, 65535),
    cpu: z.number().int().optional(),
    memory: z.number().int().optional(),
    desiredCount: int(0, 1000).optional(),
    priority: int(0, 1000).optional(),
    dependsOn: z.array(z.string()).optional(),
    routes: z.array(z.string()).optional(),
    healthCheck: healthCheck.optional(),
    environment: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    secrets: z.record(z.string(), z.unknown()).optional(),
    /** true, false or { access: read | readwrite }: shape checked with precise messages in databaseAccess.ts. */
    database: z.unknown().optional(),
    bucket: z.enum(["none", "read", "readwrite"]).optional(),
    spot: z.boolean().optional(),
    autoscaling: z
        .strictObject({ min: int(0, 1000), max: int(1, 1000), targetCpu: int(10, 90).optional() })
        .optional(),
    websocket: z.boolean().optional(),
    longRequests: z.boolean().optional(),
    deregistrationDelaySeconds: int(0, 3600).optional(),
    readonlyRootFilesystem: z.boolean().optional(),
    user: z.string().regex(/^\d+(?::\d+)?$/, 'must be a numeric uid or uid:gid such as "10001"').optional(),
    architecture: z.enum(["x86_64", "arm64"]).optional(),
    /** How ECS rolls the service out; strategy and ranges checked with precise messages in rollout.ts. */
    rollout: z
        .strictObject({
            strategy: z.string().optional(),
            bakeMinutes: z.number().optional(),
            testTimeoutMinutes: z.number().optional(),
            productionPauseMinutes: z.number().optional(),
            stepPauseMinutes: z.number().optional(),
            canary: z.strictObject({ percent: z.number().optional(), bakeMinutes: z.number().optional() }).optional(),
            linear: z.strictObject({ stepPercent: z.number().optional(), intervalMinutes: z.number().optional() }).optional(),
            switching: z.boolean().optional(),
        })
        .optional(),
});

export const configSchema = z.strictObject({
    environment: z.enum(ENVIRONMENTS),
    network: z
        .strictObject({
            cidr: z.string().optional(),
            availabilityZones: int(2, 6).optional(),
            natGateways: z.enum(["single", "onePerAz"]).optional(),
            interfaceEndpoints: z.boolean().optional(),
            flowLogs: z.boolean().optional(),
        })
        .optional(),
    database: z
        .strictObject({
            engineVersion: z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a PostgreSQL version such as "16.6"').optional(),
            instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as "db.t4g.micro"').optional(),
            allocatedStorage: int(20, 65536).optional(),
            maxAllocatedStorage: int(20, 65536).optional(),
            backupRetentionDays: int(0, 35).optional(),
            multiAz: z.boolean().optional(),
            deletionProtection: z.boolean().optional(),
            finalSnapshot: z.boolean().optional(),
            dbName: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "must be a lower-case PostgreSQL identifier").optional(),
            username: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/, "must be a lower-case identifier of at most 16 characters").optional(),
        })
        .optional(),
    loadBalancer: z
        .strictObject({
            certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, "must be an ACM certificate ARN").optional(),
            domainName: z.string().regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com").optional(),
            accessLogs: z.boolean().optional(),
            deletionProtection: z.boolean().optional(),
            idleTimeoutSeconds: int(1, 4000).optional(),
        })
        .optional(),
    alarms: z
        .strictObject({
            email: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an e-mail address").optional(),
            topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, "must be an SNS topic ARN").optional(),
            /** Where each alarm fires; the free-storage floor is checked against the database's size in sections.ts. */
            thresholds: z
                .strictObject({
                    alb5xxPerMinute: int(0, 1_000_000).optional(),
                    unhealthyTargets: int(0, 1000).optional(),
                    target5xxPerMinute: int(0, 1_000_000).optional(),
                    serviceCpuPercent: int(1, 99).optional(),
                    serviceMemoryPercent: int(1, 99).optional(),
                    databaseCpuPercent: int(1, 99).optional(),
                    databaseFreeStorageGiB: z.number().positive().optional(),
                })
                .optional(),
        })
        .optional(),
    logs: z.strictObject({ retentionDays: z.number().int().optional() }).optional(),
    registry: z
        .strictObject({ keepImages: int(1, 1000).optional(), untaggedExpiryDays: int(1, 365).optional() })
        .optional(),
    storage: z.strictObject({ versioning: z.boolean().optional() }).optional(),
    services: z.array(service).min(1),
    migration: z
        .strictObject({
            service: z.string(),
            command: z.array(z.string().min(1)).min(1),
            timeoutSeconds: int(30, 86400).optional(),
        })
        .optional(),
    images: z.record(z.string(), z.string()).optional(),
    /** Digest the migration task runs, set by the driver before the migration; services keep theirs. */
    migrationImage: z.string().optional(),
    ci: z
        .strictObject({
            githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/repository" as on GitHub'),
            branches: z.array(z.string().regex(/^[A-Za-z0-9_./*-]+$/, "must be a branch name or pattern such as release/*")).min(1).optional(),
            createOidcProvider: z.boolean().optional(),
            /** GitHub environments whose jobs may assume the deploy role (promotion jobs gated by required reviewers). */
            environments: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a GitHub environment name such as prod")).optional(),
            /** Stacks of this project and account this one is promoted from: the deploy role may read their releases and pull their images. */
            promoteFrom: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a stack name such as staging")).optional(),
        })
        .optional(),
    /** Usage figures for the cost estimate (infra/cost); validated in costAssumptions.ts. */
    costAssumptions: costAssumptionsSchema.optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawService = z.infer<typeof service>;

/** The config keys berth reads, without the `berth:` namespace. */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof RawConfig)[];
