// Bounded retries for the calls the AWS SDK does not make — Docker and plain HTTP — on the injected clock: an
// explicit attempt count per call, a doubling wait between attempts, the caller's AbortSignal honoured while waiting,
// and a progress line before each repeat in the same words as the AWS clients' (adapters/aws.ts).
import type { Clock } from "../ports";

export interface Attempts {
    /** Total attempts per call, the first included (≥ 1). */
    attempts: number;
    /** The wait before the second attempt; it doubles for each further one. */
    backoffMs: number;
    clock: Clock;
    progress: (line: string) => void;
}

/**
 * Runs `attempt` until it succeeds, `isTransient` says its error is not worth repeating, the attempts are spent (the
 * last error is thrown), or `signal` aborts (the wait rejects with an AbortError; nothing is tried after it).
 */
export async function withAttempts<T>(
    what: string,
    policy: Attempts,
    attempt: (n: number) => Promise<T>,
    isTransient: (error: unknown) => boolean,
    signal?: AbortSignal,
): Promise<T> {
    const attempts = Math.max(1, Math.floor(policy.attempts));
    for (let n = 1; ; n++) {
        try {
            return await attempt(n);
        } catch (error) {
            if (n >= attempts || signal?.aborted || !isTransient(error)) throw error;
            await policy.clock.sleep(policy.backoffMs * 2 ** (n - 1), signal);
            policy.progress(`retrying ${what} (attempt ${n + 1}/${attempts}): ${error instanceof Error ? error.message : String(error)}`);
        }
    }
}
