// The verification stage's loop on a virtual clock: when it smoke-tests, when it gives up (consecutive
// failures, hopeless ECS state, the overall deadline) and what it reports. Small scripted ports, no fakes
// of the whole world: each test states the ECS/ELB/HTTP answers poll by poll.
import { expect } from "chai";
import type { EnvironmentOutputs, ServiceOutputs } from "../../../automation/plan/outputs";
import type { ServiceVerdict } from "../../../automation/plan/verify";
import type { Deployment, HttpResponse, ServiceStatus, TargetHealth } from "../../../automation/ports";
import type { ReleaseDeps, StageContext, Timing } from "../../../automation/stages/types";
import { smokeUrl, verifyServices, VerifyRequest } from "../../../automation/stages/verify";

const SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const TD = (service: string, rev: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/berth-dev-${service}:${rev}`;
const POLL = 5_000;

function serviceOutputs(name: string, routed: boolean): ServiceOutputs {
    return {
        serviceName: `berth-dev-${name}`,
        taskDefinitionFamily: `berth-dev-${name}`,
        taskDefinitionArn: TD(name, 2),
        containerName: name,
        port: 8080,
        logGroupName: `/berth/dev/${name}`,
        repositoryUrl: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth-dev-${name}`,
        image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth-dev-${name}@sha256:${"a".repeat(64)}`,
        imageSource: "build",
        ...(routed ? { targetGroupArn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/1`, url: "http://alb.example.com/" } : {}),
        healthCheckPath: "/health",
        waitsFor: [],
        buildContext: "services/app",
        dockerfile: "Dockerfile",
        rollout: { strategy: "rolling", bakeMinutes: 0, pauseHooks: [], alarmNames: [] },
        buildArgs: {},
        platform: "linux/amd64",
    };
}

function outputs(services: Record<string, boolean>): EnvironmentOutputs {
    return {
        environment: "dev",
        region: "eu-west-1",
        accountId: "123456789012",
        clusterName: "berth-dev",
        publicUrl: "http://alb.example.com",
        loadBalancer: { arn: "arn:alb", dnsName: "alb.example.com", url: "http://alb.example.com" },
        network: { vpcId: "vpc-1", publicSubnetIds: [], privateSubnetIds: [], isolatedSubnetIds: [] },
        discoveryNamespace: "dev.internal",
        database: { identifier: "db", address: "db.example.com", port: 5432, name: "app", secretArn: "arn:secret" },
        releasedImagesParameter: "/berth/dev/released-images",
        rolloutLevels: [Object.keys(services)],
        repositoryUrls: {},
        services: Object.fromEntries(Object.entries(services).map(([name, routed]) => [name, serviceOutputs(name, routed)])),
    };
}

/** ECS's view of a service: `rev` is the primary deployment's revision, `state` its rolloutState. */
function ecs(service: string, opts: { rev?: number; state?: string; running?: number; pending?: number; failed?: number; others?: Deployment[]; status?: string } = {}): ServiceStatus {
    const rev = opts.rev ?? 2;
    const running = opts.running ?? 1;
    return {
        serviceName: `berth-dev-${service}`,
        status: opts.status ?? "ACTIVE",
        desiredCount: 1,
        runningCount: running,
        pendingCount: opts.pending ?? 0,
        taskDefinition: TD(service, rev),
        deployments: [
            { id: "d-new", status: "PRIMARY", rolloutState: opts.state ?? "COMPLETED", taskDefinition: TD(service, rev), desiredCount: 1, runningCount: running, failedTasks: opts.failed ?? 0 },
            ...(opts.others ?? []),
        ],
    };
}

const settled = (service: string) => ecs(service);
const inProgress = (service: string) => ecs(service, { state: "IN_PROGRESS", running: 0, pending: 1 });
const healthy: TargetHealth[] = [{ targetId: "10.0.1.5", port: 8080, state: "healthy" }];
const ok = (version = SHA): HttpResponse => ({ status: 200, body: JSON.stringify({ version }) });
const unavailable: HttpResponse = { status: 503, body: "upstream not ready" };

interface Script {
    /** ECS answer for poll `i` (0-based) per service; a function may throw to simulate an API error. */
    ecs: (service: string, poll: number) => ServiceStatus | undefined;
    targets?: (service: string, poll: number) => TargetHealth[];
    http?: (url: string, poll: number) => HttpResponse;
}

