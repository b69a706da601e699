// The one place AWS SDK v3 clients get their settings: the SDK's own standard retry strategy (attempts in one
// constant, the SDK's backoff and error classification), a progress line per retry, and the call's IAM action
// on the error that leaves the client. Adapters build every client with `awsClient`; nothing else retries AWS calls.
import { isThrottlingError, isTransientError, StandardRetryStrategy } from "@smithy/core/retry";
import type {
    FinalizeHandler,
    FinalizeHandlerArguments,
    HandlerExecutionContext,
    HttpHandlerOptions,
    HttpRequest,
    HttpResponse,
    MetadataBearer,
    MiddlewareStack,
    RequestHandler,
    RetryErrorInfo,
    StandardRetryBackoffStrategy,
    StandardRetryToken,
} from "@smithy/types";

/**
 * Standard mode, not adaptive: adaptive's client-side rate limiter assumes one client per throttled resource (AWS
 * SDKs reference, "Retry behavior") and delays even first attempts. 8 attempts: an ECS token bucket refilling
 * under a throttling storm needs more than the SDK's default 3; the SDK waits up to 1 s × 2^n (at most 20 s,
 * full jitter) between attempts, so a call gives up after about a minute at worst.
 */
export const AWS_RETRY = { mode: "standard", maxAttempts: 8 } as const;

export interface AwsClientSettings {
    region?: string;
    /** Where the retry lines go (the driver's progress output). */
    progress?: (line: string) => void;
    /** The wait between attempts; the SDK's own backoff unless a test passes a zero one. */
    backoff?: StandardRetryBackoffStrategy;
    /** The HTTP transport; the SDK's own unless a test answers requests itself. */
    requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
    /** Tests only: fixed credentials (the SDK's default provider chain otherwise). */
    credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** What every AWS adapter accepts: a ready client (tests with aws-sdk-client-mock), else the settings to build one. */
export interface AwsAdapterOptions<Client> extends AwsClientSettings {
    client?: Client;
}

/**
 * Errors the SDK does not classify as retryable that are throttling for berth's calls: SSM's TooManyUpdates
 * ("concurrent updates for a resource that supports one update at a time", HTTP 400, no retryable trait) — berth's
 * PutParameter overwrites, so repeating it is safe.
 */
const ALSO_THROTTLING = new Set(["TooManyUpdates"]);

/** The SDK's standard strategy, seeing ALSO_THROTTLING as throttling (its backoff, quota and attempts otherwise). */
class BerthRetryStrategy extends StandardRetryStrategy {
    override refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
        const extra = errorInfo.errorType === "CLIENT_ERROR" && ALSO_THROTTLING.has(errorInfo.error?.name ?? "");
        return super.refreshRetryTokenForRetry(token, extra ? { ...errorInfo, errorType: "THROTTLING" } : errorInfo);
    }
}

/** The client configuration berth gives every SDK client (exported for the rare client built by hand). */
export function awsClientConfig(settings: AwsClientSettings) {
    return {
        region: settings.region,
        maxAttempts: AWS_RETRY.maxAttempts,
        retryStrategy: new BerthRetryStrategy({ maxAttempts: AWS_RETRY.maxAttempts, ...(settings.backoff ? { backoff: settings.backoff } : {}) }),
        ...(settings.requestHandler === undefined ? {} : { requestHandler: settings.requestHandler }),
        ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    };
}

export type AwsClientConfig = ReturnType<typeof awsClientConfig>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- every SDK client's stack has its own input/output unions
type AnyStack = MiddlewareStack<any, any>;

/**
 * A client of `Client` with berth's settings and the retry reporter, e.g. `awsClient(ECSClient, settings)`:
 * the way every AWS client in the driver is built.
 */
