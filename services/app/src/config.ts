// Turns the process environment into typed settings for the server and the migration entrypoint.
// Pure: every problem is collected into one list (F14), nothing is thrown, nothing is read from disk.

export type Env = Readonly<Record<string, string | undefined>>;

/** One service's database role as the program passes it to the migration task. */
export interface DbRole {
  readonly role: string;
  readonly access: "read" | "readwrite";
}

/** libpq-style names: "require" encrypts without verifying the certificate (RDS default CA is not in Node's store). */
export type SslMode = "disable" | "require" | "verify-full";

export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The static password (local runs, the migration's master credentials); empty when `iam` is set. */
  readonly password: string;
  readonly ssl: SslMode;
  /** DB_IAM_AUTH=true: every new connection signs a fresh 15-minute RDS IAM token in this region instead. */
  readonly iam?: { readonly region: string };
}

export interface ServiceSettings {
  readonly serviceName: string;
  readonly port: number;
  readonly version: string;
  readonly shutdownTimeoutMs: number;
  /** Present only when DB_HOST is set: the database becomes a declared dependency of /health. */
  readonly database?: DatabaseSettings;
  /** Enables /__test/slow, used by integration tests to hold a request open across a shutdown. */
  readonly enableTestRoutes: boolean;
}

export interface MigrationSettings {
  readonly database: DatabaseSettings;
  /** The catalogue's service roles to create and grant (BERTH_DB_ROLES); empty when the variable is unset. */
  readonly roles: readonly DbRole[];
  /** Absolute or relative to the working directory; undefined means the migrations shipped in the image. */
  readonly migrationsDir?: string;
}

export type Validation<T> = { readonly ok: true; readonly settings: T } | { readonly ok: false; readonly problems: string[] };

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8000; // below a 10 s deregistration delay and ECS's 30 s stopTimeout
export const DEFAULT_DB_PORT = 5432;
const SSL_MODES: readonly SslMode[] = ["disable", "require", "verify-full"];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Settings for `dist/server.js`. */
export function validateServiceEnv(env: Env): Validation<ServiceSettings> {
  const problems: string[] = [];
  const serviceName = readRequired(env, "SERVICE_NAME", problems);
  const port = readPort(env, "PORT", undefined, problems);
  const shutdownTimeoutMs = readPositiveInt(env, "SHUTDOWN_TIMEOUT_MS", DEFAULT_SHUTDOWN_TIMEOUT_MS, problems);
  const database = isSet(env.DB_HOST) ? readDatabase(env, problems, " (required when DB_HOST is set)") : undefined;
  problems.push(...checkRequiredEnv(env));
  if (problems.length > 0 || serviceName === undefined || port === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    settings: {
      serviceName,
      port,
      version: readVersion(env),
      shutdownTimeoutMs,
      database,
      enableTestRoutes: env.ENABLE_TEST_ROUTES === "true",
    },
  };
}

/** Settings for `dist/migrate.js`: the database is mandatory here, the HTTP settings are not needed. */
export function validateMigrationEnv(env: Env): Validation<MigrationSettings> {
  const problems: string[] = [];
  if (!isSet(env.DB_HOST)) problems.push("DB_HOST is missing or empty");
  const database = readDatabase(env, problems, "", false);
  if (database.iam) problems.push("DB_IAM_AUTH is for services: the migration signs in with the master credentials (DB_USERNAME, DB_PASSWORD)");
  const roles = readRoles(env, problems);
  if (problems.length > 0) return { ok: false, problems };
  const migrationsDir = isSet(env.MIGRATIONS_DIR) ? env.MIGRATIONS_DIR.trim() : undefined;
  return { ok: true, settings: { database, migrationsDir, roles } };
}

/** The single message printed before exiting 1. */
export function formatProblems(program: string, problems: readonly string[]): string {
  const noun = problems.length === 1 ? "problem" : "problems";
  const lines = problems.map((problem, i) => `  ${i + 1}. ${problem}`);
  return [`${program}: cannot start, ${problems.length} configuration ${noun}:`, ...lines].join("\n");
}

