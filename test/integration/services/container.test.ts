// The example service image on a real engine: shell-less runtime, Docker health check, /health, SIGTERM drain.
import { expect } from "chai";
import http from "node:http";
import { docker, freePort, httpGet, waitFor, type IntegrationEnv } from "../helpers/integrationEnv";
import { useServiceImage, inspect, removeContainer, startContainer, type ServiceImage } from "./serviceImage";

// Check every second instead of every 15 s; the command itself stays the image's own HEALTHCHECK.
const FAST_HEALTH = ["--health-interval", "1s", "--health-timeout", "5s", "--health-retries", "2", "--health-start-period", "1ms"];

interface HealthState {
  Status: string;
  Log: { ExitCode: number; Output: string }[];
}

function healthStatus(env: IntegrationEnv, name: string, wanted: string) {
  return waitFor(`container ${name} to become ${wanted}`, async () => {
    const health = await inspect<HealthState>(env, name, ".State.Health");
    return health.Status === wanted ? health : undefined;
  });
}

describe("service image on a real Docker engine", function () {
  const ctx = useServiceImage();
  let env: IntegrationEnv;
  let image: ServiceImage;

  before(() => {
    env = ctx.env();
    image = ctx.image();
  });

  it("F01: the runtime image has no shell, runs as a non-root user and declares an exec-form health check", async () => {
    const shell = await docker(env, ["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image.tag, "-c", "true"]);
    expect(shell.code, shell.stderr).to.not.equal(0);
    expect(shell.stderr).to.match(/no such file or directory/);
    expect(await inspect(env, image.tag, ".Config.Healthcheck.Test")).to.deep.equal(["CMD", "node", "/app/dist/healthcheck.js"]);
    expect(await inspect(env, image.tag, ".Config.User")).to.equal("10001:10001");
    expect(await inspect(env, image.tag, ".Config.Entrypoint")).to.equal(null);
    expect(await inspect(env, image.tag, ".Config.Cmd")).to.deep.equal(["node", "dist/server.js"]);
  });

  describe("a running service", () => {
    let name: string | undefined;
    let port: number;

    before(async () => {
      port = await freePort();
      name = await startContainer(env, image.tag, "orders", {
        env: { PORT: String(port), SERVICE_NAME: "orders", ENABLE_TEST_ROUTES: "true" },
        // As berth's task definitions run it (ECS.5): read-only root filesystem, a writable /tmp only.
        flags: [...FAST_HEALTH, "--read-only", "--tmpfs", "/tmp"],
      });
    });

    after(async () => {
      await removeContainer(env, name);
    });

    it("F01: becomes healthy through the exec-form health check in a shell-less, read-only container", async () => {
      const health = await healthStatus(env, name ?? "", "healthy");
      expect(health.Log.at(-1)?.ExitCode).to.equal(0);
    });

    it("F07: answers /health with 200 and the version built from GIT_SHA", async () => {
      const reply = await httpGet(`http://127.0.0.1:${port}/health`);
      expect(reply.status).to.equal(200);
      const body = JSON.parse(reply.text);
      expect(body).to.include({ status: "ok", service: "orders", version: image.gitSha });
      expect(body.uptime).to.be.a("number");
    });

    it("answers any path under its route prefix, as the ALB forwards it", async () => {
      const reply = await httpGet(`http://127.0.0.1:${port}/orders/items/7`);
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.text)).to.deep.equal({ service: "orders", version: image.gitSha, path: "/orders/items/7" });
    });

    it("drains on SIGTERM: the in-flight request completes and the container exits 0 within 15 s", async () => {
      const slow = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/__test/slow?ms=1500`, { agent: false }, resolve).on("error", reject);
      });
      const body = new Promise<string>((resolve, reject) => {
        let text = "";
        slow.setEncoding("utf8");
        slow.on("data", (chunk: string) => (text += chunk));
        slow.on("end", () => resolve(text));
        slow.on("error", reject);
      });

      const started = Date.now();
      const stop = await docker(env, ["stop", "--time", "15", name ?? ""]);
      const elapsedMs = Date.now() - started;

      expect(stop.code, stop.stderr).to.equal(0);
      expect(slow.statusCode).to.equal(200);
      expect(JSON.parse(await body)).to.include({ path: "/__test/slow", delayedMs: 1500 });
      expect(await inspect(env, name ?? "", ".State.ExitCode")).to.equal(0);
      expect(elapsedMs).to.be.below(15_000);
      const logs = await docker(env, ["logs", name ?? ""]);
      expect(logs.stdout).to.contain("[orders] SIGTERM received: draining (at most 8000 ms)");
      expect(logs.stdout).to.contain("[orders] stopped cleanly");
    });
  });

  describe("with a database dependency", () => {
    let name: string | undefined;

    afterEach(async () => {
      await removeContainer(env, name);
      name = undefined;
    });

    it("answers 503 naming the database when DB_HOST points at a closed port, and Docker marks it unhealthy", async () => {
      const [port, closedPort] = [await freePort(), await freePort()];
      name = await startContainer(env, image.tag, "db-down", {
        env: {
          PORT: String(port),
          SERVICE_NAME: "accounts",
          DB_HOST: "127.0.0.1",
          DB_PORT: String(closedPort),
          DB_NAME: "accounts",
          DB_USERNAME: "accounts",
          DB_PASSWORD: "not-used",
        },
        flags: FAST_HEALTH,
      });
      const reply = await waitFor("the service to answer", () => httpGet(`http://127.0.0.1:${port}/health`));
      expect(reply.status).to.equal(503);
      const body = JSON.parse(reply.text);
      expect(body).to.include({ status: "unavailable", version: image.gitSha });
      expect(body.failing).to.deep.equal(["database"]);
      const health = await healthStatus(env, name, "unhealthy");
      expect(health.Log.at(-1)?.ExitCode).to.equal(1);
    });

    it("F03: answers 200 against the real PostgreSQL over TLS with credentials from separate variables", async () => {
      const port = await freePort();
      name = await startContainer(env, image.tag, "db-up", {
        env: {
          PORT: String(port),
          SERVICE_NAME: "accounts",
          DB_HOST: env.pg.host,
          DB_PORT: String(env.pg.port),
          DB_NAME: "postgres",
          DB_USERNAME: env.pg.user,
          DB_PASSWORD: env.pg.password,
        },
        flags: FAST_HEALTH,
      });
      await healthStatus(env, name, "healthy");
      const reply = await httpGet(`http://127.0.0.1:${port}/health`);
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.text)).to.include({ status: "ok", version: image.gitSha });
    });
  });
});
