// HttpPort over global fetch: one GET with a timeout and the caller's signal, the body capped so a
// misbehaving endpoint cannot fill memory.
import type { HttpPort, HttpResponse } from "../ports";

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export class HttpTimeoutError extends Error {
    constructor(url: string, timeoutMs: number) {
        super(`GET ${url}: no response within ${timeoutMs} ms`);
        this.name = "HttpTimeoutError";
    }
}

export class FetchHttp implements HttpPort {
    constructor(private readonly maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {}

    async get(url: string, options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> }): Promise<HttpResponse> {
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
        try {
            const res = await fetch(url, { signal, redirect: "follow", headers: { ...options.headers, "User-Agent": "berth" } });
            return { status: res.status, body: await readCapped(res, this.maxBodyBytes) };
        } catch (error) {
            // The caller's abort stays an AbortError; our own deadline becomes a sentence.
            if (timeout.aborted && !options.signal?.aborted) throw new HttpTimeoutError(url, options.timeoutMs);
            throw error;
        }
    }
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
