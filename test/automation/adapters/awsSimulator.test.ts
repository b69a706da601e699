// berth's AWS adapters over the loopback AWS simulator (test/sim) with the real SDK clients: the simulator's
// wire shapes are what the SDK deserializes and classifies as it does AWS's answers. And the simulator's ECS
// model on a manual clock: deployments, target health and the circuit breaker over time.
import { expect } from "chai";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { EcsAdapter } from "../../../automation/adapters/ecs";
import { ElbAdapter } from "../../../automation/adapters/elb";
import { SsmReleaseStore } from "../../../automation/adapters/releaseStore";
import { SimClock } from "../../sim/clock";
import { EcsModel, TIMING } from "../../sim/ecs";
import { AwsSimulator } from "../../sim/server";
import { real } from "../../helpers/awsSdk";

const REGION = "eu-west-1";
const TG = `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/berth-dev-api/0123456789abcdef`;
const healthy = { kind: "healthy", migration: "ok" } as const;
const crash = { kind: "crash", migration: "ok" } as const;

describe("AWS simulator: the adapters over the wire with the real SDK clients", function () {
    this.timeout(20_000);
    let sim: AwsSimulator;
    const sdk = () => ({ region: REGION, endpoint: sim.endpoint, credentials: { accessKeyId: "AKIASIMULATOR0000000", secretAccessKey: "x" }, maxAttempts: 3 });

    beforeEach(async () => {
        sim = new AwsSimulator({ clock: SimClock.start(1), region: REGION, registry: "127.0.0.1:9" });
        await sim.start();
        sim.ecs.createTargetGroup({ arn: TG, intervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 10, port: 8080, routes: ["/api/*"] });
        const td = sim.ecs.registerTaskDefinition("berth-dev-api", [{ name: "api", image: "r/api@sha256:1" }], healthy);
        sim.ecs.createService("berth-dev", "berth-dev-api", td.arn, 2, TG);
    });
    afterEach(() => sim.stop());

    it("ELBv2's query protocol: DescribeTargetHealth answers in XML that the SDK parses into target states", async () => {
        const elb = new ElbAdapter({ client: real(new ElasticLoadBalancingV2Client(sdk())) });
        const targets = await elb.targetHealth(TG);
        expect(targets.map((t) => [t.state, t.port])).to.deep.equal([["healthy", 8080], ["healthy", 8080]]);
    });

    it("JSON 1.1: DescribeServices answers deployments the ECS adapter reads; an unknown service is a MISSING failure", async () => {
        const ecs = new EcsAdapter({ client: real(new ECSClient(sdk())) });
        const [api, ghost] = await ecs.describeServices("berth-dev", ["berth-dev-api", "berth-dev-ghost"]);
        expect([api.serviceName, api.status, api.runningCount, api.desiredCount]).to.deep.equal(["berth-dev-api", "ACTIVE", 2, 2]);
        expect(api.deployments.map((d) => [d.status, d.rolloutState])).to.deep.equal([["PRIMARY", "COMPLETED"]]);
        expect([ghost.serviceName, ghost.status]).to.deep.equal(["berth-dev-ghost", "MISSING"]);
    });

    it("throttling in AWS's shape is retried by the SDK itself: a burst of 2 costs two refused calls and no error", async () => {
        sim.putParameter("/berth/dev/released-images", JSON.stringify({ version: 1, releaseId: "r1", sha: "a".repeat(40), releasedAt: "2026-03-14T09:00:00Z", images: {}, contexts: {} }));
        sim.faults = { throttle: { ssm: { burst: 2 } } };
        const store = new SsmReleaseStore({ client: real(new SSMClient(sdk())), parameterName: "/berth/dev/released-images" });
        expect((await store.readReleased())?.releaseId).to.equal("r1");
        expect(sim.refused("ssm", "ThrottlingException")).to.have.length(2);
        expect(sim.callsTo("ssm", "GetParameter")).to.have.length(1);
    });

    it("rejected credentials come back as UnrecognizedClientException (JSON) and InvalidClientTokenId (query), never retried", async () => {
        sim.faults = { credentials: "unrecognized" };
        const store = new SsmReleaseStore({ client: real(new SSMClient(sdk())), parameterName: "/berth/dev/released-images" });
        const json = await store.readReleased().catch((e: Error) => e);
        expect([(json as Error).name, (json as Error).message]).to.deep.equal(["UnrecognizedClientException", "The security token included in the request is invalid."]);
        const elb = new ElbAdapter({ client: real(new ElasticLoadBalancingV2Client(sdk())) });
        const query = await elb.targetHealth(TG).catch((e: Error) => e);
        expect((query as Error).name).to.equal("InvalidClientTokenId");
        expect(sim.calls.map((c) => c.error)).to.deep.equal(["UnrecognizedClientException", "InvalidClientTokenId"]);
        sim.faults = { credentials: "expired" };
        const expired = await store.readReleased().catch((e: Error) => e);
        expect((expired as Error).name).to.equal("ExpiredTokenException");
    });

    it("SSM reads lag writes by the configured seconds, then see the new value", () => {
        sim.faults = { ssmLagSeconds: 30 };
        sim.putParameter("/p", "v1");
        expect(sim.readParameter("/p")).to.equal(undefined);
        expect(sim.readParameter("/p", false)?.value).to.equal("v1");
    });
});

