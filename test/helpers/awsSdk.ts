// Real AWS SDK clients in unit tests: undoing aws-sdk-client-mock's prototype stub, and a transport that answers
// each request from a script (no network), so the SDK's own middleware — retries included — runs for real.
import { Readable } from "node:stream";
import { HttpResponse } from "@smithy/core/protocols";
import type { HttpRequest, StandardRetryBackoffStrategy } from "@smithy/types";

/**
 * Other test files stub `send` on the client classes' prototypes for the whole mocha process (aws-sdk-client-mock's
 * mockClient); the SDK's base Client class keeps the real one. Tests of the real wire need it back.
 */
export function real<T extends object>(client: T): T {
    const send = (Object.getPrototypeOf(Object.getPrototypeOf(client)) as { send: (...args: unknown[]) => unknown }).send;
    Object.defineProperty(client, "send", { value: send.bind(client) });
    return client;
}

/** One answer of the scripted transport: an AWS JSON-protocol error or success. */
export type Answer = { status: number; error?: string; message?: string; body?: unknown };

export const throttling: Answer = { status: 400, error: "ThrottlingException", message: "Rate exceeded" };

/** A request handler answering AWS JSON 1.1 (ECS, SSM, ECR, Logs) from `answers` in order, the last one repeating. */
export class ScriptedTransport {
    readonly requests: { target: string; body: string; headers: Record<string, string> }[] = [];
    constructor(private readonly answers: Answer[]) {}

    async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
        this.requests.push({ target: String(request.headers["x-amz-target"] ?? ""), body: typeof request.body === "string" ? request.body : Buffer.from((request.body as Uint8Array | undefined) ?? []).toString("utf8"), headers: { ...request.headers } });
        const answer = this.answers[Math.min(this.requests.length - 1, this.answers.length - 1)];
        const body = answer.error ? { __type: answer.error, message: answer.message } : (answer.body ?? {});
        const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${this.requests.length}` };
        if (answer.error) headers["x-amzn-errortype"] = answer.error;
        return { response: new HttpResponse({ statusCode: answer.status, headers, body: Readable.from([Buffer.from(JSON.stringify(body))]) }) };
    }
    updateHttpClientConfig(): void {}
    httpHandlerConfigs(): Record<string, never> {
        return {};
    }
}

/** The SDK's backoff with every wait 0 ms: unit tests never sleep. */
export const noBackoff: StandardRetryBackoffStrategy = { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined };

export const testCredentials = { accessKeyId: "AKIATEST000000000000", secretAccessKey: "secret" };
