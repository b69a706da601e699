import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import {
    ContinueServiceDeploymentCommand,
    DescribeServiceDeploymentsCommand,
    DescribeServicesCommand,
    DescribeTasksCommand,
    ECSClient,
    ListServiceDeploymentsCommand,
    RunTaskCommand,
    StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import { EcsAdapter, toStartedBy } from "../../../automation/adapters/ecs";
import type { RetryInfo } from "../../../automation/adapters/retry";

const ecsMock = mockClient(ECSClient);
const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });

function adapter(logged: RetryInfo[] = []): EcsAdapter {
    return new EcsAdapter({
        client: new ECSClient({ region: "eu-west-1" }),
        retry: { attempts: 3, sleep: async () => undefined, onRetry: (i) => logged.push(i) },
    });
}

describe("EcsAdapter", () => {
    beforeEach(() => ecsMock.reset());

    it("runs the migration on FARGATE in the given private subnets with no public IP", async () => {
        ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: "arn:task/1" }], failures: [] });
        const result = await adapter().runTask({
            cluster: "berth-dev",
            taskDefinition: "berth-dev-migrate:7",
            subnets: ["subnet-a", "subnet-b"],
            securityGroups: ["sg-mig"],
            startedBy: "berth/r-20260101.1200",
        });
        expect(result).to.deep.equal({ taskArn: "arn:task/1" });
        const calls = ecsMock.commandCalls(RunTaskCommand);
        expect(calls).to.have.length(1);
        const input = calls[0].args[0].input;
        expect(input.clientToken).to.match(/^[0-9a-f-]{36}$/);
        expect({ ...input, clientToken: undefined }).to.deep.equal({
            cluster: "berth-dev",
            taskDefinition: "berth-dev-migrate:7",
            launchType: "FARGATE",
            count: 1,
            startedBy: "berth/r-20260101-1200",
            clientToken: undefined,
            networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-mig"], assignPublicIp: "DISABLED" } },
        });
    });

    it("maps RunTask failures to strings (a task that could not start)", async () => {
        ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: "arn:cluster/berth-dev", reason: "RESOURCE:ENI", detail: "no ENI capacity" }] });
        const result = await adapter().runTask({ cluster: "c", taskDefinition: "td:1", subnets: ["s"], securityGroups: [], startedBy: "berth/r1" });
        expect(result).to.deep.equal({ failures: ["arn:cluster/berth-dev: RESOURCE:ENI: no ENI capacity"] });
    });

    it("retries a throttled RunTask with the same client token, so a landed first attempt starts no second task", async () => {
        ecsMock.on(RunTaskCommand).rejectsOnce(throttled()).resolves({ tasks: [{ taskArn: "arn:task/2" }] });
        const logged: RetryInfo[] = [];
        const result = await adapter(logged).runTask({ cluster: "c", taskDefinition: "td:1", subnets: ["s"], securityGroups: [], startedBy: "berth/r1" });
        expect(result).to.deep.equal({ taskArn: "arn:task/2" });
        const tokens = ecsMock.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
        expect(tokens).to.have.length(2);
        expect(tokens[1]).to.equal(tokens[0]);
        expect(logged).to.have.length(1);
    });

    it("keeps startedBy within ECS's limit and character set", () => {
        expect(toStartedBy("berth/r-1")).to.equal("berth/r-1");
        expect(toStartedBy("berth/2026-01-01T12:00:00.000Z")).to.equal("berth/2026-01-01T12-00-00-000Z");
        expect(toStartedBy("x".repeat(200))).to.have.length(128);
        expect(() => toStartedBy("")).to.throw('startedBy "" has no usable characters (letters, digits, -, /, _)');
    });

    it("describes a stopped task with its exit code and stop reason", async () => {
        ecsMock.on(DescribeTasksCommand).resolves({
            tasks: [
                {
                    taskArn: "arn:task/1",
                    lastStatus: "STOPPED",
                    stopCode: "EssentialContainerExited",
                    stoppedReason: "Essential container in task exited",
                    containers: [{ name: "migrate", exitCode: 1, lastStatus: "STOPPED" }],
                },
            ],
        });
        const status = await adapter().describeTask("c", "arn:task/1");
        expect(ecsMock.commandCalls(DescribeTasksCommand)[0].args[0].input).to.deep.equal({ cluster: "c", tasks: ["arn:task/1"] });
        expect(status).to.deep.equal({
            taskArn: "arn:task/1",
            lastStatus: "STOPPED",
            stopCode: "EssentialContainerExited",
            stoppedReason: "Essential container in task exited",
            containers: [{ name: "migrate", exitCode: 1, reason: undefined, lastStatus: "STOPPED" }],
        });
    });

    it("answers undefined for a task ECS does not know", async () => {
        ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: "arn:task/x", reason: "MISSING" }] });
        expect(await adapter().describeTask("c", "arn:task/x")).to.equal(undefined);
    });

    it("batches DescribeServices by 10: 23 services → 3 calls of 10, 10 and 3", async () => {
        ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
            services: input.services.map((name) => ({ serviceName: name, status: "ACTIVE", desiredCount: 1, runningCount: 1, pendingCount: 0, taskDefinition: `${name}:1`, deployments: [] })),
        }));
        const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
        const statuses = await adapter().describeServices("berth-dev", names);
        const batches = ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
        expect(batches.map((b) => b.services)).to.deep.equal([names.slice(0, 10), names.slice(10, 20), names.slice(20)]);
        expect(batches.every((b) => b.cluster === "berth-dev")).to.equal(true);
        expect(statuses.map((s) => s.serviceName)).to.deep.equal(names);
    });

    it("maps deployments and keeps a MISSING service visible instead of dropping it", async () => {
        ecsMock.on(DescribeServicesCommand).resolves({
            services: [
                {
                    serviceName: "api",
                    status: "ACTIVE",
                    desiredCount: 2,
                    runningCount: 2,
                    pendingCount: 0,
                    taskDefinition: "arn:td/api:5",
                    deployments: [
                        { id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: "arn:td/api:5", desiredCount: 2, runningCount: 2, failedTasks: 0 },
                    ],
                },
            ],
            failures: [{ arn: "arn:aws:ecs:eu-west-1:1:service/berth-dev/ghost", reason: "MISSING" }],
        });
        const statuses = await adapter().describeServices("berth-dev", ["api", "ghost"]);
        expect(statuses).to.deep.equal([
            {
                serviceName: "api",
                status: "ACTIVE",
                desiredCount: 2,
                runningCount: 2,
                pendingCount: 0,
                taskDefinition: "arn:td/api:5",
                deployments: [
                    { id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", rolloutStateReason: undefined, taskDefinition: "arn:td/api:5", desiredCount: 2, runningCount: 2, failedTasks: 0 },
                ],
            },
            { serviceName: "ghost", status: "MISSING", desiredCount: 0, runningCount: 0, pendingCount: 0, taskDefinition: "", deployments: [] },
        ]);
    });

    it("retries throttled DescribeServices then succeeds; bounded retries end in a clear failure", async () => {
        ecsMock.on(DescribeServicesCommand).rejectsOnce(throttled()).resolves({ services: [] });
        const logged: RetryInfo[] = [];
        expect(await adapter(logged).describeServices("c", ["a"])).to.deep.equal([]);
        expect(logged.map((i) => i.what)).to.deep.equal(["ecs:DescribeServices c (a)"]);

        ecsMock.reset();
        ecsMock.on(DescribeServicesCommand).rejects(throttled());
        const failure = await adapter().describeServices("c", ["a"]).catch((e: Error) => e);
        expect(ecsMock.commandCalls(DescribeServicesCommand)).to.have.length(3);
        expect((failure as Error).message).to.equal("ecs:DescribeServices c (a) failed after 3 attempts: ThrottlingException: Rate exceeded");
    });

    it("lists a service's deployments created since a time, every page, newest first", async () => {
        ecsMock
            .on(ListServiceDeploymentsCommand)
            .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: "arn:sd/1", status: "SUCCESSFUL", createdAt: new Date(1_000), finishedAt: new Date(9_000) }], nextToken: "t2" })
            .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: "arn:sd/2", status: "IN_PROGRESS", createdAt: new Date(5_000), targetServiceRevisionArn: "arn:rev/2" }] });
        const briefs = await adapter().listServiceDeployments("berth-dev", "berth-dev-api", { createdAfter: 500 });
        expect(briefs).to.deep.equal([
            { arn: "arn:sd/2", status: "IN_PROGRESS", createdAt: 5_000, targetServiceRevisionArn: "arn:rev/2" },
            { arn: "arn:sd/1", status: "SUCCESSFUL", createdAt: 1_000, finishedAt: 9_000 },
        ]);
        expect(ecsMock.commandCalls(ListServiceDeploymentsCommand).map((c) => c.args[0].input)).to.deep.equal([
            { cluster: "berth-dev", service: "berth-dev-api", createdAt: { after: new Date(500) } },
            { cluster: "berth-dev", service: "berth-dev-api", createdAt: { after: new Date(500) }, nextToken: "t2" },
        ]);
    });

    it("describes deployments 20 ARNs per call and maps stage, hooks, rollback, breaker and alarms", async () => {
        ecsMock.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns: string[] }) => ({
            serviceDeployments: input.serviceDeploymentArns.map((arn) => ({
                serviceDeploymentArn: arn,
                status: "ROLLBACK_IN_PROGRESS",
                statusReason: "alarm",
                createdAt: new Date(1_000),
                lifecycleStage: "BAKE_TIME",
                lifecycleHookDetails: [{ hookId: "ecs-pause-1", targetType: "PAUSE", status: "SUCCEEDED", expiresAt: new Date(60_000), timeoutAction: "ROLLBACK" }],
                deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
                rollback: { reason: "CloudWatch alarm x", startedAt: new Date(7_000) },
                deploymentCircuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 },
                alarms: { status: "TRIGGERED", alarmNames: ["x", "y"], triggeredAlarmNames: ["x"] },
                targetServiceRevision: { arn: "arn:rev/2", requestedTestTrafficWeight: 100, requestedProductionTrafficWeight: 100 },
            })),
        }));
        const arns = Array.from({ length: 21 }, (_, i) => `arn:sd/${i}`);
        const snapshots = await adapter().describeServiceDeployments(arns);
        expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand).map((c) => c.args[0].input.serviceDeploymentArns!.length)).to.deep.equal([20, 1]);
        expect(snapshots).to.have.length(21);
        expect(snapshots[20]).to.deep.equal({
            arn: "arn:sd/20",
            status: "ROLLBACK_IN_PROGRESS",
            statusReason: "alarm",
            createdAt: 1_000,
            targetServiceRevisionArn: "arn:rev/2",
            lifecycleStage: "BAKE_TIME",
            hooks: [{ hookId: "ecs-pause-1", targetType: "PAUSE", status: "SUCCEEDED", expiresAt: 60_000, timeoutAction: "ROLLBACK" }],
            strategy: "BLUE_GREEN",
            bakeTimeInMinutes: 10,
            rollback: { reason: "CloudWatch alarm x", startedAt: 7_000 },
            circuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 },
            alarms: { status: "TRIGGERED", alarmNames: ["x", "y"], triggeredAlarmNames: ["x"] },
            targetTraffic: { test: 100, production: 100 },
        });
    });

    it("answers a hook with ContinueServiceDeployment and stops with StopServiceDeployment ROLLBACK; a refusal names the call", async () => {
        ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: "arn:sd/1" });
        ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: "arn:sd/1" });
        await adapter().continueServiceDeployment("arn:sd/1", "ecs-pause-1", "ROLLBACK");
        await adapter().stopServiceDeployment("arn:sd/1");
        expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)[0].args[0].input).to.deep.equal({ serviceDeploymentArn: "arn:sd/1", hookId: "ecs-pause-1", action: "ROLLBACK" });
        expect(ecsMock.commandCalls(StopServiceDeploymentCommand)[0].args[0].input).to.deep.equal({ serviceDeploymentArn: "arn:sd/1", stopType: "ROLLBACK" });
        ecsMock.on(ContinueServiceDeploymentCommand).rejects(Object.assign(new Error("hook is not awaiting action"), { name: "InvalidParameterException" }));
        const refused = await adapter().continueServiceDeployment("arn:sd/1", "ecs-pause-1", "CONTINUE").catch((e: Error) => e);
        expect((refused as Error).name).to.equal("InvalidParameterException");
        expect((refused as { call?: string }).call).to.equal("ecs:ContinueServiceDeployment CONTINUE ecs-pause-1");
        expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).to.have.length(2); // not retried
    });
});
