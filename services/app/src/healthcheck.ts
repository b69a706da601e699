// Container health check without a shell (F01): `["CMD", "node", "/app/dist/healthcheck.js"]`.
// Exits 0 when GET http://127.0.0.1:$PORT/health answers 200 within the timeout, 1 otherwise.
import http from "node:http";

export const DEFAULT_HEALTHCHECK_TIMEOUT_MS = 4000; // above the 2 s database probe, below Docker/ECS's 5 s

export function probe(url: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ ok: res.statusCode === 200, detail: `HTTP ${res.statusCode}` });
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: error.message });
    });
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT);
  const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? DEFAULT_HEALTHCHECK_TIMEOUT_MS);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`healthcheck: PORT is missing or invalid ("${process.env.PORT ?? ""}")`);
    process.exit(1);
  }
  void probe(`http://127.0.0.1:${port}/health`, timeoutMs).then(({ ok, detail }) => {
    if (!ok) console.error(`healthcheck: unhealthy (${detail})`);
    process.exit(ok ? 0 : 1);
  });
}
