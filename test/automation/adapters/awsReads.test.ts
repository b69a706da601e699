import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { LogsAdapter } from "../../../automation/adapters/logs";
import { ElbAdapter } from "../../../automation/adapters/elb";

const logsMock = mockClient(CloudWatchLogsClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

describe("LogsAdapter", () => {
    beforeEach(() => logsMock.reset());
    const logs = () => new LogsAdapter({ client: new CloudWatchLogsClient({ region: "eu-west-1" }) });

    it("reads forward from the head, then continues from nextForwardToken", async () => {
        logsMock
            .on(GetLogEventsCommand, { nextToken: undefined })
            .resolves({ events: [{ timestamp: 1, message: "migrating" }], nextForwardToken: "f/1", nextBackwardToken: "b/1" })
            .on(GetLogEventsCommand, { nextToken: "f/1" })
            .resolves({ events: [{ timestamp: 2, message: "done" }], nextForwardToken: "f/2", nextBackwardToken: "b/2" });
        const first = await logs().read("/berth/dev/migrate", "migrate/main/abc");
        const second = await logs().read("/berth/dev/migrate", "migrate/main/abc", first.nextToken);
        expect(first).to.deep.equal({ lines: [{ timestamp: 1, message: "migrating" }], nextToken: "f/1" });
        expect(second).to.deep.equal({ lines: [{ timestamp: 2, message: "done" }], nextToken: "f/2" });
        expect(logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input)).to.deep.equal([
            { logGroupName: "/berth/dev/migrate", logStreamName: "migrate/main/abc", startFromHead: true, nextToken: undefined },
            { logGroupName: "/berth/dev/migrate", logStreamName: "migrate/main/abc", startFromHead: true, nextToken: "f/1" },
        ]);
    });

    it("at the end of the stream returns the token it was given (AWS repeats it): nothing new", async () => {
        logsMock.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/2", nextBackwardToken: "b/2" });
        expect(await logs().read("g", "s", "f/2")).to.deep.equal({ lines: [], nextToken: "f/2" });
    });

    it("treats a stream that does not exist yet as an empty page with the token unchanged", async () => {
        logsMock.on(GetLogEventsCommand).rejects(Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" }));
        expect(await logs().read("g", "s")).to.deep.equal({ lines: [], nextToken: undefined });
        expect(await logs().read("g", "s", "f/9")).to.deep.equal({ lines: [], nextToken: "f/9" });
    });

});

describe("ElbAdapter", () => {
    beforeEach(() => elbMock.reset());

    it("maps DescribeTargetHealth descriptions to target states with reasons", async () => {
        elbMock.on(DescribeTargetHealthCommand).resolves({
            TargetHealthDescriptions: [
                { Target: { Id: "10.0.1.5", Port: 8080 }, TargetHealth: { State: "healthy" } },
                {
                    Target: { Id: "10.0.2.7", Port: 8080 },
                    TargetHealth: { State: "unhealthy", Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed with these codes: [503]" },
                },
            ],
        });
        const adapter = new ElbAdapter({ client: new ElasticLoadBalancingV2Client({ region: "eu-west-1" }) });
        expect(await adapter.targetHealth("arn:tg/api")).to.deep.equal([
            { targetId: "10.0.1.5", port: 8080, state: "healthy", reason: undefined, description: undefined },
            { targetId: "10.0.2.7", port: 8080, state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [503]" },
        ]);
        expect(elbMock.commandCalls(DescribeTargetHealthCommand)[0].args[0].input).to.deep.equal({ TargetGroupArn: "arn:tg/api" });
    });
});
