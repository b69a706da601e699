// Profile defaults: what dev, staging and prod mean. Individual config keys override these; components
// never hold defaults of their own.

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface Profile {
    network: { natGateways: "single" | "onePerAz"; interfaceEndpoints: boolean; flowLogs: boolean };
    database: {
        instanceClass: string;
        allocatedStorage: number;
        maxAllocatedStorage: number;
        backupRetentionDays: number;
        multiAz: boolean;
        deletionProtection: boolean;
        finalSnapshot: boolean;
        performanceInsights: boolean;
        applyImmediately: boolean;
    };
    loadBalancer: { accessLogs: boolean; deletionProtection: boolean };
    logs: { retentionDays: number };
    registry: { keepImages: number; untaggedExpiryDays: number; forceDelete: boolean };
    storage: { versioning: boolean; forceDestroy: boolean };
    /** `protect` on resources that hold data (RDS, buckets, repositories, log groups): F16. */
    protectData: boolean;
    allowSpot: boolean;
    desiredCount: number;
    /** How routed services roll out unless they say otherwise; unrouted services always roll (no traffic to shift). */
    routedStrategy: "rolling" | "blueGreen";
}

/** Settings every profile shares; AWS's fast-rollout guidance for ALB targets (F17). */
export const COMMON_DEFAULTS = {
    network: { cidr: "10.0.0.0/16", availabilityZones: 3, publicMask: 24, privateMask: 20, isolatedMask: 24 },
    database: { engineVersion: "16.6", dbName: "app", username: "berth_admin", port: 5432 },
    healthCheck: {
        path: "/health",
        gracePeriodSeconds: 30,
        intervalSeconds: 5,
        timeoutSeconds: 4,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        matcher: "200",
    },
    containerHealthCheck: { intervalSeconds: 10, timeoutSeconds: 5, retries: 3 },
    /** Deregistration delay for ordinary services, and for WebSockets / long requests. */
    deregistrationDelaySeconds: { fast: 10, long: 120 },
    /** ALB idle timeout: AWS default 60 s; WebSocket services raise it. */
    idleTimeoutSeconds: { default: 60, websocket: 300 },
    cpu: 256,
    memory: 512,
    architecture: "x86_64" as const,
    readonlyRootFilesystem: true,
    migrationTimeoutSeconds: 600,
    /** Target tracking on CPU: scale out quickly, scale in slowly so a burst does not flap. */
    autoscaling: { targetCpu: 60, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 60 },
    /** ALB access logs are kept this long in their bucket. */
    accessLogExpiryDays: 90,
    /**
     * Where the alarms fire (`berth:alarms.thresholds` overrides each): ALB-generated 5xx per minute (3 minutes in a
     * row), unhealthy targets per target group (5 minutes), average CPU and memory per service and database CPU
     * (two 5-minute periods), and the database's free storage (one 5-minute minimum).
     */
    alarmThresholds: {
        alb5xxPerMinute: 10,
        unhealthyTargets: 0,
        target5xxPerMinute: 5,
        serviceCpuPercent: 85,
        serviceMemoryPercent: 85,
        databaseCpuPercent: 80,
        databaseFreeStorageGiB: 2,
    },
    /** ECS rolling update: keep every old task until its replacement is healthy. */
    deployment: { minimumHealthyPercent: 100, maximumPercent: 200 },
    /**
     * Traffic-shifting rollouts (rollout.ts): blue keeps running `bakeMinutes` after production moved; the PAUSE
     * at POST_TEST_TRAFFIC_SHIFT rolls back by itself after `testTimeoutMinutes` if no driver answers; canary and
     * linear steps are the API's defaults made explicit (canary 5% for 10 min) or a gentle ramp (linear).
     * Five minutes of bake: long enough for the deployment alarms (2 and 5 one-minute periods, a minute late) to
     * fire on a green that fails under production load, and — since bakes overlap (the engine goes on once ECS
     * accepted a traffic-shifting update) — paid once per release: the 12-service example released blue/green takes
     * 0.97× its rolling release at 5 minutes and stays within 1.5× up to 9 (`npm run bench:rollout`).
     */
    rollout: {
        bakeMinutes: 5,
        testTimeoutMinutes: 30,
        canary: { percent: 5, bakeMinutes: 10 },
        linear: { stepPercent: 25, intervalMinutes: 2 },
        testHeader: "x-berth-test",
    },
};

export const PROFILES: Record<Environment, Profile> = {
    dev: {
        network: { natGateways: "single", interfaceEndpoints: false, flowLogs: false },
        database: {
            instanceClass: "db.t4g.micro",
            allocatedStorage: 20,
            maxAllocatedStorage: 50,
            backupRetentionDays: 1,
            multiAz: false,
            deletionProtection: false,
            finalSnapshot: false,
            performanceInsights: false,
            applyImmediately: true,
        },
        loadBalancer: { accessLogs: false, deletionProtection: false },
        logs: { retentionDays: 7 },
        registry: { keepImages: 10, untaggedExpiryDays: 1, forceDelete: true },
        storage: { versioning: false, forceDestroy: true },
        protectData: false,
        allowSpot: true,
        desiredCount: 1,
        routedStrategy: "rolling",
    },
    staging: {
        network: { natGateways: "single", interfaceEndpoints: true, flowLogs: true },
        database: {
            instanceClass: "db.t4g.small",
            allocatedStorage: 20,
            maxAllocatedStorage: 100,
            backupRetentionDays: 7,
            multiAz: false,
            deletionProtection: false,
            finalSnapshot: true,
            performanceInsights: false,
            applyImmediately: true,
        },
        loadBalancer: { accessLogs: true, deletionProtection: false },
        logs: { retentionDays: 30 },
        registry: { keepImages: 20, untaggedExpiryDays: 1, forceDelete: true },
        storage: { versioning: true, forceDestroy: true },
        protectData: false,
        allowSpot: true,
        desiredCount: 1,
        routedStrategy: "rolling",
    },
    prod: {
        network: { natGateways: "onePerAz", interfaceEndpoints: true, flowLogs: true },
        database: {
            instanceClass: "db.t4g.medium",
            allocatedStorage: 50,
            maxAllocatedStorage: 500,
            backupRetentionDays: 14,
            multiAz: true,
            deletionProtection: true,
            finalSnapshot: true,
            performanceInsights: true,
            applyImmediately: false,
        },
        loadBalancer: { accessLogs: true, deletionProtection: true },
        logs: { retentionDays: 90 },
        registry: { keepImages: 30, untaggedExpiryDays: 1, forceDelete: false },
        storage: { versioning: true, forceDestroy: false },
        protectData: true,
        allowSpot: false,
        desiredCount: 2,
        routedStrategy: "blueGreen",
    },
};