function run(script: Script, request: Partial<VerifyRequest> & { services: string[] }, timing: Partial<Timing> = {}, routed: Record<string, boolean> = {}) {
    const t0 = 1_000_000;
    let now = t0;
    let poll = -1;
    const calls = { describe: [] as string[][], http: [] as { url: string; at: number }[], targets: 0 };
    const log: string[] = [];
    const out = outputs(Object.fromEntries(request.services.map((s) => [s, routed[s] ?? true])));
    const byName = new Map(request.services.map((s) => [`berth-dev-${s}`, s]));
    const deps = {
        clock: {
            now: () => now,
            sleep: async (ms: number) => {
                now += ms;
            },
        },
        ecs: {
            describeServices: async (cluster: string, names: string[]) => {
                expect(cluster).to.equal("berth-dev");
                poll++;
                calls.describe.push(names.map((n) => byName.get(n)!));
                return names.map((n) => script.ecs(byName.get(n)!, poll)).filter((s): s is ServiceStatus => s !== undefined);
            },
        },
        elb: {
            targetHealth: async (arn: string) => {
                calls.targets++;
                return (script.targets ?? (() => healthy))(arn.split("/")[1], poll);
            },
        },
        http: {
            get: async (url: string) => {
                calls.http.push({ url, at: now - t0 });
                return (script.http ?? (() => ok()))(url, poll);
            },
        },
    } as unknown as ReleaseDeps;
    const ctx: StageContext = { deps, timing: { pollMs: POLL, verifyMs: 60_000, buildParallel: 1, checkRetries: 3, ...timing }, log: (l) => log.push(l) };
    const full: VerifyRequest = {
        outputs: out,
        expected: Object.fromEntries(request.services.map((s) => [s, TD(s, 2)])),
        sha: SHA,
        checkVersion: true,
        ...request,
    };
    return verifyServices(ctx, full).then((verdicts) => ({ verdicts, calls, log, elapsed: now - t0 }));
}

