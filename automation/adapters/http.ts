// HttpPort over global fetch: one GET with a timeout per attempt and the caller's signal, the body capped so a
// misbehaving endpoint cannot fill memory. A request that gets no answer (refused, reset, timed out) is tried again
// up to `attempts` times on the injected clock; any answer, 5xx included, is returned: judging it is the caller's.
import type { HttpPort, HttpResponse } from "../ports";
import { withAttempts, type Attempts } from "./attempts";
import { systemClock } from "./clock";

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Smoke checks run every poll: 3 tries of the one request, 0.5 s then 1 s apart, before the poll counts a failure. */
export const HTTP_ATTEMPTS = { attempts: 3, backoffMs: 500 } as const;

export class HttpTimeoutError extends Error {
    constructor(url: string, timeoutMs: number) {
        super(`GET ${url}: no response within ${timeoutMs} ms`);
        this.name = "HttpTimeoutError";
    }
}

/** No answer at all: the connection failed (fetch's "fetch failed", with the socket error as its cause). */
export class HttpUnreachableError extends Error {
    constructor(url: string, cause: unknown) {
        const detail = (cause as { cause?: { message?: string } })?.cause?.message ?? (cause instanceof Error ? cause.message : String(cause));
        super(`GET ${url}: ${detail}`);
        this.name = "HttpUnreachableError";
    }
}

export interface FetchHttpOptions extends Partial<Attempts> {
    maxBodyBytes?: number;
}

export class FetchHttp implements HttpPort {
    private readonly maxBodyBytes: number;
    private readonly policy: Attempts;

    constructor(options: FetchHttpOptions = {}) {
        this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
        this.policy = { ...HTTP_ATTEMPTS, clock: systemClock, progress: () => undefined, ...definedOnly(options) };
    }

    get(url: string, options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> }): Promise<HttpResponse> {
        return withAttempts(`GET ${url}`, this.policy, () => this.once(url, options), isNoAnswer, options.signal);
    }

    private async once(url: string, options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> }): Promise<HttpResponse> {
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
        try {
            const res = await fetch(url, { signal, redirect: "follow", headers: { ...options.headers, "User-Agent": "berth" } });
            return { status: res.status, body: await readCapped(res, this.maxBodyBytes) };
        } catch (error) {
            // The caller's abort stays an AbortError; our own deadline and a failed connection become sentences.
            if (options.signal?.aborted) throw error;
            if (timeout.aborted) throw new HttpTimeoutError(url, options.timeoutMs);
            throw new HttpUnreachableError(url, error);
        }
    }
}

function isNoAnswer(error: unknown): boolean {
    return error instanceof HttpTimeoutError || error instanceof HttpUnreachableError;
}

function definedOnly<T extends object>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
    if (!res.body) return "";
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < maxBytes) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.byteLength;
    }
    if (size >= maxBytes) await reader.cancel().catch(() => undefined);
    return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
}
