// Bounded retry with exponential backoff and full jitter for AWS calls, and the SDK retry settings the
// clients use. The SDK retries silently inside one call; this layer logs every retry (house style).
import { setTimeout as delay } from "node:timers/promises";

/** SDK v3 client settings: adaptive mode adds client-side rate limiting on throttling; attempts stay explicit. */
export const SDK_RETRY = { retryMode: "adaptive", maxAttempts: 3 } as const;

export interface RetryInfo {
    what: string;
    /** The attempt that just failed (1-based). */
    attempt: number;
    attempts: number;
    delayMs: number;
    error: unknown;
}

export interface RetryOptions {
    /** Total attempts, including the first (≥ 1). */
    attempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    isRetryable: (error: unknown) => boolean;
    onRetry: (info: RetryInfo) => void;
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** [0, 1); injectable so tests see exact delays. */
    random: () => number;
    signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryOptions = {
    attempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 10_000,
    isRetryable: isTransientAwsError,
    onRetry: (info) => console.error(formatRetry(info)),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    random: Math.random,
};

/** Raised when every attempt failed on a retryable error; `cause` is the last error. */
export class RetriesExhaustedError extends Error {
    constructor(
        readonly what: string,
        readonly attempts: number,
        readonly cause: unknown,
    ) {
        super(`${what} failed after ${attempts} attempts: ${describeError(cause)}`);
        this.name = "RetriesExhaustedError";
    }
}

export async function retry<T>(what: string, fn: () => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
    const o: RetryOptions = { ...DEFAULT_RETRY, ...options };
    const attempts = Math.max(1, Math.floor(o.attempts));
    for (let attempt = 1; ; attempt++) {
        try {
            return await fn();
        } catch (error) {
            if (!o.isRetryable(error) || o.signal?.aborted) throw withCall(error, what);
            if (attempt >= attempts) throw new RetriesExhaustedError(what, attempts, error);
            // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): spreads a throttled fleet.
            const delayMs = Math.round(o.random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1)));
            o.onRetry({ what, attempt, attempts, delayMs, error });
            await o.sleep(delayMs, o.signal);
        }
    }
}

/**
 * Marks an error leaving an adapter with the call it came from (non-enumerable `call`; name and class unchanged),
 * so the error mapping can name it: "ssm:GetParameter /berth/dev/released-images: access denied …".
 */
function withCall(error: unknown, what: string): unknown {
    if (typeof error === "object" && error !== null && !("call" in error) && Object.isExtensible(error)) {
        Object.defineProperty(error, "call", { value: what, enumerable: false });
    }
    return error;
}

/** The AWS call an error came from, when an adapter said so. */
export function callOf(error: unknown): string | undefined {
    if (error instanceof RetriesExhaustedError) return error.what;
    const call = (error as { call?: unknown } | null)?.call;
    return typeof call === "string" ? call : undefined;
}

// Error names the AWS SDKs classify as throttling or transient (smithy service-error-classification).
const TRANSIENT_NAMES = new Set([
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "TooManyUpdates",
    "ServerException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
    "TimeoutError",
]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

export function isTransientAwsError(error: unknown): boolean {
    if (typeof error !== "object" || error === null) return false;
    const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
    if (e.name === "AbortError") return false;
    if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
    if (e.code && TRANSIENT_CODES.has(e.code)) return true;
    if (e.$retryable) return true;
    const status = e.$metadata?.httpStatusCode;
    return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

export function describeError(error: unknown): string {
    if (error instanceof Error) return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
    return String(error);
}

export function formatRetry(info: RetryInfo): string {
    return `${info.what}: ${describeError(info.error)} — retry ${info.attempt + 1}/${info.attempts} in ${info.delayMs} ms`;
}

/** What every AWS adapter accepts: a client for tests, else a region (the SDK's default chain otherwise). */
export interface AwsAdapterOptions<Client> {
    client?: Client;
    region?: string;
    retry?: Partial<RetryOptions>;
}