describe("AWS simulator: ECS and ALB over time (manual clock)", () => {
    let now: number;
    let ecs: EcsModel;
    const at = (seconds: number) => {
        now = seconds * 1000;
        ecs.advance();
    };
    const service = () => ecs.service("berth-dev", "berth-dev-api")!;
    const primary = () => service().deployments.find((d) => d.status === "PRIMARY")!;

    beforeEach(() => {
        now = 0;
        ecs = new EcsModel(REGION, () => now);
        ecs.createTargetGroup({ arn: TG, intervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 10, port: 8080, routes: ["/api/*"] });
        const td = ecs.registerTaskDefinition("berth-dev-api", [{ name: "api", image: "r/api@sha256:1" }], healthy);
        ecs.createService("berth-dev", "berth-dev-api", td.arn, 1, TG);
    });

    it("a healthy update: PROVISIONING → PENDING → RUNNING, target initial → healthy, old target draining, then COMPLETED", () => {
        const next = ecs.registerTaskDefinition("berth-dev-api", [{ name: "api", image: "r/api@sha256:2" }], healthy);
        ecs.updateService(service(), next.arn);
        // The scheduler starts the new task on the next tick (1 s).
        const running = 1 + TIMING.provisioning + TIMING.pending;
        at(running - 1);
        expect(primary().rolloutState).to.equal("IN_PROGRESS");
        at(running);
        expect(ecs.targetHealth(TG)!.map((t) => t.state)).to.deep.equal(["healthy", "initial"]);
        at(running + 10); // healthyThreshold 2 × interval 5
        expect(ecs.targetHealth(TG)!.map((t) => t.state)).to.deep.equal(["draining", "healthy"]);
        expect(primary().rolloutState).to.equal("IN_PROGRESS");
        at(running + 10 + 10 + TIMING.stopping); // deregistration delay, then the old task stops
        expect(primary().rolloutState).to.equal("COMPLETED");
        expect(service().deployments).to.have.length(1);
        expect(service().records.map((r) => r.status)).to.deep.equal(["SUCCESSFUL", "SUCCESSFUL"]);
    });

    it("F13: crashing tasks trip the circuit breaker at 3 failures (desired 1): FAILED for 30 s, then ECS's rollback to the last COMPLETED task definition", () => {
        const old = primary().taskDefinition;
        const bad = ecs.registerTaskDefinition("berth-dev-api", [{ name: "api", image: "r/api@sha256:bad" }], crash);
        ecs.updateService(service(), bad.arn);
        const cycle = 1 + TIMING.provisioning + TIMING.pending + TIMING.crashAfter;
        at(cycle * 2 + 2);
        expect([primary().failedTasks, primary().rolloutState]).to.deep.equal([2, "IN_PROGRESS"]);
        at(cycle * 3 + 3);
        expect([primary().failedTasks, primary().rolloutState, primary().taskDefinition]).to.deep.equal([3, "FAILED", bad.arn]);
        expect(service().records[0].status).to.equal("ROLLBACK_REQUESTED");
        at(cycle * 3 + 3 + TIMING.rollbackDelay);
        expect([primary().taskDefinition, primary().rolloutState]).to.deep.equal([old, "IN_PROGRESS"]);
        // The original deployment keeps its task until the rollback deployment is healthy.
        expect(service().deployments.map((d) => `${d.status} ${d.rolloutState}`)).to.deep.equal(["PRIMARY IN_PROGRESS", "ACTIVE FAILED", "ACTIVE COMPLETED"]);
        at(cycle * 3 + 3 + TIMING.rollbackDelay + 300);
        expect(service().deployments.map((d) => `${d.status} ${d.rolloutState} ${d.taskDefinition === old}`)).to.deep.equal(["PRIMARY COMPLETED true"]);
        // ECS tracks its rollback inside the failed service deployment, not as one of its own.
        expect(service().records.map((r) => r.status)).to.deep.equal(["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]);
    });
});
