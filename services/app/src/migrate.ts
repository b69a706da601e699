// Entrypoint of the migration task (`node dist/migrate.js`, F02): apply pending migrations, exit 0 or 1.
// Idempotent: applied migrations are recorded in the `pgmigrations` table, so a second run is a no-op; then the
// catalogue's service roles and grants (BERTH_DB_ROLES, roles.ts), also idempotent. It reads the master
// secret once, at task start (ECS injects it), and finishes within minutes: a rotation cannot strand it.
import path from "node:path";
import { formatProblems, validateMigrationEnv, type MigrationSettings } from "./config";
import { Client } from "pg";
import { toClientConfig } from "./database";
import { describeSync, syncRoles } from "./roles";

export const MIGRATIONS_TABLE = "pgmigrations";
const CONNECT_TIMEOUT_MS = 10_000;
const PROGRAM = "migrate";

/** The migrations shipped in the image: `<app>/migrations` beside `<app>/dist`. */
export function resolveMigrationsDir(settings: MigrationSettings, baseDir = path.resolve(__dirname, "..")): string {
  return settings.migrationsDir === undefined ? path.join(baseDir, "migrations") : path.resolve(settings.migrationsDir);
}

/** node-pg-migrate announces each migration as `### MIGRATION <name> (UP) ###`; returns the name (pure). */
export function startedMigration(message: string): string | undefined {
  return /^### MIGRATION (.+) \((?:UP|DOWN)\) ###$/.exec(message.trim())?.[1];
}

/** The line that explains a failure, naming the migration that was running if one was (pure). */
export function failureLine(current: string | undefined, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return current === undefined ? `migration run failed: ${reason}` : `migration ${current} failed: ${reason}`;
}

/** The closing log line (pure). */
export function summarise(applied: readonly string[]): string {
  return applied.length === 0
    ? "no migrations to run: the database is up to date"
    : `applied ${applied.length} migration${applied.length === 1 ? "" : "s"}: ${applied.join(", ")}`;
}

async function main(): Promise<number> {
  const validation = validateMigrationEnv(process.env);
  if (!validation.ok) {
    console.error(formatProblems(PROGRAM, validation.problems));
    return 1;
  }
  const { database } = validation.settings;
  const dir = resolveMigrationsDir(validation.settings);
  const log = (line: string): void => console.log(`[${PROGRAM}] ${line}`);
  log(`applying migrations from ${dir} to ${database.database} on ${database.host}:${database.port}`);
  // node-pg-migrate is ESM-only; a dynamic import keeps this package CommonJS.
  const { runner } = await import("node-pg-migrate");
  let current: string | undefined;
  try {
    const applied = await runner({
      databaseUrl: toClientConfig(database, CONNECT_TIMEOUT_MS),
      dir,
      direction: "up",
      migrationsTable: MIGRATIONS_TABLE,
      checkOrder: true,
      singleTransaction: true,
      logger: {
        debug: () => undefined,
        info: (msg: string) => {
          current = startedMigration(msg) ?? current;
          log(msg);
        },
        warn: (msg: string) => log(`warning: ${msg}`),
        error: (msg: string) => console.error(`[${PROGRAM}] ${msg}`),
      },
    });
    log(summarise(applied.map((m) => m.name)));
  } catch (error: unknown) {
    console.error(`[${PROGRAM}] ${failureLine(current, error)}`);
    console.error(`[${PROGRAM}] nothing from this run was committed: pending migrations run in one transaction`);
    return 1;
  }
  if (process.env.BERTH_DB_ROLES === undefined) {
    log("BERTH_DB_ROLES is not set: database roles left as they are");
    return 0;
  }
  const client = new Client(toClientConfig(database, CONNECT_TIMEOUT_MS));
  try {
    await client.connect();
    log(describeSync(await syncRoles(client, validation.settings.roles, database.database)));
    return 0;
  } catch (error: unknown) {
    console.error(`[${PROGRAM}] database roles failed: ${error instanceof Error ? error.message : String(error)}; the roles are as they were (one transaction)`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`[${PROGRAM}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
