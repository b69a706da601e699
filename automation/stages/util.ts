// Waiting and retrying through the injected clock: steady polls under an overall deadline, bounded retries of
// transient AWS errors with backoff and jitter, each retry logged (CONVENTIONS "The driver").
import type { Clock } from "../ports";

const TRANSIENT = new Set([
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerError",
    "ServerException",
]);

export function isTransient(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    const e = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
    return TRANSIENT.has(e.name) || e.$retryable !== undefined || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
    return (error instanceof Error && error.name === "AbortError") || signal?.aborted === true;
}

export function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

export interface RetryOptions {
    attempts?: number;
    baseMs?: number;
    maxMs?: number;
    signal?: AbortSignal;
    log?: (line: string) => void;
}

/** Calls `fn`, retrying transient errors up to `attempts` times with capped exponential backoff and full jitter. */
export async function withRetry<T>(clock: Clock, what: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
    const attempts = options.attempts ?? 6;
    const base = options.baseMs ?? 500;
    const max = options.maxMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
        try {
            return await fn();
        } catch (error) {
            if (!isTransient(error) || attempt >= attempts || options.signal?.aborted) throw error;
            const wait = Math.round(Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
            options.log?.(`${what}: ${message(error)} — retry ${attempt}/${attempts - 1} in ${wait} ms`);
            await clock.sleep(wait, options.signal);
        }
    }
}

/** Runs `tasks` with at most `limit` in flight; stops starting new ones once `stop()` says so. */
export async function bounded<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length && !stop()) {
            const item = items[next++];
            await run(item);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
