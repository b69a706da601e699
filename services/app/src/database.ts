// The PostgreSQL side of the service: where each new connection's credential comes from (a fresh RDS IAM
// token, or a static password for local runs), connection options, the pool, and the bounded /health probe.
import { Signer } from "@aws-sdk/rds-signer";
import { Pool, type ClientConfig } from "pg";
import type { DatabaseSettings } from "./config";

/** Asked once per new pooled connection, so a rotated credential reaches the next connection. */
export type CredentialSource = () => Promise<string>;

export interface TokenSigner {
  getAuthToken(): Promise<string>;
}

export type SignerFactory = (options: { hostname: string; port: number; username: string; region: string }) => TokenSigner;

/** The AWS SDK's signer: credentials from the task role, a token valid for 15 minutes, signed locally. */
export const rdsSigner: SignerFactory = (options) => new Signer(options);

/** IAM token per connection when DB_IAM_AUTH is set; otherwise the static password (explicitly chosen). */
export function credentialSource(db: DatabaseSettings, makeSigner: SignerFactory = rdsSigner): CredentialSource {
  if (db.iam) {
    const signer = makeSigner({ hostname: db.host, port: db.port, username: db.user, region: db.iam.region });
    return () => signer.getAuthToken();
  }
  const password = db.password;
  return () => Promise.resolve(password);
}

/** A dependency check answers within its own bound; it never throws. */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<boolean>;
  close(): Promise<void>;
}

export const DATABASE_CHECK_TIMEOUT_MS = 2000;

/** Connection options for `pg` (pure). Credentials come as separate fields, never as a URL (F03). */
export function toClientConfig(db: DatabaseSettings, timeoutMs: number, password: string | CredentialSource = db.password): ClientConfig {
  return {
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password,
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

/** A pool whose every new connection asks `credentials` for its password (pg calls a password function per connect). */
export function createPool(db: DatabaseSettings, options: { timeoutMs: number; max: number; credentials?: CredentialSource }): Pool {
  const pool = new Pool({ ...toClientConfig(db, options.timeoutMs, options.credentials ?? credentialSource(db)), max: options.max, idleTimeoutMillis: 10_000 });
  // An idle client losing its connection emits on the pool; without a listener that would crash the process.
  pool.on("error", () => undefined);
  return pool;
}

export function createDatabaseCheck(db: DatabaseSettings, timeoutMs = DATABASE_CHECK_TIMEOUT_MS, credentials?: CredentialSource): DependencyCheck {
  const pool = createPool(db, { timeoutMs, max: 2, credentials });
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
