// Gives integration tests the Docker engine, local registry and PostgreSQL that env/setup.sh started.
// In CI (CI=true) a missing environment fails the suite; on a laptop the tests skip with a hint.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const ENV_FILE = path.join(process.env.BERTH_IT_STATE_DIR ?? path.join(REPO_ROOT, ".integration"), "env");
export const SETUP_COMMAND = "bash test/integration/env/setup.sh";

export interface PostgresAccess {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export interface IntegrationEnv {
  /** `unix://...` of the engine setup.sh started; passed to every docker command. */
  readonly dockerHost: string;
  /** `127.0.0.1:<port>` of the local registry (plain HTTP; Docker trusts loopback registries). */
  readonly registry: string;
  readonly pg: PostgresAccess;
  /** Locally imported base images standing in for node:20 (build) and distroless nodejs20 (runtime, no shell). */
  readonly buildImage: string;
  readonly runtimeImage: string;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Parses the KEY=value lines setup.sh writes (pure). */
export function parseEnvFile(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq > 0) entries[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return entries;
}

/** Turns the parsed file into settings, naming every missing key (pure). */
export function toIntegrationEnv(entries: Record<string, string>): IntegrationEnv | { missing: string[] } {
  const keys = [
    "DOCKER_HOST",
    "BERTH_IT_REGISTRY",
    "BERTH_IT_PG_HOST",
    "BERTH_IT_PG_PORT",
    "BERTH_IT_PG_USER",
    "BERTH_IT_PG_PASSWORD",
    "BERTH_IT_BUILD_IMAGE",
    "BERTH_IT_RUNTIME_IMAGE",
  ];
  const missing = keys.filter((key) => !entries[key]);
  if (missing.length > 0) return { missing };
  return {
    dockerHost: entries.DOCKER_HOST,
    registry: entries.BERTH_IT_REGISTRY,
    pg: {
      host: entries.BERTH_IT_PG_HOST,
      port: Number(entries.BERTH_IT_PG_PORT),
      user: entries.BERTH_IT_PG_USER,
      password: entries.BERTH_IT_PG_PASSWORD,
    },
    buildImage: entries.BERTH_IT_BUILD_IMAGE,
    runtimeImage: entries.BERTH_IT_RUNTIME_IMAGE,
  };
}

let loaded: Promise<IntegrationEnv | { problem: string }> | undefined;

/** Reads the env file and checks that each daemon answers; memoised per process. */
export function loadIntegrationEnv(): Promise<IntegrationEnv | { problem: string }> {
  loaded ??= (async () => {
    if (!fs.existsSync(ENV_FILE)) return { problem: `${path.relative(REPO_ROOT, ENV_FILE)} does not exist` };
    const parsed = toIntegrationEnv(parseEnvFile(fs.readFileSync(ENV_FILE, "utf8")));
    if ("missing" in parsed) return { problem: `${ENV_FILE} lacks ${parsed.missing.join(", ")}` };
    const engine = await docker(parsed, ["version", "--format", "{{.Server.Version}}"], { timeoutMs: 15_000 });
    if (engine.code !== 0) return { problem: `the Docker engine at ${parsed.dockerHost} does not answer: ${engine.stderr.trim()}` };
    const registry = await httpGet(`http://${parsed.registry}/v2/`).catch((error: Error) => error);
    if (registry instanceof Error || registry.status !== 200) {
      return { problem: `the registry at ${parsed.registry} does not answer` };
    }
    const pg = await psql(parsed, "select 1").catch((error: Error) => error);
    if (pg instanceof Error) return { problem: `PostgreSQL does not answer: ${pg.message}` };
    return parsed;
  })();
  return loaded;
}

let hinted = false;

/**
 * Call from `before()`: resolves the environment, or fails (CI) / skips with a hint (laptop).
 * Missing docker in CI is a failure, never a skip.
 */
export async function useIntegrationEnv(ctx: Mocha.Context): Promise<IntegrationEnv> {
  const env = await loadIntegrationEnv();
  if (!("problem" in env)) return env;
  const message = `integration environment unavailable: ${env.problem}. Start it with: ${SETUP_COMMAND}`;
  if (process.env.CI === "true") throw new Error(message);
  if (!hinted) console.warn(`\n  ${message} (skipping; in CI this is a failure)\n`);
  hinted = true;
  ctx.skip();
  throw new Error("unreachable: skip() throws");
}

/** Runs a command; resolves with its exit code and output instead of rejecting on failure. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() || (error && code === -1 ? error.message : "") });
      },
    );
  });
}

export function docker(
  env: Pick<IntegrationEnv, "dockerHost">,
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  return run("docker", args, { env: { ...process.env, DOCKER_HOST: env.dockerHost }, timeoutMs: options.timeoutMs });
}

/** Like docker(), but rejects with the command's output when it exits non-zero. */
export async function dockerOk(env: Pick<IntegrationEnv, "dockerHost">, args: readonly string[], timeoutMs?: number): Promise<string> {
  const result = await docker(env, args, { timeoutMs });
  if (result.code !== 0) {
    throw new Error(`docker ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Runs SQL as the test superuser; resolves with unaligned, tuples-only output. */
export async function psql(env: Pick<IntegrationEnv, "pg">, sql: string, database = "postgres"): Promise<string> {
  const { host, port, user, password } = env.pg;
  const result = await run(
    "psql",
    ["-X", "-v", "ON_ERROR_STOP=1", "-At", "-h", host, "-p", String(port), "-U", user, "-d", database, "-c", sql],
    { env: { ...process.env, PGPASSWORD: password, PGSSLMODE: "require", PGCONNECT_TIMEOUT: "5" }, timeoutMs: 30_000 },
  );
  if (result.code !== 0) throw new Error(`psql failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** A fresh database for one test; drop it with dropDatabase(). */
export async function createDatabase(env: Pick<IntegrationEnv, "pg">, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await psql(env, `CREATE DATABASE ${name}`);
  return name;
}

export async function dropDatabase(env: Pick<IntegrationEnv, "pg">, name: string): Promise<void> {
  await psql(env, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** A loopback port nothing listens on at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

export function httpGet(url: string, options: { timeoutMs?: number; headers?: http.OutgoingHttpHeaders } = {}): Promise<HttpReply> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: options.headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** Polls until `probe` returns a value, with an overall bound; the last probe error explains a timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let interval = options.intervalMs ?? 200;
  let last = "";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(interval * 1.5, 2000);
  }
}
