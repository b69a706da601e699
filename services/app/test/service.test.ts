import { expect } from "chai";
import http from "node:http";
import net from "node:net";
import type { ServiceSettings } from "../src/config";
import { probe } from "../src/healthcheck";
import { startService, type RunningService } from "../src/service";

const settings: ServiceSettings = {
  serviceName: "orders",
  port: 0,
  version: "abc123",
  shutdownTimeoutMs: 5000,
  enableTestRoutes: true,
};

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A GET whose headers and complete reply can be awaited separately. */
function startGet(port: number, path: string, options: http.RequestOptions = {}) {
  let onHeaders: (res: http.IncomingMessage) => void = () => undefined;
  const headers = new Promise<http.IncomingMessage>((resolve) => (onHeaders = resolve));
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, ...options }, (res) => {
      onHeaders(res);
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end();
  });
  return { headers, reply };
}

function get(port: number, path: string, options: http.RequestOptions = {}): Promise<Reply> {
  return startGet(port, path, options).reply;
}

function socketClosed(agent: http.Agent): Promise<void> {
  const sockets = Object.values(agent.freeSockets).flat();
  expect(sockets).to.have.length(1);
  return new Promise((resolve) => sockets[0]?.once("close", () => resolve()));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("service", () => {
  let service: RunningService | undefined;
  const silent = { log: () => undefined, uptime: () => 1 };

  afterEach(async () => {
    if (service?.server.listening) await service.shutdown();
    service = undefined;
  });

  it("answers / with its name and version", async () => {
    service = await startService(settings, silent);
    const reply = await get(service.port, "/");
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ service: "orders", version: "abc123" });
  });

  it("answers any GET path, so smoke tests through ALB path routing work", async () => {
    service = await startService(settings, silent);
    const reply = await get(service.port, "/orders/items/42?x=1");
    expect(reply.status).to.equal(200);
    expect(reply.headers["content-type"]).to.equal("application/json; charset=utf-8");
    expect(reply.body).to.deep.equal({ service: "orders", version: "abc123", path: "/orders/items/42" });
  });

  it("F07: reports its version on /health under the route prefix too", async () => {
    service = await startService(settings, silent);
    for (const path of ["/health", "/orders/health"]) {
      const reply = await get(service.port, path);
      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.equal({ status: "ok", service: "orders", version: "abc123", uptime: 1 });
    }
  });

  it("answers 503 naming the database when its check fails", async () => {
    const database = { name: "database", check: async () => false, close: async () => undefined };
    service = await startService(settings, { ...silent, checks: [database] });
    const reply = await get(service.port, "/health");
    expect(reply.status).to.equal(503);
    expect(reply.body).to.include({ status: "unavailable" }).and.to.have.deep.property("failing", ["database"]);
  });

  it("refuses other methods with 405", async () => {
    service = await startService(settings, silent);
    const reply = await get(service.port, "/orders", { method: "POST" });
    expect(reply.status).to.equal(405);
    expect(reply.headers.allow).to.equal("GET, HEAD");
  });

  it("drains on shutdown: in-flight requests finish, new connections are refused, idle keep-alive sockets close", async () => {
    service = await startService(settings, silent);
    const port = service.port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(port, "/", { agent });
    const idleSocketClosed = socketClosed(agent);

    const started = startGet(port, "/__test/slow?ms=300"); // headers now, body after 300 ms
    await started.headers;
    const stopped = service.shutdown();

    await idleSocketClosed;
    expect(await canConnect(port)).to.equal(false);
    const reply = await started.reply;
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ service: "orders", version: "abc123", path: "/__test/slow", delayedMs: 300 });
    expect(await stopped).to.equal("clean");
    agent.destroy();
  });

  it("answers a request that arrives during the drain with Connection: close, then closes the socket", async () => {
    service = await startService(settings, silent);
    const socket = net.connect({ host: "127.0.0.1", port: service.port });
    let received = "";
    const firstHeaders = new Promise<void>((resolve) =>
      socket.on("data", (chunk: Buffer) => {
        received += chunk.toString("utf8");
        if (received.includes("\r\n\r\n")) resolve();
      }),
    );
    const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write("GET /__test/slow?ms=200 HTTP/1.1\r\nHost: test\r\n\r\n");
    await firstHeaders;
    const stopped = service.shutdown();
    // A second (pipelined) request on the busy keep-alive connection, sent once the drain has begun.
    socket.write("GET /orders HTTP/1.1\r\nHost: test\r\n\r\n");
    await ended;
    const responses = received.split("HTTP/1.1 ").slice(1);
    expect(responses).to.have.length(2);
    expect(responses[1]).to.match(/^200 OK\r\n/).and.to.match(/\r\nConnection: close\r\n/i);
    expect(responses[1]).to.contain('"path":"/orders"');
    expect(await stopped).to.equal("clean");
  });

  it("cuts requests still open when the shutdown bound passes", async () => {
    const closed: string[] = [];
    const database = { name: "database", check: async () => true, close: async () => void closed.push("database") };
    service = await startService({ ...settings, shutdownTimeoutMs: 100 }, { ...silent, checks: [database] });
    const inFlight = startGet(service.port, "/__test/slow?ms=5000");
    await inFlight.headers;
    expect(await service.shutdown()).to.equal("timed-out");
    expect(await inFlight.reply.catch((error: Error) => error)).to.be.instanceOf(Error);
    expect(closed).to.deep.equal(["database"]);
  });
});

describe("healthcheck probe", () => {
  let service: RunningService | undefined;
  afterEach(async () => {
    await service?.shutdown();
    service = undefined;
  });

  it("F01: succeeds on 200", async () => {
    service = await startService(settings, { log: () => undefined });
    expect(await probe(`http://127.0.0.1:${service.port}/health`, 1000)).to.deep.equal({ ok: true, detail: "HTTP 200" });
  });

  it("fails on 503", async () => {
    const database = { name: "database", check: async () => false, close: async () => undefined };
    service = await startService(settings, { log: () => undefined, checks: [database] });
    expect(await probe(`http://127.0.0.1:${service.port}/health`, 1000)).to.deep.equal({ ok: false, detail: "HTTP 503" });
  });

  it("fails when nothing listens", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const result = await probe(`http://127.0.0.1:${port}/health`, 1000);
    expect(result.ok).to.equal(false);
    expect(result.detail).to.match(/ECONNREFUSED/);
  });

  it("fails when the answer does not come within the timeout", async () => {
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const result = await probe(`http://127.0.0.1:${port}/health`, 100);
    server.close();
    expect(result).to.deep.equal({ ok: false, detail: "no answer within 100 ms" });
  });
});
