// The validated, defaulted settings every component receives: plain data, no Pulumi types, no AWS calls.
import type { DatabaseAccess } from "./databaseAccess";
import type { Environment, Profile } from "./profiles";
import type { SubnetLayout } from "./cidr";
import type { ListenerRulePlan } from "./routes";
import type { CostAssumptions } from "./costAssumptions";

export type SecretRef =
    | { name: string; source: "secretsManager"; arn: string; jsonKey?: string }
    | { name: string; source: "ssm"; parameter: string };

export interface ContainerHealthCheck {
    /** Full ECS command: ["CMD", ...] (exec form) or ["CMD-SHELL", "..."] only when the image has a shell. */
    command: string[];
    intervalSeconds: number;
    timeoutSeconds: number;
    retries: number;
    startPeriodSeconds: number;
}

export type RolloutStrategy = "rolling" | "blueGreen" | "canary" | "linear";

/** How ECS rolls one service out (deploymentConfiguration); everything but `strategy` is unused when rolling. */
export interface RolloutSettings {
    strategy: RolloutStrategy;
    /** Minutes blue keeps running after production traffic moved (bakeTimeInMinutes). */
    bakeMinutes: number;
    /** Timeout of the PAUSE at POST_TEST_TRAFFIC_SHIFT; on expiry ECS rolls back (a lost driver never releases). */
    testTimeoutMinutes: number;
    /** Optional second PAUSE at POST_PRODUCTION_TRAFFIC_SHIFT (all production on green, blue still up). */
    productionPauseMinutes?: number;
    /**
     * Canary and linear only: a PAUSE at PRE_PRODUCTION_TRAFFIC_SHIFT, which ECS invokes before every production
     * traffic step — before the first (no production on green yet) and before each later one (production partly
     * on green), so berth judges green's 5xx ratio before the rest of the traffic moves.
     */
    stepPauseMinutes?: number;
    canary?: { percent: number; bakeMinutes: number };
    linear?: { stepPercent: number; intervalMinutes: number };
    /** Requests carrying this header (value: Naming.testTrafficValue) reach green through the test listener rule. */
    testHeader: string;
    /**
     * Set for the one update that turns an existing rolling service into a traffic-shifting one: Pulumi then sends
     * the load-balancer block (with advancedConfiguration) that it otherwise leaves to ECS.
     */
    switching: boolean;
}

export interface ServiceSettings {
    name: string;
    build: { context: string; dockerfile: string; target?: string; args: Record<string, string> };
    port: number;
    cpu: number;
    memory: number;
    desiredCount: number;
    priority?: number;
    /** Services this one calls: security-group edges and rollout order (F10, F11). */
    dependsOn: string[];
    /** Services whose rollout must finish first: dependsOn plus priority-derived edges (F11). */
    waitsFor: string[];
    routes: string[];
    healthCheck: {
        path: string;
        gracePeriodSeconds: number;
        intervalSeconds: number;
        timeoutSeconds: number;
        healthyThreshold: number;
        unhealthyThreshold: number;
        matcher: string;
        container?: ContainerHealthCheck;
    };
    environment: Record<string, string>;
    secrets: SecretRef[];
    /** Absent when the service has no database access; `user` is its own PostgreSQL role (naming.ts). */
    database?: { access: DatabaseAccess; user: string };
    bucket: "none" | "read" | "readwrite";
    spot: boolean;
    autoscaling?: { min: number; max: number; targetCpu: number; scaleInCooldownSeconds: number; scaleOutCooldownSeconds: number };
    deployment: { minimumHealthyPercent: number; maximumPercent: number };
    rollout: RolloutSettings;
    websocket: boolean;
    longRequests: boolean;
    deregistrationDelaySeconds: number;
    stopTimeoutSeconds: number;
    readonlyRootFilesystem: boolean;
    user?: string;
    architecture: "x86_64" | "arm64";
}

/** Where each CloudWatch alarm fires (profiles.ts COMMON_DEFAULTS.alarmThresholds, overridden by `berth:alarms.thresholds`). */
export interface AlarmThresholds {
    /** ALB-generated 5xx responses per minute, three minutes in a row. */
    alb5xxPerMinute: number;
    /** Unhealthy targets in one target group, five minutes in a row. */
    unhealthyTargets: number;
    /** 5xx answered by one routed service's targets per minute, two minutes in a row (ECS rolls a deployment back on it). */
    target5xxPerMinute: number;
    serviceCpuPercent: number;
    serviceMemoryPercent: number;
    databaseCpuPercent: number;
    /** The alarm fires below this much free database storage. */
    databaseFreeStorageGiB: number;
}

export interface Settings {
    project: string;
    stack: string;
    environment: Environment;
    network: {
        cidr: string;
        availabilityZones: number;
        natGateways: "single" | "onePerAz";
        interfaceEndpoints: boolean;
        flowLogs: boolean;
        subnets: SubnetLayout;
    };
    /** The profile's database defaults (as overridden by config), plus what every profile shares. */
    database: Profile["database"] & {
        engineVersion: string;
        /** Parameter group family, e.g. postgres16. */
        family: string;
        dbName: string;
        username: string;
        port: number;
    };
    loadBalancer: {
        certificateArn?: string;
        /** The name users reach the ALB by (a CNAME/alias you manage); the ALB's DNS name when absent. */
        domainName?: string;
        accessLogs: boolean;
        deletionProtection: boolean;
        idleTimeoutSeconds: number;
        rules: ListenerRulePlan[];
    };
    alarms: { email?: string; topicArn?: string; thresholds: AlarmThresholds };
    logs: { retentionDays: number };
    registry: { keepImages: number; untaggedExpiryDays: number; forceDelete: boolean };
    storage: { versioning: boolean; forceDestroy: boolean; accessLogExpiryDays: number };
    protectData: boolean;
    services: ServiceSettings[];
    migration?: { service: string; command: string[]; timeoutSeconds: number; image?: string };
    /** Image digests set by the release driver for the update in flight (`berth:images`). */
    images: Record<string, string>;
    /** GitHub Actions access by OIDC (F18): no stored AWS keys. */
    ci?: { githubRepository: string; branches: string[]; createOidcProvider: boolean; environments: string[]; promoteFrom: string[] };
    /** Rollout levels of the catalogue, level 0 first (F11). */
    rolloutLevels: string[][];
    /** Usage figures the cost estimate assumes (`berth:costAssumptions` over the defaults). */
    costAssumptions: CostAssumptions;
    /** The order services are declared in: level by level, longest remaining path first within a level (F17). */
    declarationOrder: string[];
}
