// Small helpers the stages share: telling an abort from a failure, an error's message, bounded parallelism.
// No retrying here: AWS calls are retried by the SDK clients (adapters/aws.ts), Docker and HTTP by their adapters.

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
    return (error instanceof Error && error.name === "AbortError") || signal?.aborted === true;
}

export function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
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