const failed = (v: ServiceVerdict) => v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe("verification stage (F07, F12, F13): the polling loop on a virtual clock", () => {
    it("F12: verifies a settled service with healthy targets and a /health answering 2xx with the release's sha", async () => {
        const { verdicts, calls, log, elapsed } = await run({ ecs: settled }, { services: ["api"] });
        expect(verdicts).to.have.length(1);
        expect(verdicts[0].ok).to.equal(true);
        expect(verdicts[0].checks.map((c) => c.name)).to.deep.equal(["deployment completed", "running = desired", "no other deployment", "task definition", "targets healthy", "smoke", "version"]);
        expect(calls.http).to.deep.equal([{ url: "http://alb.example.com/health", at: 0 }]);
        expect(log).to.deep.equal(["verified api"]);
        expect(elapsed).to.equal(0);
    });

    it("F12: a blue/green service's targets are those of both its target groups (ECS swaps their roles every deployment)", async () => {
        const out = outputs({ api: true });
        out.services.api.rollout = { strategy: "blueGreen", bakeMinutes: 5, pauseHooks: [], alarmNames: [], alternateTargetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-g/2" };
        // After the deployment, production (and every target) is in the alternate group; the configured one is empty.
        const { verdicts, calls } = await run({ ecs: settled, targets: (group) => (group === "api-g" ? healthy : []) }, { services: ["api"], outputs: out });
        expect(verdicts[0].ok, failed(verdicts[0]).join("; ")).to.equal(true);
        expect(calls.targets).to.equal(2);
    });

    it("F12: never smoke-tests before ECS has settled on the registered task definition (it would test the old tasks)", async () => {
        const { verdicts, calls } = await run({ ecs: (s, i) => (i < 3 ? inProgress(s) : settled(s)) }, { services: ["api"] });
        expect(verdicts[0].ok).to.equal(true);
        expect(calls.http.map((c) => c.at)).to.deep.equal([3 * POLL]);
    });

    it("a service without a target group or URL is verified on ECS state alone (no target or smoke check)", async () => {
        const { verdicts, calls } = await run({ ecs: settled }, { services: ["worker"] }, {}, { worker: false });
        expect(verdicts[0].ok).to.equal(true);
        expect(verdicts[0].checks.map((c) => c.name)).to.deep.equal(["deployment completed", "running = desired", "no other deployment", "task definition"]);
        expect(calls.targets).to.equal(0);
        expect(calls.http).to.deep.equal([]);
    });

    it("F12: gives up after checkRetries polls in a row whose own checks failed with ECS settled", async () => {
        const { verdicts, calls, log, elapsed } = await run({ ecs: settled, http: () => unavailable }, { services: ["api"] });
        expect(verdicts[0].ok).to.equal(false);
        expect(failed(verdicts[0])).to.deep.equal(["smoke: http://alb.example.com/health 503", "gave up: own checks failed 3 polls in a row"]);
        expect(calls.describe).to.have.length(3);
        expect(elapsed).to.equal(2 * POLL);
        expect(log).to.deep.equal(["api failed verification after 3 checks: smoke: http://alb.example.com/health 503"]);
    });

    it("F12: a poll on which ECS has not settled breaks the run of failures: the count starts again", async () => {
        // fail, fail, ECS replaces a task (not settled), fail, fail, ok: never three failures in a row.
        const ecsScript = (s: string, i: number) => (i === 2 ? ecs(s, { running: 0, pending: 1 }) : settled(s));
        const { verdicts, calls } = await run({ ecs: ecsScript, http: (_u, i) => (i < 5 ? unavailable : ok()) }, { services: ["api"] });
        expect(failed(verdicts[0])).to.deep.equal([]);
        expect(verdicts[0].ok).to.equal(true);
        expect(calls.describe).to.have.length(6);
    });

    it("F12: an unhealthy target counts as a failed own check even before ECS has settled", async () => {
        const unhealthy: TargetHealth[] = [{ targetId: "10.0.1.5", state: "unhealthy", reason: "Target.ResponseCodeMismatch" }];
        const { verdicts, calls } = await run({ ecs: (s) => ecs(s, { state: "IN_PROGRESS" }), targets: () => unhealthy }, { services: ["api"] });
        expect(failed(verdicts[0])).to.deep.equal([
            "deployment completed: primary deployment IN_PROGRESS",
            "targets healthy: 10.0.1.5 unhealthy (Target.ResponseCodeMismatch)",
            "gave up: own checks failed 3 polls in a row",
        ]);
        expect(calls.describe).to.have.length(3);
        expect(calls.http).to.deep.equal([]);
    });

    it("F07: stops at the overall deadline (verifyMs), not later, and says so per pending service", async () => {
        const { verdicts, calls, log, elapsed } = await run({ ecs: inProgress }, { services: ["api", "web"] }, { verifyMs: 60_000 });
        expect(elapsed).to.equal(60_000);
        expect(calls.describe).to.have.length(60_000 / POLL + 1);
        for (const v of verdicts) {
            expect(v.ok).to.equal(false);
            expect(v.checks.at(-1)).to.deep.equal({ name: "deadline", ok: false, detail: "not verified within 60s" });
        }
        expect(log).to.deep.equal(["api not verified within 60s", "web not verified within 60s"]);
    });

    it("F07: a deadline that is not a multiple of the poll interval ends on the first poll at or after it", async () => {
        const { elapsed, calls } = await run({ ecs: inProgress }, { services: ["api"] }, { verifyMs: 12_000 });
        expect(elapsed).to.equal(15_000);
        expect(calls.describe).to.have.length(4);
    });

    it("F07: a service ECS does not know is hopeless at once, with the reason", async () => {
        const { verdicts, calls, log } = await run({ ecs: () => undefined }, { services: ["api"] });
        expect(failed(verdicts[0])).to.deep.equal(["service active: ECS does not know the service", "gave up: ECS does not know the service"]);
        expect(calls.describe).to.have.length(1);
        expect(log).to.deep.equal(["api failed verification: ECS does not know the service"]);
    });

    it("F13: ECS rolling back to the previous task definition ends verification at once, whatever the stack said", async () => {
        const rolledBack = (s: string) => ecs(s, { rev: 1, state: "IN_PROGRESS", others: [{ id: "d-bad", status: "ACTIVE", rolloutState: "FAILED", taskDefinition: TD(s, 2), desiredCount: 0, runningCount: 0, failedTasks: 3 }] });
        const { verdicts, calls } = await run({ ecs: rolledBack }, { services: ["api"] });
        expect(verdicts[0].ok).to.equal(false);
        expect(verdicts[0].checks.at(-1)).to.deep.equal({ name: "gave up", ok: false, detail: "ECS rolled back to berth-dev-api:1 (registered berth-dev-api:2)" });
        expect(calls.describe).to.have.length(1);
    });

    it("F13: one failed task while the smoke check fails is hopeless (no waiting for the circuit breaker)", async () => {
        const { verdicts, calls } = await run({ ecs: (s) => ecs(s, { failed: 1 }), http: () => unavailable }, { services: ["api"] });
        expect(verdicts[0].checks.at(-1)).to.deep.equal({ name: "gave up", ok: false, detail: "1 failed task(s) and the service's own checks failed" });
        expect(calls.describe).to.have.length(1);
    });

    it("a failed task while nothing else has failed yet keeps waiting (ECS replaces tasks lost to capacity)", async () => {
        const { verdicts, calls } = await run({ ecs: (s, i) => (i < 2 ? ecs(s, { state: "IN_PROGRESS", running: 0, pending: 1, failed: 1 }) : settled(s)) }, { services: ["api"] });
        expect(verdicts[0].ok).to.equal(true);
        expect(calls.describe).to.have.length(3);
    });

    it("verified services leave the poll; the others are asked about alone", async () => {
        const { verdicts, calls } = await run({ ecs: (s, i) => (s === "web" && i < 2 ? inProgress(s) : settled(s)) }, { services: ["api", "web"] });
        expect(verdicts.map((v) => [v.service, v.ok])).to.deep.equal([["api", true], ["web", true]]);
        expect(calls.describe).to.deep.equal([["api", "web"], ["web"], ["web"]]);
    });

    it("verdicts come back in the order of the request, not the order they were reached", async () => {
        const { verdicts } = await run({ ecs: (s, i) => (s === "api" && i < 1 ? inProgress(s) : settled(s)) }, { services: ["api", "web"] });
        expect(verdicts.map((v) => v.service)).to.deep.equal(["api", "web"]);
    });

    it("F06: a /health reporting another commit fails the version check; after a rollback the version is not compared", async () => {
        const other = "ffffffffffffffffffffffffffffffffffffffff";
        const release = await run({ ecs: settled, http: () => ok(other) }, { services: ["api"] }, { checkRetries: 1 });
        expect(failed(release.verdicts[0])).to.deep.equal([`version: http://alb.example.com/health reports ${other}, expected ${SHA}`, "gave up: own checks failed 1 polls in a row"]);
        const rollback = await run({ ecs: settled, http: () => ok(other) }, { services: ["api"], checkVersion: false });
        expect(rollback.verdicts[0].ok).to.equal(true);
        expect(rollback.verdicts[0].checks.map((c) => c.name)).to.not.include("version");
    });

    it("a body that is not JSON, or has no string version, is smoke-tested without a version check", async () => {
        for (const body of ["OK", JSON.stringify({ version: 7 })]) {
            const { verdicts } = await run({ ecs: settled, http: () => ({ status: 204, body }) }, { services: ["api"] });
            expect(verdicts[0].ok).to.equal(true);
            expect(verdicts[0].checks.map((c) => c.name)).to.not.include("version");
        }
    });

    it("an HTTP error (no response) is a failed smoke check with the error text", async () => {
        const { verdicts } = await run(
            {
                ecs: settled,
                http: () => {
                    throw new Error("connect ECONNREFUSED 10.0.0.1:80");
                },
            },
            { services: ["api"] },
            { checkRetries: 1 },
        );
        expect(failed(verdicts[0])).to.deep.equal(["smoke: http://alb.example.com/health connect ECONNREFUSED 10.0.0.1:80", "gave up: own checks failed 1 polls in a row"]);
    });

    it("an error from DescribeServices ends the stage, throttling included: the AWS client already retried it (one retry layer)", async () => {
        // What the SDK client throws once its attempts are spent (adapters/aws.ts): the last ThrottlingException.
        const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400, attempts: 8, totalRetryDelay: 41_000 } });
        const denied = Object.assign(new Error("User is not authorized to perform ecs:DescribeServices"), { name: "AccessDeniedException" });
        for (const error of [throttled, denied]) {
            let calls = 0;
            const caught = await run(
                {
                    ecs: () => {
                        calls++;
                        throw error;
                    },
                },
                { services: ["api"] },
            ).catch((e: unknown) => e);
            expect(caught).to.equal(error);
            expect(calls, error.name).to.equal(1);
        }
    });

    it("target health that cannot be read counts as an unavailable target, not a crash", async () => {
        const { verdicts } = await run(
            {
                ecs: settled,
                targets: () => {
                    throw Object.assign(new Error("Target group not found"), { name: "TargetGroupNotFoundException" });
                },
            },
            { services: ["api"] },
            { checkRetries: 1 },
        );
        expect(failed(verdicts[0])).to.deep.equal(["targets healthy: ? unavailable (Target group not found)", "gave up: own checks failed 1 polls in a row"]);
    });
});

describe("smokeUrl", () => {
    it("joins the service URL and the health-check path with exactly one slash", () => {
        expect(smokeUrl("http://alb.example.com/", "/health")).to.equal("http://alb.example.com/health");
        expect(smokeUrl("http://alb.example.com//", "health")).to.equal("http://alb.example.com/health");
        expect(smokeUrl("http://alb.example.com/api", "//health")).to.equal("http://alb.example.com/api/health");
    });
});
