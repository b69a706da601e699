// The settings a minimal catalogue gets from its profile, and every optional key overriding its default:
// the loader's defaults are user-visible behaviour (README configuration reference).
import { expect } from "chai";
import { loadSettings } from "../../../infra/config/load";

const minimal = (environment: string, extra: Record<string, unknown> = {}, service: Record<string, unknown> = {}) => ({
    "aws:region": "eu-west-1",
    "berth:environment": environment,
    "berth:services": [{ name: "api", build: { context: "services/app" }, port: 8080, routes: ["/*"], ...service }],
    ...extra,
});

/** Settings as plain data (absent optional fields dropped), as the program and synth see them. */
const load = (values: Record<string, unknown>, stack = "staging") => JSON.parse(JSON.stringify(loadSettings({ project: "berth", stack, values })));

describe("config defaults: a minimal catalogue gets its profile's settings", () => {
    it("staging: every default, from the network layout to the service's drain and stop timeout", () => {
        expect(load(minimal("staging"))).to.deep.equal({
            "project": "berth",
            "stack": "staging",
            "environment": "staging",
            "network": {
                "cidr": "10.0.0.0/16",
                "availabilityZones": 3,
                "natGateways": "single",
                "interfaceEndpoints": true,
                "flowLogs": true,
                "subnets": {
                    "private": [
                        "10.0.0.0/20",
                        "10.0.16.0/20",
                        "10.0.32.0/20"
                    ],
                    "public": [
                        "10.0.128.0/24",
                        "10.0.129.0/24",
                        "10.0.130.0/24"
                    ],
                    "isolated": [
                        "10.0.144.0/24",
                        "10.0.145.0/24",
                        "10.0.146.0/24"
                    ]
                }
            },
            "database": {
                "engineVersion": "16.6",
                "family": "postgres16",
                "instanceClass": "db.t4g.small",
                "allocatedStorage": 20,
                "maxAllocatedStorage": 100,
                "backupRetentionDays": 7,
                "multiAz": false,
                "deletionProtection": false,
                "finalSnapshot": true,
                "performanceInsights": false,
                "applyImmediately": true,
                "dbName": "app",
                "username": "berth_admin",
                "port": 5432
            },
            "loadBalancer": {
                "accessLogs": true,
                "deletionProtection": false,
                "idleTimeoutSeconds": 60,
                "rules": [
                    {
                        "service": "api",
                        "index": 0,
                        "patterns": [
                            "/*"
                        ],
                        "priority": 10
                    }
                ]
            },
            "alarms": {
                "thresholds": {
                    "alb5xxPerMinute": 10,
                    "unhealthyTargets": 0,
                    "target5xxPerMinute": 5,
                    "serviceCpuPercent": 85,
                    "serviceMemoryPercent": 85,
                    "databaseCpuPercent": 80,
                    "databaseFreeStorageGiB": 2
                }
            },
            "costAssumptions": {
                "albLcuPerHour": 1,
                "natGbPerMonth": 50,
                "endpointGbPerMonth": 20,
                "logGbPerGroupPerMonth": 1,
                "flowLogGbPerMonth": 5,
                "s3GbPerBucket": 5,
                "ecrGbPerRepository": 1,
                "backupChangePerDay": 0.05,
                "spotDiscount": 0.7
            },
            "logs": {
                "retentionDays": 30
            },
            "registry": {
                "keepImages": 20,
                "untaggedExpiryDays": 1,
                "forceDelete": true
            },
            "storage": {
                "versioning": true,
                "forceDestroy": true,
                "accessLogExpiryDays": 90
            },
            "protectData": false,
            "services": [
                {
                    "name": "api",
                    "build": {
                        "context": "services/app",
                        "dockerfile": "Dockerfile",
                        "args": {}
                    },
                    "port": 8080,
                    "cpu": 256,
                    "memory": 512,
                    "desiredCount": 1,
                    "dependsOn": [],
                    "waitsFor": [],
                    "routes": [
                        "/*"
                    ],
                    "healthCheck": {
                        "path": "/health",
                        "gracePeriodSeconds": 30,
                        "intervalSeconds": 5,
                        "timeoutSeconds": 4,
                        "healthyThreshold": 2,
                        "unhealthyThreshold": 3,
                        "matcher": "200"
                    },
                    "environment": {},
                    "secrets": [],
                    "bucket": "none",
                    "spot": false,
                    "websocket": false,
                    "longRequests": false,
                    "deregistrationDelaySeconds": 10,
                    "deployment": {
                        "minimumHealthyPercent": 100,
                        "maximumPercent": 200
                    },
                    "rollout": {
                        "strategy": "rolling",
                        "bakeMinutes": 5,
                        "testTimeoutMinutes": 30,
                        "testHeader": "x-berth-test",
                        "switching": false
                    },
                    "stopTimeoutSeconds": 10,
                    "readonlyRootFilesystem": true,
                    "architecture": "x86_64"
                }
            ],
            "images": {},
            "rolloutLevels": [
                [
                    "api"
                ]
            ],
            "declarationOrder": [
                "api"
            ]
        });
    });

    it("dev and prod differ from staging only where their profiles say", () => {
        const dev = load(minimal("dev"), "dev");
        expect([dev.database.instanceClass, dev.database.maxAllocatedStorage, dev.database.backupRetentionDays, dev.registry.keepImages, dev.logs.retentionDays, dev.network.interfaceEndpoints]).to.deep.equal(["db.t4g.micro", 50, 1, 10, 7, false]);
        const prod = load(minimal("prod"), "prod");
        expect([prod.database.allocatedStorage, prod.database.maxAllocatedStorage, prod.database.performanceInsights, prod.database.applyImmediately, prod.services[0].desiredCount, prod.protectData]).to.deep.equal([50, 500, true, false, 2, true]);
    });
});

