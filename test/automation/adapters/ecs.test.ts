import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { EcsAdapter, toStartedBy } from "../../../automation/adapters/ecs";

const ecsMock = mockClient(ECSClient);

// Retries are the SDK client's (test/automation/adapters/aws.test.ts); these tests check the translation.
function adapter(): EcsAdapter {
    return new EcsAdapter({ client: new ECSClient({ region: "eu-west-1" }) });
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

});
