// Runs the HTTP server for validated settings and owns its graceful shutdown.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceSettings } from "./config";
import { createDatabaseCheck, type DependencyCheck } from "./database";
import { createRequestHandler } from "./routes";

export type ShutdownOutcome = "clean" | "timed-out";

export interface RunningService {
  readonly server: http.Server;
  /** The port actually bound (useful when settings ask for port 0 in tests). */
  readonly port: number;
  /** Stop accepting connections, let in-flight requests finish, close the rest after the timeout. Idempotent. */
  shutdown(): Promise<ShutdownOutcome>;
}

export interface ServiceDeps {
  readonly checks?: readonly DependencyCheck[];
  readonly log?: (line: string) => void;
  readonly uptime?: () => number;
}

export async function startService(settings: ServiceSettings, deps: ServiceDeps = {}): Promise<RunningService> {
  const log = deps.log ?? ((line: string) => console.log(`[${settings.serviceName}] ${line}`));
  const checks = deps.checks ?? (settings.database ? [createDatabaseCheck(settings.database)] : []);
  let shuttingDown = false;
  const handler = createRequestHandler({
    serviceName: settings.serviceName,
    version: settings.version,
    uptime: deps.uptime ?? (() => process.uptime()),
    checks,
    isShuttingDown: () => shuttingDown,
    enableTestRoutes: settings.enableTestRoutes,
  });
  const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  // The ALB keeps idle connections for 60 s: the server must not close them first, or requests race a FIN.
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let outcome: Promise<ShutdownOutcome> | undefined;
  const shutdown = (): Promise<ShutdownOutcome> => {
    if (outcome) return outcome;
    shuttingDown = true;
    outcome = closeServer(server, settings.shutdownTimeoutMs).then(async (result) => {
      await Promise.all(checks.map((c) => c.close()));
      return result;
    });
    return outcome;
  };
  log(`listening on port ${port} (version ${settings.version}${settings.database ? ", database check on" : ""})`);
  return { server, port, shutdown };
}

export const IDLE_SWEEP_INTERVAL_MS = 100;

/**
 * `server.close()` stops listening and drops the keep-alive sockets idle at that moment. Responses started
 * during the drain carry `Connection: close`; a response whose headers left earlier keeps its socket open
 * after it ends, so idle sockets are swept until none is left. Past the bound, everything is cut.
 */
export function closeServer(server: http.Server, timeoutMs: number): Promise<ShutdownOutcome> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_INTERVAL_MS);
    const timer = setTimeout(() => {
      clearInterval(sweep);
      server.closeAllConnections();
      resolve("timed-out");
    }, timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(timer);
      resolve("clean");
    });
    server.closeIdleConnections();
  });
}
