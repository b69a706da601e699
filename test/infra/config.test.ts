import { expect } from "chai";
import { ConfigError } from "../../infra/config/load";
import { baseConfig } from "../helpers/synth";
import { configProblems as problems, loadConfig as load, type Config, withService } from "../helpers/config";





function addService(svc: Record<string, unknown>, extra: Config = {}): Config {
    const c = baseConfig(extra);
    c["berth:services"].push({ build: { context: "test/fixtures/context" }, ...svc });
    return c;
}

const SM = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:berth/dev/key-AbCdEf";

describe("config validation: every bad input is rejected with its key and the fix", () => {
    const cases: [string, Config, string[], string[]?][] = [
        ["F04: a service name with capitals", withService(0, { name: "Web" }), ['berth:services[0].name: "Web" is not a valid service name: use 2-28 lower-case letters, digits and hyphens, starting with a letter (it becomes part of DNS, ECS and IAM names, F04)']],
        ["a service name with an underscore", withService(0, { name: "bad_web" }), ['berth:services[0].name: "bad_web" is not a valid service name: use 2-28 lower-case letters, digits and hyphens, starting with a letter (it becomes part of DNS, ECS and IAM names, F04)']],
        ["a reserved service name", withService(0, { name: "migrate" }), ['berth:services[0].name: "migrate" is reserved for berth\'s own resources (access-logs, alarms, alb, cluster, db, db-final, endpoints, flow-logs, migrate, uploads); choose another name']],
        ["a duplicate service name", addService({ name: "worker", port: 9000 }), ['berth:services[3].name: "worker" is already used by berth:services[2]; service names must be unique']],
        ["F15: a duplicate port", addService({ name: "audit", port: 8081 }), ['berth:services[3].port: 8081 is already used by "api" (berth:services[1]); give each service its own port so security-group rules and local runs stay unambiguous (F15)']],
        ["an unknown dependsOn", withService(2, { dependsOn: ["api-gw"] }), ['berth:services[2].dependsOn[0]: "api-gw" is not a service in berth:services; did you mean "api"?']],
        ["a service depending on itself", withService(2, { dependsOn: ["worker"] }), ['berth:services[2].dependsOn[0]: "worker" cannot depend on itself']],
        ["F11: a dependsOn cycle", withService(2, { dependsOn: ["web"] }), ["berth:services: dependency cycle api → worker → web → api (dependsOn and priority together); remove one of these edges (F11)"]],
        ["F11: a priority that contradicts dependsOn", (() => { const c = baseConfig(); c["berth:services"][1].priority = 0; c["berth:services"][2].priority = 1; return c; })(), ["berth:services: dependency cycle api → worker → api (dependsOn and priority together); remove one of these edges (F11)"]],
        ["an invalid Fargate CPU", withService(0, { cpu: 300 }), ["berth:services[0].cpu: 300 is not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384"]],
        ["an invalid cpu/memory pair", withService(0, { cpu: 256, memory: 4096 }), ["berth:services[0].memory: 4096 MiB is not a valid Fargate size with cpu 256; cpu 256 allows memory 512, 1024, 2048"]],
        ["memory off the step for large CPU", withService(0, { cpu: 1024, memory: 2500 }), ["berth:services[0].memory: 2500 MiB is not a valid Fargate size with cpu 1024; cpu 1024 allows memory 2048-8192 in steps of 1024"]],
        ["F08: a path pattern without a leading slash", withService(1, { routes: ["api/*"] }), ['berth:services[1].routes[0]: path pattern "api/*" must start with "/" (F08)']],
        ["F08: a path pattern with forbidden characters", withService(1, { routes: ["/api/{id}"] }), ['berth:services[1].routes[0]: path pattern "/api/{id}" has characters AWS does not allow (use A-Z a-z 0-9 _ - . $ / ~ " \' @ : + & * ?) (F08)']],
        ["F08: a path pattern with too many wildcards", withService(1, { routes: ["/a/*/*/*/*/*/*"] }), ['berth:services[1].routes[0]: path pattern "/a/*/*/*/*/*/*" has more than 5 wildcards, the most one rule allows (F08)']],
        ["F08: the same path routed to two services", withService(2, { routes: ["/api/*"] }), ['berth:services[2].routes[0]: "/api/*" is already routed to "api"; a path pattern routes to one service (F08)']],
        [
            "F08: route sets needing more than 100 listener rules",
            (() => {
                const c = baseConfig();
                c["berth:services"][2].routes = Array.from({ length: 303 }, (_, i) => `/w${i}/*`);
                return c;
            })(),
            ["berth:services: the routes need 103 listener rules; an ALB allows 100 (F08): merge path patterns with wildcards or split the catalogue across stacks"],
        ],
        ["F01: CMD-SHELL on an image without a shell", withService(0, { healthCheck: { command: ["CMD-SHELL", "curl -f http://localhost:8080/health"] } }), ['berth:services[0].healthCheck.command: CMD-SHELL needs a shell, and this image declares none (F01): use exec form such as ["CMD", "node", "/app/dist/healthcheck.js"], or set healthCheck.shell: true if the image has /bin/sh']],
        ["a health-check timeout not shorter than its interval", withService(0, { healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }), ["berth:services[0].healthCheck.timeoutSeconds: 5 s must be less than intervalSeconds (5 s); the ALB rejects a timeout that is not shorter than the interval"]],
        ["F14: a secret given as a literal value", withService(1, { secrets: { API_KEY: "hunter2" } }), ['berth:services[1].secrets.API_KEY: must be a reference, not a value: use {secretsManager: "arn:aws:secretsmanager:…", key: "field"} or {ssm: "/path/to/parameter"} (F14)']],
        ["F14: a Secrets Manager reference by bare name", withService(1, { secrets: { API_KEY: { secretsManager: "berth/dev/key" } } }), ["berth:services[1].secrets.API_KEY: secretsManager must be a full secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) so the execution role can be scoped to it"]],
        ["F14: a secret-looking name in plain environment", withService(1, { environment: { STRIPE_API_KEY: "sk_live_123" } }), ["berth:services[1].environment.STRIPE_API_KEY: looks like a secret; declare it under secrets as a Secrets Manager or SSM reference instead of a plain value (F14)"]],
        ["F14: secret material under an innocent name", withService(1, { environment: { UPSTREAM: "https://admin:pa55@db.example.com/app" } }), ["berth:services[1].environment.UPSTREAM: holds secret material (an access key, private key or URL with a password); move it to Secrets Manager or SSM and reference it under secrets (F14)"]],
        ["an environment variable berth sets itself", withService(1, { environment: { PORT: "9999" } }), ["berth:services[1].environment.PORT: is set by berth itself; remove it from environment"]],
        ["an invalid environment variable name", withService(1, { environment: { "feature-flag": "on" } }), ["berth:services[1].environment.feature-flag: is not a valid environment variable name: use letters, digits and underscores, not starting with a digit"]],
        ["the same name in environment and secrets", withService(1, { environment: { REGION_CODE: "x" }, secrets: { REGION_CODE: SM } }), ["berth:services[1].secrets.REGION_CODE: is declared in both environment and secrets; keep it in secrets only"]],
        ["F16: prod without deletion protection", baseConfig({ "berth:environment": "prod", "berth:database": { deletionProtection: false } }), ["berth:database.deletionProtection: must be true in the prod profile (F16); remove the override"]],
        ["F16: prod without a final snapshot", baseConfig({ "berth:environment": "prod", "berth:database": { finalSnapshot: false } }), ["berth:database.finalSnapshot: must be true in the prod profile (F16); remove the override"]],
        ["Fargate Spot in prod", withService(2, { spot: true }, { "berth:environment": "prod" }), ["berth:services[2].spot: Fargate Spot is not allowed in the prod profile (tasks may be interrupted with two minutes' notice); remove spot: true"]],
        ["a migration naming an unknown service", baseConfig({ "berth:migration": { service: "apx", command: ["migrate"] } }), ['berth:migration.service: "apx" is not a service in berth:services; did you mean "api"?; name the service whose image runs the migrations']],
        ["a migration on a service without database access", baseConfig({ "berth:migration": { service: "worker", command: ["migrate"] } }), ['berth:migration.service: "worker" has no database access; set database: true on it (the migration task reuses its image and database credentials)']],
        ["F06: an image given by tag", baseConfig({ "berth:images": { api: "latest" } }), ['berth:images.api: "latest" is not an image digest; berth runs images by digest (sha256:<64 hex>), never by tag such as latest (F06)']],
        ["an image for an unknown service", baseConfig({ "berth:images": { apis: `sha256:${"a".repeat(64)}` } }), ['berth:images.apis: no service "apis" in berth:services; did you mean "api"?']],
        ["autoscaling min above max", withService(0, { autoscaling: { min: 4, max: 2 } }), ["berth:services[0].autoscaling.min: 4 is above autoscaling.max (2)"]],
        ["desired count outside the autoscaling range", withService(0, { desiredCount: 1, autoscaling: { min: 2, max: 4 } }), ["berth:services[0].desiredCount: 1 is outside autoscaling min-max (2-4); set it within that range"]],
        ["F17: a slow deregistration delay without a reason", withService(0, { deregistrationDelaySeconds: 300 }), ["berth:services[0].deregistrationDelaySeconds: 300 s slows every rollout (F17); values above 30 s need longRequests: true or websocket: true"]],
        ["F09: WebSockets on a service without routes", withService(2, { websocket: true }), ["berth:services[2].websocket: needs routes: WebSocket clients reach the service through the ALB (F09)"]],
        ["a build context outside the project", withService(2, { build: { context: "../elsewhere" } }), ['berth:services[2].build.context: "../elsewhere" must be a path inside the project, relative to Pulumi.yaml (for example services/app)']],
        ["a public CIDR", baseConfig({ "berth:network": { cidr: "8.8.0.0/16" } }), ["berth:network.cidr: 8.8.0.0/16 is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 space"]],
        ["a VPC too small for the layout", baseConfig({ "berth:network": { cidr: "10.0.0.0/24" } }), ["berth:network.cidr: /24 does not fit berth's layout; use a /16 to /19 block (public subnets must stay /27 or larger for the ALB)"]],
        ["a malformed CIDR", baseConfig({ "berth:network": { cidr: "10.0.0.1/16" } }), ['berth:network.cidr: "10.0.0.1/16" is not an IPv4 CIDR block such as 10.0.0.0/16 (network address, no host bits)']],
        ["a log retention CloudWatch does not offer", baseConfig({ "berth:logs": { retentionDays: 10 } }), ["berth:logs.retentionDays: 10 is not a CloudWatch Logs retention period; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"]],
        ["max storage below allocated storage", baseConfig({ "berth:database": { allocatedStorage: 100, maxAllocatedStorage: 50 } }), ["berth:database.maxAllocatedStorage: 50 GiB is below allocatedStorage (100 GiB); raise it or lower allocatedStorage"]],
        ["an unknown environment profile", baseConfig({ "berth:environment": "qa" }), ["berth:environment: must be one of dev, staging, prod"]],
        ["a misspelt top-level key", baseConfig({ "berth:service": [] }), ["berth:service: unknown key; did you mean berth:services?"]],
        ["a misspelt service field", withService(0, { dependOn: ["api"] }), ["berth:services[0].dependOn: unknown key; did you mean dependsOn?"]],
        ["a misspelt desiredCount", withService(0, { desiredCont: 2 }), ["berth:services[0].desiredCont: unknown key; did you mean desiredCount?"]],
        ["a service field in the wrong case", withService(0, { healthcheck: { path: "/up" } }), ["berth:services[0].healthcheck: unknown key; did you mean healthCheck?"]],
        ["dependsOn in lower case", withService(0, { dependson: ["api"] }), ["berth:services[0].dependson: unknown key; did you mean dependsOn?"]],
        ["a misspelt field two levels down", withService(0, { autoscaling: { min: 1, max: 2, targetCPU: 50 } }), ["berth:services[0].autoscaling.targetCPU: unknown key; did you mean targetCpu?"]],
        ["two unknown fields, each with its own line", withService(2, { colour: "blue", sppot: true }), ["berth:services[2].colour: unknown key; this map takes name, build, port, cpu, memory, desiredCount, priority, dependsOn, routes, healthCheck, environment, secrets, database, bucket, spot, autoscaling, websocket, longRequests, deregistrationDelaySeconds, readonlyRootFilesystem, user, architecture, rollout", "berth:services[2].sppot: unknown key; did you mean spot?"]],
        ["F14: a literal DB_PASSWORD on a service without a database", withService(2, { secrets: { DB_PASSWORD: "hunter2" } }), ['berth:services[2].secrets.DB_PASSWORD: must be a reference, not a value: use {secretsManager: "arn:aws:secretsmanager:…", key: "field"} or {ssm: "/path/to/parameter"} (F14)']],
        ["a DB_PASSWORD secret on a database service, which berth sets", withService(1, { secrets: { DB_PASSWORD: SM } }), ["berth:services[1].secrets.DB_PASSWORD: is set by berth itself; remove it from secrets"]],
        ["a port given as text", withService(0, { port: "8080" }), ['berth:services[0].port: must be a number, not "8080"']],
        ["a port out of range", withService(0, { port: 70000 }), ["berth:services[0].port: must be at most 65535"]],
        ["an empty catalogue", baseConfig({ "berth:services": [] }), ["berth:services: must have at least 1 entry"]],
        ["F14: a secure value in berth config", baseConfig({ "berth:alarms": { email: "[secret]" } }), ["berth:alarms: holds a secret value (secure:); berth config carries only references: store the value in Secrets Manager or SSM and reference it under a service's secrets (F14)"], ["berth:alarms"]],
        ["no environment profile", (() => { const c = baseConfig(); delete c["berth:environment"]; return c; })(), ["berth:environment: is required: set it to dev, staging or prod (pulumi config set berth:environment dev)"]],
        ["F06: a migration image given by tag", baseConfig({ "berth:migrationImage": "v2" }), ['berth:migrationImage: "v2" is not an image digest; the driver sets sha256:<64 hex> (F06)']],
        ["a migration image without a migration", baseConfig({ "berth:migration": undefined, "berth:migrationImage": `sha256:${"a".repeat(64)}` }), ["berth:migrationImage: is set but berth:migration is not: there is no migration task to run it"]],
        ["database access given as text", withService(2, { database: "yes" }), ['berth:services[2].database: must be true, false or { access: read | readwrite } (got "yes")']],
        ["database access that is not a level", withService(2, { database: { access: "write" } }), ['berth:services[2].database.access: "write" is not an access level; use read or readwrite']],
        ["a misspelt database access level", withService(2, { database: { access: "readwirte" } }), ['berth:services[2].database.access: "readwirte" is not an access level; use read or readwrite; did you mean "readwrite"?']],
        ["database access without a level", withService(2, { database: {} }), ["berth:services[2].database.access: is required: read or readwrite (or write database: true for readwrite)"]],
        ["a misspelt key under database", withService(2, { database: { acess: "read" } }), ['berth:services[2].database.acess: unknown key; database takes only access (read or readwrite); did you mean "access"?', "berth:services[2].database.access: is required: read or readwrite (or write database: true for readwrite)"]],
        ["a master username that is a service's role", baseConfig({ "berth:database": { username: "svc_api" } }), ['berth:database.username: "svc_api" is the database role of service "api"; choose a master username that does not start with svc_']],
        ["a migration on a service whose database access is false", withService(1, { database: false }), ['berth:migration.service: "api" has no database access; set database: true on it (the migration task reuses its image and database credentials)']],
        ["a CPU alarm threshold of 100% (it could never fire)", baseConfig({ "berth:alarms": { thresholds: { serviceCpuPercent: 100 } } }), ["berth:alarms.thresholds.serviceCpuPercent: must be at most 99"]],
        ["a free-storage alarm floor at the database's size", baseConfig({ "berth:alarms": { thresholds: { databaseFreeStorageGiB: 20 } } }), ["berth:alarms.thresholds.databaseFreeStorageGiB: 20 GiB is not below the database's allocated storage (20 GiB): the alarm would always fire; choose a smaller floor"]],
        ["a free-storage alarm floor of 0", baseConfig({ "berth:alarms": { thresholds: { databaseFreeStorageGiB: 0 } } }), ["berth:alarms.thresholds.databaseFreeStorageGiB: must be above 0"]],
        ["a fractional 5xx count", baseConfig({ "berth:alarms": { thresholds: { alb5xxPerMinute: 2.5 } } }), ["berth:alarms.thresholds.alb5xxPerMinute: must be a whole number, not 2.5"]],
        ["a misspelt alarm threshold", baseConfig({ "berth:alarms": { thresholds: { serviceCPUPercent: 90 } } }), ["berth:alarms.thresholds.serviceCPUPercent: unknown key; did you mean serviceCpuPercent?"]],
        ["an ACM ARN that is not one", baseConfig({ "berth:loadBalancer": { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" } }), ["berth:loadBalancer.certificateArn: must be an ACM certificate ARN"]],
    ];

    it("covers at least 25 distinct bad inputs", () => {
        expect(cases.length).to.be.greaterThanOrEqual(25);
        expect(new Set(cases.map((c) => c[0])).size).to.equal(cases.length);
    });

    for (const [title, config, expected, secretKeys] of cases) {
        it(`rejects ${title}`, () => {
            expect(problems(config, secretKeys)).to.deep.equal(expected);
        });
    }

    it("database: true means readwrite as the service's own role; { access: read } narrows it; absent or false means none", () => {
        expect(load(baseConfig()).services.map((x) => x.database)).to.deep.equal([undefined, { access: "readwrite", user: "svc_api" }, undefined]);
        expect(load(withService(1, { database: { access: "read" } })).services[1].database).to.deep.equal({ access: "read", user: "svc_api" });
        expect(load(withService(2, { database: { access: "readwrite" } })).services[2].database).to.deep.equal({ access: "readwrite", user: "svc_worker" });
    });

    it("collects every problem into one numbered list", () => {
        const c = withService(0, { name: "Web", cpu: 300 }, { "berth:images": { api: "latest" } });
        expect(() => load(c)).to.throw(ConfigError).with.property(
            "message",
            [
                "berth configuration has 3 problems:",
                '  1. berth:services[0].name: "Web" is not a valid service name: use 2-28 lower-case letters, digits and hyphens, starting with a letter (it becomes part of DNS, ECS and IAM names, F04)',
                "  2. berth:services[0].cpu: 300 is not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384",
                '  3. berth:images.api: "latest" is not an image digest; berth runs images by digest (sha256:<64 hex>), never by tag such as latest (F06)',
            ].join("\n"),
        );
    });
});

describe("config: valid input, profiles and defaults", () => {
    it("accepts the base catalogue and derives rollout levels from dependsOn (F11)", () => {
        const s = load(baseConfig());
        expect(s.rolloutLevels).to.deep.equal([["worker"], ["api"], ["web"]]);
        expect(s.services.map((x) => [x.name, x.waitsFor])).to.deep.equal([
            ["web", ["api"]],
            ["api", ["worker"]],
            ["worker", []],
        ]);
    });

    it("applies AWS's fast-rollout defaults to target health checks and draining (F17)", () => {
        const api = load(baseConfig()).services[1];
        expect(api.healthCheck).to.deep.include({ path: "/health", intervalSeconds: 5, timeoutSeconds: 4, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriodSeconds: 30 });
        expect([api.deregistrationDelaySeconds, api.stopTimeoutSeconds]).to.deep.equal([10, 10]);
    });

    it("gives WebSocket and long-request services a longer drain, a matching stop timeout and a longer ALB idle timeout (F09, F17)", () => {
        const s = load(withService(1, { websocket: true }));
        expect([s.services[1].deregistrationDelaySeconds, s.services[1].stopTimeoutSeconds]).to.deep.equal([120, 120]);
        expect(s.loadBalancer.idleTimeoutSeconds).to.equal(300);
        const l = load(withService(1, { longRequests: true, deregistrationDelaySeconds: 60 }));
        expect([l.services[1].deregistrationDelaySeconds, l.services[1].stopTimeoutSeconds]).to.deep.equal([60, 60]);
    });

    it("F01: turns a health-check command into exec form, and keeps CMD-SHELL only for a declared shell", () => {
        const exec = load(withService(0, { healthCheck: { command: ["/app/healthcheck"] } })).services[0].healthCheck.container!;
        expect(exec.command).to.deep.equal(["CMD", "/app/healthcheck"]);
        const shell = load(withService(0, { healthCheck: { command: ["CMD-SHELL", "wget -q -O- localhost:8080/health"], shell: true } })).services[0].healthCheck.container!;
        expect(shell.command).to.deep.equal(["CMD-SHELL", "wget -q -O- localhost:8080/health"]);
        expect(load(baseConfig()).services[0].healthCheck.container).to.equal(undefined);
    });

    it("F14: parses secret references of every accepted form", () => {
        const s = load(withService(1, { secrets: { A: SM, B: { secretsManager: SM, key: "token" }, C: { ssm: "/berth/dev/c" }, D: "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/d" } }));
        expect(s.services[1].secrets).to.deep.equal([
            { name: "A", source: "secretsManager", arn: SM },
            { name: "B", source: "secretsManager", arn: SM, jsonKey: "token" },
            { name: "C", source: "ssm", parameter: "/berth/dev/c" },
            { name: "D", source: "ssm", parameter: "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/d" },
        ]);
    });

    it("dev and prod profiles differ where the issue says, and a key overrides its profile", () => {
        const dev = load(baseConfig());
        const prod = load(baseConfig({ "berth:environment": "prod" }));
        const pick = (s: typeof dev) => ({
            nat: s.network.natGateways,
            flowLogs: s.network.flowLogs,
            endpoints: s.network.interfaceEndpoints,
            multiAz: s.database.multiAz,
            deletionProtection: s.database.deletionProtection,
            finalSnapshot: s.database.finalSnapshot,
            protect: s.protectData,
            accessLogs: s.loadBalancer.accessLogs,
            retention: s.logs.retentionDays,
            forceDelete: s.registry.forceDelete,
            versioning: s.storage.versioning,
            instanceClass: s.database.instanceClass,
        });
        expect(pick(dev)).to.deep.equal({ nat: "single", flowLogs: false, endpoints: false, multiAz: false, deletionProtection: false, finalSnapshot: false, protect: false, accessLogs: false, retention: 7, forceDelete: true, versioning: false, instanceClass: "db.t4g.micro" });
        expect(pick(prod)).to.deep.equal({ nat: "onePerAz", flowLogs: true, endpoints: true, multiAz: true, deletionProtection: true, finalSnapshot: true, protect: true, accessLogs: true, retention: 90, forceDelete: false, versioning: true, instanceClass: "db.t4g.medium" });
        expect(load(baseConfig({ "berth:network": { natGateways: "onePerAz" }, "berth:logs": { retentionDays: 14 } })).network.natGateways).to.equal("onePerAz");
    });

    it("keeps a real zero: desiredCount 0 and backupRetentionDays 0 survive defaults", () => {
        const s = load(withService(2, { desiredCount: 0 }, { "berth:database": { backupRetentionDays: 0 } }));
        expect(s.services[2].desiredCount).to.equal(0);
        expect(s.database.backupRetentionDays).to.equal(0);
    });
});

describe("config: security-group rule quota (60 inbound and 60 outbound rules per group)", () => {
    /** `callers` services that all call `hub`, each on its own port; optionally all with database access. */
    function fanIn(callers: number, extra: Record<string, unknown> = {}): Config {
        const c = baseConfig({ "berth:migration": undefined });
        c["berth:services"] = [
            { name: "hub", build: { context: "test/fixtures/context" }, port: 9000 },
            ...Array.from({ length: callers }, (_, i) => ({ name: `caller-${i}`, build: { context: "test/fixtures/context" }, port: 10000 + i, dependsOn: ["hub"], ...extra })),
        ];
        return c;
    }

    it("F10: accepts a service called by 60 others, exactly the quota", () => {
        expect(problems(fanIn(60))).to.deep.equal([]);
    });

    it("F10: rejects a service called by 61 others, naming it and the fix", () => {
        expect(problems(fanIn(61))).to.deep.equal([
            'berth:services[0]: "hub": its security group would need 61 inbound rules; AWS allows 60 inbound rules per security group (F10): fewer services can list "hub" in dependsOn (one rule per caller): put a gateway service in front of it, or split the catalogue across stacks',
        ]);
    });

    it("F10: counts the ALB's rule too: 59 callers plus routes fit, 60 callers plus routes do not", () => {
        const routed = (n: number) => {
            const c = fanIn(n);
            c["berth:services"][0].routes = ["/hub/*"];
            return c;
        };
        expect(problems(routed(59))).to.deep.equal([]);
        expect(problems(routed(60))[0]).to.match(/^berth:services\[0\]: "hub": its security group would need 61 inbound rules/);
    });

    it("F10: rejects a database reached by more than 60 groups (services with database: true and the migration)", () => {
        const c = fanIn(60, { database: true });
        expect(problems(c)).to.deep.equal([]);
        c["berth:migration"] = { service: "caller-0", command: ["migrate"] };
        expect(problems(c)).to.deep.equal([
            "berth:database: its security group would need 61 inbound rules; AWS allows 60 inbound rules per security group (F10): give fewer services database: true (one rule each, plus the migration task); let the others reach the data through a service that has it",
        ]);
    });

    it("F10: rejects a service that calls more services than its outbound rules allow", () => {
        const c = baseConfig({ "berth:migration": undefined });
        const callees = Array.from({ length: 60 }, (_, i) => ({ name: `callee-${i}`, build: { context: "test/fixtures/context" }, port: 10000 + i }));
        // 59 dependencies + HTTPS out = 60 rules; one more dependency = 61.
        c["berth:services"] = [{ name: "fan", build: { context: "test/fixtures/context" }, port: 9000, dependsOn: callees.slice(0, 59).map((x) => x.name) }, ...callees];
        expect(problems(c)).to.deep.equal([]);
        c["berth:services"][0].dependsOn = callees.map((x) => x.name);
        expect(problems(c)).to.deep.equal([
            'berth:services[0]: "fan": its security group would need 61 outbound rules; AWS allows 60 outbound rules per security group (F10): "fan" calls too many services (one rule per dependsOn entry): call some of them through a gateway service, or split the catalogue across stacks',
        ]);
    });
});
