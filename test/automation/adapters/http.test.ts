import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FetchHttp, HttpTimeoutError } from "../../../automation/adapters/http";

describe("FetchHttp (real loopback server)", () => {
    let server: http.Server;
    let base: string;

    before(async () => {
        server = http.createServer((req, res) => {
            if (req.url === "/health") return void res.writeHead(200, { "Content-Type": "application/json" }).end('{"version":"abc123"}');
            if (req.url === "/headers") return void res.writeHead(200).end(JSON.stringify({ test: req.headers["x-berth-test"] ?? null, agent: req.headers["user-agent"] }));
            if (req.url === "/broken") return void res.writeHead(503).end("upstream down");
            if (req.url === "/big") return void res.writeHead(200).end("x".repeat(100_000));
            if (req.url === "/slow") return void setTimeout(() => res.writeHead(200).end("late"), 2_000);
            res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
        server.closeAllConnections();
        server.close();
    });

    it("returns status and body", async () => {
        expect(await new FetchHttp().get(`${base}/health`, { timeoutMs: 2_000 })).to.deep.equal({ status: 200, body: '{"version":"abc123"}' });
    });

    it("sends the caller's headers (the test-traffic header that reaches green) beside its own User-Agent", async () => {
        expect(await new FetchHttp().get(`${base}/headers`, { timeoutMs: 2_000, headers: { "x-berth-test": "1" } })).to.deep.equal({ status: 200, body: '{"test":"1","agent":"berth"}' });
        expect(await new FetchHttp().get(`${base}/headers`, { timeoutMs: 2_000 })).to.deep.equal({ status: 200, body: '{"test":null,"agent":"berth"}' });
    });

    it("returns a 5xx as a response, not an error", async () => {
        expect(await new FetchHttp().get(`${base}/broken`, { timeoutMs: 2_000 })).to.deep.equal({ status: 503, body: "upstream down" });
    });

    it("caps the body", async () => {
        const res = await new FetchHttp(1_000).get(`${base}/big`, { timeoutMs: 2_000 });
        expect(res.body).to.have.length(1_000);
    });

    it("fails with a sentence when no answer comes within the timeout", async () => {
        const failure = await new FetchHttp().get(`${base}/slow`, { timeoutMs: 100 }).catch((e: Error) => e);
        expect(failure).to.be.instanceOf(HttpTimeoutError);
        expect((failure as Error).message).to.equal(`GET ${base}/slow: no response within 100 ms`);
    });

    it("stops when the caller's signal aborts, with an AbortError", async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        const failure = await new FetchHttp().get(`${base}/slow`, { timeoutMs: 5_000, signal: controller.signal }).catch((e: Error) => e);
        expect((failure as Error).name).to.equal("AbortError");
    });

    it("rejects when nothing listens", async () => {
        const failure = await new FetchHttp().get("http://127.0.0.1:1/", { timeoutMs: 2_000 }).catch((e: Error) => e);
        expect(failure).to.be.instanceOf(Error);
    });
});