describe("config defaults: every optional key overrides its default", () => {
    it("network, database, load balancer, alarms, logs, registry, storage, CI", () => {
        const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123";
        const topic = "arn:aws:sns:eu-west-1:123456789012:ops";
        const s = load(
            minimal("staging", {
                "berth:network": { cidr: "10.8.0.0/16", availabilityZones: 2, natGateways: "onePerAz", interfaceEndpoints: false, flowLogs: false },
                "berth:database": { engineVersion: "15.7", instanceClass: "db.r6g.large", allocatedStorage: 40, maxAllocatedStorage: 80, backupRetentionDays: 3, multiAz: true, deletionProtection: true, finalSnapshot: false, dbName: "shop", username: "owner" },
                "berth:loadBalancer": { certificateArn: cert, domainName: "shop.example.com", accessLogs: false, deletionProtection: true, idleTimeoutSeconds: 120 },
                "berth:alarms": { email: "ops@example.com", topicArn: topic, thresholds: { alb5xxPerMinute: 0, unhealthyTargets: 1, target5xxPerMinute: 0, serviceCpuPercent: 70, serviceMemoryPercent: 90, databaseCpuPercent: 75, databaseFreeStorageGiB: 4.5 } },
                "berth:logs": { retentionDays: 14 },
                "berth:registry": { keepImages: 5, untaggedExpiryDays: 3 },
                "berth:storage": { versioning: false },
                "berth:ci": { githubRepository: "acme/shop", branches: ["main", "release/*"], createOidcProvider: false },
            }),
        );
        expect(s.network).to.deep.include({ cidr: "10.8.0.0/16", availabilityZones: 2, natGateways: "onePerAz", interfaceEndpoints: false, flowLogs: false });
        expect(s.network.subnets.private).to.deep.equal(["10.8.0.0/20", "10.8.16.0/20"]);
        expect(s.database).to.deep.equal({ engineVersion: "15.7", family: "postgres15", instanceClass: "db.r6g.large", allocatedStorage: 40, maxAllocatedStorage: 80, backupRetentionDays: 3, multiAz: true, deletionProtection: true, finalSnapshot: false, performanceInsights: false, applyImmediately: true, dbName: "shop", username: "owner", port: 5432 });
        expect(s.loadBalancer).to.deep.include({ certificateArn: cert, domainName: "shop.example.com", accessLogs: false, deletionProtection: true, idleTimeoutSeconds: 120 });
        expect(s.alarms).to.deep.equal({
            email: "ops@example.com",
            topicArn: topic,
            thresholds: { alb5xxPerMinute: 0, unhealthyTargets: 1, target5xxPerMinute: 0, serviceCpuPercent: 70, serviceMemoryPercent: 90, databaseCpuPercent: 75, databaseFreeStorageGiB: 4.5 },
        });
        // one threshold given: the others stay the profile's
        expect(load(minimal("staging", { "berth:alarms": { thresholds: { serviceCpuPercent: 60 } } })).alarms.thresholds).to.deep.equal({
            alb5xxPerMinute: 10,
            unhealthyTargets: 0,
            target5xxPerMinute: 5,
            serviceCpuPercent: 60,
            serviceMemoryPercent: 85,
            databaseCpuPercent: 80,
            databaseFreeStorageGiB: 2,
        });
        expect(s.logs).to.deep.equal({ retentionDays: 14 });
        expect(s.registry).to.deep.equal({ keepImages: 5, untaggedExpiryDays: 3, forceDelete: true });
        expect(s.storage).to.deep.equal({ versioning: false, forceDestroy: true, accessLogExpiryDays: 90 });
        expect(s.ci).to.deep.equal({ githubRepository: "acme/shop", branches: ["main", "release/*"], createOidcProvider: false, environments: [], promoteFrom: [] });
        expect(load(minimal("staging", { "berth:ci": { githubRepository: "acme/shop" } })).ci).to.deep.equal({ githubRepository: "acme/shop", branches: ["main"], createOidcProvider: true, environments: [], promoteFrom: [] });
    });

    it("a larger allocated storage raises the profile's autoscaling ceiling with it", () => {
        expect(load(minimal("staging", { "berth:database": { allocatedStorage: 300 } })).database).to.deep.include({ allocatedStorage: 300, maxAllocatedStorage: 300 });
    });

    it("service keys: build, size, health check, flags, user and architecture", () => {
        const svc = load(
            minimal("staging", {}, {
                build: { context: "services/app", dockerfile: "Dockerfile.prod", target: "runtime", args: { NODE_ENV: "production" } },
                cpu: 1024,
                memory: 4096,
                desiredCount: 3,
                priority: 2,
                dependsOn: [],
                healthCheck: { path: "/ready", gracePeriodSeconds: 90, intervalSeconds: 10, timeoutSeconds: 6, healthyThreshold: 3, unhealthyThreshold: 4, matcher: "200-299" },
                database: true,
                bucket: "readwrite",
                spot: true,
                readonlyRootFilesystem: false,
                user: "10001:10001",
                architecture: "arm64",
            }),
        ).services[0];
        expect(svc.build).to.deep.equal({ context: "services/app", dockerfile: "Dockerfile.prod", target: "runtime", args: { NODE_ENV: "production" } });
        expect([svc.cpu, svc.memory, svc.desiredCount, svc.priority]).to.deep.equal([1024, 4096, 3, 2]);
        expect(svc.healthCheck).to.deep.equal({ path: "/ready", gracePeriodSeconds: 90, intervalSeconds: 10, timeoutSeconds: 6, healthyThreshold: 3, unhealthyThreshold: 4, matcher: "200-299" });
        expect([svc.database, svc.bucket, svc.spot, svc.readonlyRootFilesystem, svc.user, svc.architecture]).to.deep.equal([{ access: "readwrite", user: "svc_api" }, "readwrite", true, false, "10001:10001", "arm64"]);
    });

    it("a container health check gets ECS's interval, timeout and retries from the profile", () => {
        const c = load(minimal("staging", {}, { healthCheck: { command: ["CMD", "/app/hc"] } })).services[0].healthCheck.container;
        expect(c).to.deep.equal({ command: ["CMD", "/app/hc"], intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 30 });
    });

    it("a migration gets the 600 s default timeout unless it sets one", () => {
        const m = (migration: Record<string, unknown>) => load(minimal("staging", { "berth:migration": migration }, { database: true })).migration;
        expect(m({ service: "api", command: ["migrate"] })).to.deep.equal({ service: "api", command: ["migrate"], timeoutSeconds: 600 });
        expect(m({ service: "api", command: ["migrate"], timeoutSeconds: 1200 })).to.deep.equal({ service: "api", command: ["migrate"], timeoutSeconds: 1200 });
    });
});
