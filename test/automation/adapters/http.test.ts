import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FetchHttp, HttpTimeoutError, HttpUnreachableError, type FetchHttpOptions } from "../../../automation/adapters/http";
import { FakeClock } from "../fakes/world";

/** FetchHttp on a virtual clock (waits between attempts cost no real time), its retry lines and waits recorded. */
function client(options: FetchHttpOptions = {}) {
    const clock = new FakeClock(0);
    const lines: string[] = [];
    const http = new FetchHttp({ clock, progress: (l) => lines.push(l), ...options });
    return { http, clock, lines };
}

describe("FetchHttp (real loopback server)", () => {
    let server: http.Server;
    let base: string;
    let flaky = 0;
    beforeEach(() => (flaky = 0));

    before(async () => {
        server = http.createServer((req, res) => {
            if (req.url === "/health") return void res.writeHead(200, { "Content-Type": "application/json" }).end('{"version":"abc123"}');
            if (req.url === "/headers") return void res.writeHead(200).end(JSON.stringify({ test: req.headers["x-berth-test"] ?? null, agent: req.headers["user-agent"] }));
            if (req.url === "/broken") return void res.writeHead(503).end("upstream down");
            if (req.url === "/big") return void res.writeHead(200).end("x".repeat(100_000));
            if (req.url === "/slow") return void setTimeout(() => res.writeHead(200).end("late"), 2_000);
            if (req.url === "/flaky") {
                flaky++;
                // the first two connections are cut before any answer; the third is served
                if (flaky <= 2) return void req.socket.destroy();
                return void res.writeHead(200).end("third time");
            }
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
        expect(await client().http.get(`${base}/health`, { timeoutMs: 2_000 })).to.deep.equal({ status: 200, body: '{"version":"abc123"}' });
    });

    it("sends the caller's headers (the test-traffic header that reaches green) beside its own User-Agent", async () => {
        expect(await new FetchHttp().get(`${base}/headers`, { timeoutMs: 2_000, headers: { "x-berth-test": "1" } })).to.deep.equal({ status: 200, body: '{"test":"1","agent":"berth"}' });
        expect(await new FetchHttp().get(`${base}/headers`, { timeoutMs: 2_000 })).to.deep.equal({ status: 200, body: '{"test":null,"agent":"berth"}' });
    });

    it("returns a 5xx as a response, not an error", async () => {
        expect(await client().http.get(`${base}/broken`, { timeoutMs: 2_000 })).to.deep.equal({ status: 503, body: "upstream down" });
    });

    it("caps the body", async () => {
        const res = await client({ maxBodyBytes: 1_000 }).http.get(`${base}/big`, { timeoutMs: 2_000 });
        expect(res.body).to.have.length(1_000);
    });

    it("fails with a sentence when no answer comes within the timeout of each of its attempts", async () => {
        const { http, clock, lines } = client({ attempts: 2 });
        const failure = await http.get(`${base}/slow`, { timeoutMs: 100 }).catch((e: Error) => e);
        expect(failure).to.be.instanceOf(HttpTimeoutError);
        expect((failure as Error).message).to.equal(`GET ${base}/slow: no response within 100 ms`);
        expect(lines).to.deep.equal([`retrying GET ${base}/slow (attempt 2/2): GET ${base}/slow: no response within 100 ms`]);
        expect(clock.now()).to.equal(500);
    });

    it("tries a request that got no answer again, on the injected clock, with a line per retry", async () => {
        const { http, clock, lines } = client();
        expect(await http.get(`${base}/flaky`, { timeoutMs: 2_000 })).to.deep.equal({ status: 200, body: "third time" });
        expect(flaky).to.equal(3);
        expect(clock.now()).to.equal(500 + 1_000);
        expect(lines).to.have.length(2);
        expect(lines[0]).to.match(new RegExp(`^retrying GET ${base}/flaky \\(attempt 2/3\\): GET ${base}/flaky: `));
    });

    it("gives up after its attempts with the last failure", async () => {
        const failure = await client({ attempts: 2 }).http.get(`${base}/flaky`, { timeoutMs: 2_000 }).catch((e: Error) => e);
        expect(failure).to.be.instanceOf(HttpUnreachableError);
        expect(flaky).to.equal(2);
    });

    it("an answer, 5xx included, is never retried: judging it is the caller's", async () => {
        const { http, lines } = client();
        expect(await http.get(`${base}/broken`, { timeoutMs: 2_000 })).to.deep.equal({ status: 503, body: "upstream down" });
        expect(lines).to.deep.equal([]);
    });

    it("an abort while waiting between attempts ends the call: nothing is tried after it", async () => {
        const controller = new AbortController();
        const clock = new FakeClock(0);
        clock.sleep = async (_ms, signal) => {
            controller.abort();
            if (signal?.aborted) throw Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
        };
        const failure = await new FetchHttp({ clock }).get(`${base}/flaky`, { timeoutMs: 2_000, signal: controller.signal }).catch((e: Error) => e);
        expect((failure as Error).name).to.equal("AbortError");
        expect(flaky).to.equal(1);
    });

    it("stops when the caller's signal aborts, with an AbortError", async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        const failure = await client().http.get(`${base}/slow`, { timeoutMs: 5_000, signal: controller.signal }).catch((e: Error) => e);
        expect((failure as Error).name).to.equal("AbortError");
    });

    it("rejects when nothing listens, naming the URL and the socket error", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const failure = await client().http.get(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 }).catch((e: Error) => e);
        expect(failure).to.be.instanceOf(HttpUnreachableError);
        expect((failure as Error).message).to.equal(`GET http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`);
    });
});
