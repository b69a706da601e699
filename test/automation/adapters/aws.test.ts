// The one AWS retry layer (automation/adapters/aws.ts): real SDK clients built the way the adapters build them,
// over a scripted transport, so the SDK's own retry middleware and strategy decide; only the backoff is zero.
import { expect } from "chai";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { AWS_RETRY, awsCall, awsClient, awsClientConfig, type AwsClientSettings } from "../../../automation/adapters/aws";
import { EcsAdapter } from "../../../automation/adapters/ecs";
import { SsmReleaseStore } from "../../../automation/adapters/releaseStore";
import { mapStackError } from "../../../automation/adapters/pulumiStack";
import { EnvironmentError, type ReleasedSet } from "../../../automation/ports";
import { noBackoff, real, ScriptedTransport, testCredentials, throttling, type Answer } from "../../helpers/awsSdk";

const ok = (body: unknown = {}): Answer => ({ status: 200, body });
const SET: ReleasedSet = { version: 1, releaseId: "r1", sha: "a".repeat(40), releasedAt: "2026-03-14T09:00:00Z", images: {}, contexts: {} };

function settings(transport: ScriptedTransport, lines: string[]): AwsClientSettings {
    return { region: "eu-west-1", credentials: testCredentials, requestHandler: transport, backoff: noBackoff, progress: (line) => lines.push(line) };
}
const ecs = (transport: ScriptedTransport, lines: string[]) => new EcsAdapter({ client: real(awsClient(ECSClient, settings(transport, lines))) });

