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
    websocket: boolean;
    longRequests: boolean;
    deregistrationDelaySeconds: number;
    stopTimeoutSeconds: number;
    readonlyRootFilesystem: boolean;
    user?: string;
    architecture: "x86_64" | "arm64";
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
    alarms: { email?: string; topicArn?: string };
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