export function awsClient<C extends { middlewareStack: AnyStack }>(Client: new (config: AwsClientConfig) => C, settings: AwsClientSettings): C {
    const client = new Client(awsClientConfig(settings));
    client.middlewareStack.addRelativeTo(retryReporter(settings.progress ?? (() => undefined)), {
        relation: "after",
        toMiddleware: "retryMiddleware",
        name: "berthRetryReporter",
        override: true,
    });
    return client;
}

/** A call as people and policies name it: `ECS.DescribeServices` in progress lines, `ecs:DescribeServices` in IAM. */
export interface AwsCall {
    service: string;
    operation: string;
    action: string;
}

// IAM action prefixes differ from the client names (ELBv2 is `elasticloadbalancing`, CloudWatch `cloudwatch`).
const IAM_PREFIX: Record<string, string> = {
    ECS: "ecs",
    ECR: "ecr",
    CloudWatchLogs: "logs",
    CloudWatch: "cloudwatch",
    SSM: "ssm",
    ElasticLoadBalancingV2: "elasticloadbalancing",
};

/** `ECSClient`, `DescribeServicesCommand` → ECS, DescribeServices, ecs:DescribeServices (pure). */
export function awsCall(clientName: string, commandName: string): AwsCall {
    const service = clientName.replace(/Client$/, "");
    const operation = commandName.replace(/Command$/, "");
    return { service, operation, action: `${IAM_PREFIX[service] ?? service.toLowerCase()}:${operation}` };
}

/** The progress line before attempt `attempt` (2..N) of a call, naming what the previous attempt met (pure). */
export function retryLine(call: AwsCall, attempt: number, attempts: number, cause: unknown): string {
    return `retrying ${call.service}.${call.operation} (attempt ${attempt}/${attempts}): ${describeError(cause)}`;
}

/**
 * Sits inside the SDK's retry loop (right after its retry middleware), so it sees every attempt of one call: before
 * each repeat it writes a retry line; every error leaving an attempt carries the call's IAM action (`call`, not
 * enumerable; name, class and $metadata unchanged), which the error mapping names.
 */
function retryReporter(progress: (line: string) => void) {
    return <Output extends MetadataBearer>(next: FinalizeHandler<object, Output>, context: HandlerExecutionContext): FinalizeHandler<object, Output> => {
        const call = awsCall(context.clientName ?? "AWS", context.commandName ?? "Call");
        let attempt = 0;
        let previous: unknown;
        return async (args: FinalizeHandlerArguments<object>) => {
            attempt++;
            if (attempt > 1) progress(retryLine(call, attempt, AWS_RETRY.maxAttempts, previous));
            try {
                return await next(args);
            } catch (error) {
                previous = error;
                throw nameCall(error, call.action);
            }
        };
    };
}

/** Marks `error` with the AWS call it came from, unless it already names one (returns the same error). */
export function nameCall<E>(error: E, action: string): E {
    if (typeof error === "object" && error !== null && !("call" in error) && Object.isExtensible(error)) {
        Object.defineProperty(error, "call", { value: action, enumerable: false });
    }
    return error;
}

/** The AWS call (IAM action) an error came from, when an AWS client said so. */
export function callOf(error: unknown): string | undefined {
    const call = (error as { call?: unknown } | null)?.call;
    return typeof call === "string" ? call : undefined;
}

/** How many attempts the SDK made before this error left the client (its retry middleware records it). */
export function attemptsOf(error: unknown): number | undefined {
    const attempts = (error as { $metadata?: { attempts?: unknown } } | null)?.$metadata?.attempts;
    return typeof attempts === "number" ? attempts : undefined;
}

/** Throttling or transient as the SDK itself classifies errors for retrying (@smithy/core service-error-classification). */
export function isRetryableAwsError(error: unknown): boolean {
    if (typeof error !== "object" || error === null) return false;
    const e = error as Parameters<typeof isThrottlingError>[0];
    return isThrottlingError(e) || isTransientError(e) || ALSO_THROTTLING.has((error as { name?: string }).name ?? "");
}

export function describeError(error: unknown): string {
    if (error instanceof Error) return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
    return String(error);
}