describe("AWS clients: the SDK's retry strategy is the only retry layer", () => {
    it("retries a throttled call inside the client, one progress line per retry, and returns the answer", async () => {
        const transport = new ScriptedTransport([throttling, { status: 429, error: "TooManyRequestsException", message: "Slow down" }, ok({ services: [], failures: [] })]);
        const lines: string[] = [];
        expect(await ecs(transport, lines).describeServices("berth-dev", ["api"])).to.deep.equal([]);
        expect(transport.requests.map((r) => r.target)).to.deep.equal(Array(3).fill("AmazonEC2ContainerServiceV20141113.DescribeServices"));
        expect(transport.requests.map((r) => r.headers["amz-sdk-request"])).to.deep.equal(["attempt=1; max=8", "attempt=2; max=8", "attempt=3; max=8"]);
        expect(lines).to.deep.equal([
            "retrying ECS.DescribeServices (attempt 2/8): ThrottlingException: Rate exceeded",
            "retrying ECS.DescribeServices (attempt 3/8): TooManyRequestsException: Slow down",
        ]);
    });

    it("a retried RunTask resends the same client token, so a first attempt that did land starts no second task", async () => {
        const transport = new ScriptedTransport([{ status: 503, error: "ServerException", message: "try again" }, ok({ tasks: [{ taskArn: "arn:task/1" }], failures: [] })]);
        const lines: string[] = [];
        const result = await ecs(transport, lines).runTask({ cluster: "c", taskDefinition: "td:1", subnets: ["s"], securityGroups: [], startedBy: "berth/r1" });
        expect(result).to.deep.equal({ taskArn: "arn:task/1" });
        const tokens = transport.requests.map((r) => (JSON.parse(r.body) as { clientToken: string }).clientToken);
        expect(tokens).to.have.length(2);
        expect(tokens[1]).to.equal(tokens[0]);
        expect(lines).to.deep.equal(["retrying ECS.RunTask (attempt 2/8): ServerException: try again"]);
    });

    it("throttling that outlasts the attempts: the SDK's last error, attempts recorded, mapped to the environment error naming call, cause and fix (exit 3)", async () => {
        const transport = new ScriptedTransport([throttling]);
        const lines: string[] = [];
        const error = await ecs(transport, lines).describeServices("berth-dev", ["api"]).catch((e: unknown) => e);
        expect(transport.requests).to.have.length(AWS_RETRY.maxAttempts);
        expect(lines).to.have.length(AWS_RETRY.maxAttempts - 1);
        expect(lines.at(-1)).to.equal("retrying ECS.DescribeServices (attempt 8/8): ThrottlingException: Rate exceeded");
        // The shape the fakes (test/automation/fakes/world.ts) reproduce.
        const e = error as Error & { $metadata: Record<string, unknown>; call: string; $fault: string };
        expect([e.name, e.message, e.$fault, e.call]).to.deep.equal(["ThrottlingException", "Rate exceeded", "client", "ecs:DescribeServices"]);
        expect([e.$metadata.httpStatusCode, e.$metadata.attempts, e.$metadata.totalRetryDelay]).to.deep.equal([400, 8, 0]);
        const mapped = mapStackError(error, "dev");
        expect(mapped.error).to.be.instanceOf(EnvironmentError);
        expect([mapped.error.message, mapped.hint, mapped.exitCode]).to.deep.equal([
            "ecs:DescribeServices: AWS kept failing, retries given up after 8 attempts (ThrottlingException: Rate exceeded)",
            "AWS is throttling or unavailable: wait a few minutes and rerun (a smaller --parallel makes fewer calls)",
            3,
        ]);
    });

    it("does not retry what the SDK does not classify as retryable (access denied): one request, no line, the call named", async () => {
        const transport = new ScriptedTransport([{ status: 400, error: "AccessDeniedException", message: "User is not authorized to perform: ssm:GetParameter" }]);
        const lines: string[] = [];
        const store = new SsmReleaseStore({ client: real(awsClient(SSMClient, settings(transport, lines))), parameterName: "/berth/dev/released-images" });
        const error = await store.readReleased().catch((e: unknown) => e);
        expect(transport.requests).to.have.length(1);
        expect(lines).to.deep.equal([]);
        expect(mapStackError(error, "dev").error.message).to.equal("ssm:GetParameter: access denied (AccessDeniedException: User is not authorized to perform: ssm:GetParameter)");
    });

    it("SSM's TooManyUpdates on the released-set write is retried as throttling (the SDK alone would not)", async () => {
        const transport = new ScriptedTransport([{ status: 400, error: "TooManyUpdates", message: "too many updates" }, ok({ Version: 2 })]);
        const lines: string[] = [];
        const store = new SsmReleaseStore({ client: real(awsClient(SSMClient, settings(transport, lines))), parameterName: "/berth/dev/released-images" });
        await store.writeReleased(SET);
        expect(transport.requests.map((r) => (JSON.parse(r.body) as { Name: string }).Name)).to.deep.equal(["/berth/dev/releases/r1", "/berth/dev/releases/r1", "/berth/dev/released-images"]);
        expect(lines).to.deep.equal(["retrying SSM.PutParameter (attempt 2/8): TooManyUpdates: too many updates"]);
    });

    it("each call counts its own attempts: a new call after a retried one starts at attempt 1", async () => {
        const transport = new ScriptedTransport([throttling, ok({ services: [], failures: [] })]);
        const lines: string[] = [];
        const client = real(awsClient(ECSClient, settings(transport, lines)));
        await client.send(new DescribeServicesCommand({ cluster: "c", services: ["a"] }));
        await client.send(new DescribeServicesCommand({ cluster: "c", services: ["b"] }));
        expect(transport.requests.map((r) => r.headers["amz-sdk-request"])).to.deep.equal(["attempt=1; max=8", "attempt=2; max=8", "attempt=1; max=8"]);
        expect(lines).to.have.length(1);
    });

    it("every client gets the one strategy: standard mode, AWS_RETRY's attempts", async () => {
        const config = awsClientConfig({ region: "eu-west-1" });
        expect([config.retryStrategy.mode, await config.retryStrategy.maxAttempts(), config.maxAttempts]).to.deep.equal([AWS_RETRY.mode, 8, 8]);
    });

    it("names calls as progress lines and IAM policies do", () => {
        expect(awsCall("ECSClient", "DescribeServicesCommand")).to.deep.equal({ service: "ECS", operation: "DescribeServices", action: "ecs:DescribeServices" });
        expect(awsCall("ElasticLoadBalancingV2Client", "DescribeTargetHealthCommand").action).to.equal("elasticloadbalancing:DescribeTargetHealth");
        expect(awsCall("CloudWatchLogsClient", "GetLogEventsCommand").action).to.equal("logs:GetLogEvents");
        expect(awsCall("CloudWatchClient", "DescribeAlarmsCommand").action).to.equal("cloudwatch:DescribeAlarms");
        expect(awsCall("ECRClient", "PutImageCommand").action).to.equal("ecr:PutImage");
    });
});
