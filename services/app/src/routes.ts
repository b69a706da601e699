// HTTP routes of the template: /health (readiness of declared dependencies), / and any other GET path.
import type { IncomingMessage, ServerResponse } from "node:http";

export interface RouteContext {
  readonly serviceName: string;
  readonly version: string;
  /** Seconds since the process started. */
  uptime(): number;
  /** Checks of declared dependencies (the database when DB_HOST is set); each resolves, never rejects. */
  readonly checks: readonly { readonly name: string; check(): Promise<boolean> }[];
  isShuttingDown(): boolean;
  readonly enableTestRoutes: boolean;
}

export const MAX_TEST_DELAY_MS = 30_000;

/**
 * The ALB forwards `/orders/*` unchanged, so a service answers its health under any prefix
 * (`/health`, `/orders/health`): smoke checks through path routing see the same document.
 */
export function isHealthPath(pathname: string): boolean {
  return pathname === "/health" || pathname.endsWith("/health");
}

export function createRequestHandler(ctx: RouteContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      console.error(`[${ctx.serviceName}] request ${req.method} ${req.url} failed: ${String(error)}`);
      if (!res.headersSent) sendJson(ctx, res, 500, { error: "internal error" });
      else res.destroy();
    });
  };
}

async function handle(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    sendJson(ctx, res, 405, { error: "method not allowed", method: req.method });
    return;
  }
  if (isHealthPath(url.pathname)) {
    const { status, body } = await healthReport(ctx);
    sendJson(ctx, res, status, body);
    return;
  }
  if (url.pathname === "/") {
    sendJson(ctx, res, 200, { service: ctx.serviceName, version: ctx.version });
    return;
  }
  if (ctx.enableTestRoutes && url.pathname === "/__test/slow") {
    await slowResponse(ctx, url, res);
    return;
  }
  sendJson(ctx, res, 200, { service: ctx.serviceName, version: ctx.version, path: url.pathname });
}

/**
 * Test-only (ENABLE_TEST_ROUTES=true): sends the headers at once and the body after `ms`, so a test knows
 * the request is in flight before it stops the container.
 */
async function slowResponse(ctx: RouteContext, url: URL, res: ServerResponse): Promise<void> {
  const requested = Number(url.searchParams.get("ms") ?? "1000");
  const ms = Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_TEST_DELAY_MS) : 1000;
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.flushHeaders();
  const completed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    res.once("close", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (completed) res.end(JSON.stringify({ service: ctx.serviceName, version: ctx.version, path: url.pathname, delayedMs: ms }));
}

export interface HealthReport {
  readonly status: 200 | 503;
  readonly body: {
    status: "ok" | "unavailable";
    service: string;
    version: string;
    uptime: number;
    failing?: string[];
  };
}

export async function healthReport(ctx: RouteContext): Promise<HealthReport> {
  const results = await Promise.all(ctx.checks.map(async (c) => ({ name: c.name, ok: await c.check() })));
  const failing = results.filter((r) => !r.ok).map((r) => r.name);
  if (ctx.isShuttingDown()) failing.push("shutdown");
  const base = { service: ctx.serviceName, version: ctx.version, uptime: Math.round(ctx.uptime() * 1000) / 1000 };
  return failing.length === 0
    ? { status: 200, body: { status: "ok", ...base } }
    : { status: 503, body: { status: "unavailable", ...base, failing } };
}

function sendJson(ctx: RouteContext, res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(payload));
  res.setHeader("Cache-Control", "no-store");
  // While draining, tell keep-alive clients (the ALB among them) to open their next request elsewhere.
  if (ctx.isShuttingDown()) res.setHeader("Connection", "close");
  res.end(res.req.method === "HEAD" ? undefined : payload);
}
