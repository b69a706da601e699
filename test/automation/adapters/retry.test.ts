import { expect } from "chai";
import { isTransientAwsError, retry, RetriesExhaustedError, type RetryInfo } from "../../../automation/adapters/retry";

function awsError(name: string, status = 400): Error {
    return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
}

describe("retry", () => {
    it("retries a throttled call with full-jitter exponential delays, logging each retry, then succeeds", async () => {
        const slept: number[] = [];
        const logged: RetryInfo[] = [];
        let calls = 0;
        const result = await retry(
            "ecs:DescribeServices",
            async () => {
                calls++;
                if (calls < 4) throw awsError("ThrottlingException");
                return "ok";
            },
            { attempts: 5, baseDelayMs: 100, maxDelayMs: 250, random: () => 0.5, sleep: async (ms) => void slept.push(ms), onRetry: (i) => logged.push(i) },
        );
        expect(result).to.equal("ok");
        expect(calls).to.equal(4);
        expect(slept).to.deep.equal([50, 100, 125]); // 0.5 × min(250, 100·2^(n-1))
        expect(logged.map((i) => [i.attempt, i.attempts])).to.deep.equal([[1, 5], [2, 5], [3, 5]]);
    });

    it("gives up after the bounded number of attempts with a message naming the call and the last error", async () => {
        let calls = 0;
        const failure = await retry(
            "ssm:GetParameter /berth/dev/released-images",
            async () => {
                calls++;
                throw awsError("ThrottlingException");
            },
            { attempts: 3, sleep: async () => undefined, onRetry: () => undefined },
        ).catch((e: unknown) => e);
        expect(calls).to.equal(3);
        expect(failure).to.be.instanceOf(RetriesExhaustedError);
        expect((failure as Error).message).to.equal(
            "ssm:GetParameter /berth/dev/released-images failed after 3 attempts: ThrottlingException: ThrottlingException message",
        );
    });

    it("does not retry a non-transient error and rethrows it unchanged", async () => {
        let calls = 0;
        const error = awsError("ImageNotFoundException");
        const failure = await retry("x", async () => {
            calls++;
            throw error;
        }, { sleep: async () => undefined, onRetry: () => undefined }).catch((e: unknown) => e);
        expect(calls).to.equal(1);
        expect(failure).to.equal(error);
    });

    it("classifies throttling, 5xx and connection resets as transient; client errors and aborts as not", () => {
        expect(isTransientAwsError(awsError("ThrottlingException"))).to.equal(true);
        expect(isTransientAwsError(awsError("TooManyUpdates"))).to.equal(true);
        expect(isTransientAwsError(awsError("Whatever", 503))).to.equal(true);
        expect(isTransientAwsError(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).to.equal(true);
        expect(isTransientAwsError(awsError("InvalidParameterException"))).to.equal(false);
        expect(isTransientAwsError(awsError("LimitExceededException"))).to.equal(false);
        expect(isTransientAwsError(Object.assign(new Error("aborted"), { name: "AbortError" }))).to.equal(false);
    });
});