/** Names listed in REQUIRED_ENV (comma-separated) that are missing or empty, plus malformed entries. */
export function checkRequiredEnv(env: Env): string[] {
  const names = (env.REQUIRED_ENV ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const problems: string[] = [];
  for (const name of new Set(names)) {
    if (!ENV_NAME.test(name)) problems.push(`REQUIRED_ENV lists "${name}", which is not a valid variable name`);
    else if (!isSet(env[name])) problems.push(`${name} is missing or empty (listed in REQUIRED_ENV)`);
  }
  return problems;
}

function readDatabase(env: Env, problems: string[], why: string, iamHint = true): DatabaseSettings {
  const required = (name: string): string => {
    if (isSet(env[name])) return env[name].trim();
    problems.push(`${name} is missing or empty${why}`);
    return "";
  };
  const database = required("DB_NAME");
  const user = required("DB_USERNAME");
  const iamRaw = isSet(env.DB_IAM_AUTH) ? env.DB_IAM_AUTH.trim() : "false";
  if (iamRaw !== "true" && iamRaw !== "false") problems.push(`DB_IAM_AUTH must be true or false (got "${iamRaw}")`);
  const iam = iamRaw === "true" ? { region: required("DB_REGION") } : undefined;
  // Passwords are taken verbatim: surrounding spaces may be part of a generated secret.
  const password = iam ? "" : (env.DB_PASSWORD ?? "");
  if (!iam && password.length === 0) problems.push(`DB_PASSWORD is missing or empty${why}${iamHint ? "; or set DB_IAM_AUTH=true and DB_REGION to sign in with IAM tokens" : ""}`);
  const sslRaw = isSet(env.DB_SSL) ? env.DB_SSL.trim() : "require";
  const ssl = SSL_MODES.find((mode) => mode === sslRaw);
  if (ssl === undefined) problems.push(`DB_SSL must be one of ${SSL_MODES.join(", ")} (got "${sslRaw}")`);
  if (iam && ssl === "disable") problems.push("DB_SSL=disable cannot be used with DB_IAM_AUTH=true: RDS accepts IAM tokens only over TLS");
  return {
    ...(iam ? { iam } : {}),
    host: (env.DB_HOST ?? "").trim(),
    port: readPort(env, "DB_PORT", DEFAULT_DB_PORT, problems) ?? DEFAULT_DB_PORT,
    database,
    user,
    password,
    ssl: ssl ?? "require",
  };
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** BERTH_DB_ROLES: a JSON list of {role, access}, as the Pulumi program writes it; unset means none. */
function readRoles(env: Env, problems: string[]): DbRole[] {
  if (!isSet(env.BERTH_DB_ROLES)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.BERTH_DB_ROLES);
  } catch {
    problems.push("BERTH_DB_ROLES is not JSON: expected a list such as [{\"role\":\"svc_api\",\"access\":\"readwrite\"}]");
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push("BERTH_DB_ROLES must be a JSON list of {role, access}");
    return [];
  }
  const roles: DbRole[] = [];
  parsed.forEach((entry: unknown, i) => {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const role = typeof e.role === "string" ? e.role : "";
    if (!ROLE_NAME.test(role) || role.startsWith("pg_")) problems.push(`BERTH_DB_ROLES[${i}].role must be a lower-case PostgreSQL identifier not starting with pg_ (got ${JSON.stringify(e.role)})`);
    else if (e.access !== "read" && e.access !== "readwrite") problems.push(`BERTH_DB_ROLES[${i}].access must be read or readwrite (got ${JSON.stringify(e.access)})`);
    else if (roles.some((r) => r.role === role)) problems.push(`BERTH_DB_ROLES[${i}].role "${role}" is listed twice`);
    else roles.push({ role, access: e.access });
  });
  return roles;
}

function readVersion(env: Env): string {
  return isSet(env.APP_VERSION) ? env.APP_VERSION.trim() : "unknown";
}

function readRequired(env: Env, name: string, problems: string[]): string | undefined {
  if (isSet(env[name])) return env[name].trim();
  problems.push(`${name} is missing or empty`);
  return undefined;
}

function readPort(env: Env, name: string, fallback: number | undefined, problems: string[]): number | undefined {
  const raw = env[name];
  if (!isSet(raw)) {
    if (fallback === undefined) problems.push(`${name} is missing or empty`);
    return fallback;
  }
  const value = parseInteger(raw);
  if (value === undefined || value < 1 || value > 65535) {
    problems.push(`${name} must be an integer from 1 to 65535 (got "${raw.trim()}")`);
    return undefined;
  }
  return value;
}

function readPositiveInt(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (!isSet(raw)) return fallback;
  const value = parseInteger(raw);
  if (value === undefined || value < 1) {
    problems.push(`${name} must be a positive integer (got "${raw.trim()}")`);
    return fallback;
  }
  return value;
}

function parseInteger(raw: string): number | undefined {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim().length > 0;
}
