// The PostgreSQL side of the service: connection options from settings, and the bounded probe /health uses.
import { Pool, type ClientConfig } from "pg";
import type { DatabaseSettings } from "./config";

/** A dependency check answers within its own bound; it never throws. */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<boolean>;
  close(): Promise<void>;
}

export const DATABASE_CHECK_TIMEOUT_MS = 2000;

/** Connection options for `pg` (pure). Credentials come as separate fields, never as a URL (F03). */
export function toClientConfig(db: DatabaseSettings, timeoutMs: number): ClientConfig {
  return {
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.password,
    ssl: sslOption(db.ssl),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "berth-example-app",
  };
}

export function sslOption(mode: DatabaseSettings["ssl"]): ClientConfig["ssl"] {
  switch (mode) {
    case "disable":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

export function createDatabaseCheck(db: DatabaseSettings, timeoutMs = DATABASE_CHECK_TIMEOUT_MS): DependencyCheck {
  const pool = new Pool({ ...toClientConfig(db, timeoutMs), max: 2, idleTimeoutMillis: 10_000 });
  // An idle client losing its connection emits on the pool; without a listener that would crash the process.
  pool.on("error", () => undefined);
  return {
    name: "database",
    check: () => withTimeout(pool.query("SELECT 1").then(() => true), timeoutMs).catch(() => false),
    close: () => pool.end().catch(() => undefined),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
