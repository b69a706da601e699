// The per-service database roles on the real PostgreSQL: what the migration grants (services/app/src/roles.ts)
// is what a service's role can do, a re-run changes nothing, and the example service's pool asks for a fresh
// credential for every new connection, so a rotated password never breaks the next one.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { REPO_ROOT, createDatabase, dropDatabase, psql, useIntegrationEnv, type IntegrationEnv } from "../helpers/integrationEnv";

// The app is its own package (its own node_modules, pg among them): load its modules at run time, typed here.
interface QueryClient {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(): void;
}
interface Pool {
  connect(): Promise<QueryClient>;
  end(): Promise<void>;
}
interface DbSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: "require";
}
interface AppDatabase {
  createPool(db: DbSettings, options: { timeoutMs: number; max: number; credentials?: () => Promise<string> }): Pool;
}
interface AppRoles {
  syncRoles(client: QueryClient, roles: { role: string; access: "read" | "readwrite" }[], database: string): Promise<{ created: string[]; updated: string[]; disabled: string[] }>;
}
const APP = path.join(REPO_ROOT, "services", "app");

async function loadApp(): Promise<{ database: AppDatabase; roles: AppRoles }> {
  if (!fs.existsSync(path.join(APP, "node_modules", "pg"))) throw new Error("services/app has no node_modules: run npm run test:services (or npm ci --prefix services/app) first");
  const database = (await import(path.join(APP, "src", "database.ts"))) as AppDatabase;
  const roles = (await import(path.join(APP, "src", "roles.ts"))) as AppRoles;
  return { database, roles };
}

describe("database roles per service on PostgreSQL", function () {
  let env: IntegrationEnv;
  let app: Awaited<ReturnType<typeof loadApp>>;
  let db: string | undefined;
  let master: Pool | undefined;
  const tag = randomBytes(3).toString("hex");
  const rw = `svc_it_${tag}_orders`;
  const ro = `svc_it_${tag}_catalog`;
  const catalogue = [
    { role: rw, access: "readwrite" as const },
    { role: ro, access: "read" as const },
  ];

  const settings = (user: string, password: string): DbSettings => ({ host: env.pg.host, port: env.pg.port, database: db ?? "", user, password, ssl: "require" });

  async function sync(roles = catalogue) {
    const client = await master!.connect();
    try {
      return await app.roles.syncRoles(client, roles, db ?? "");
    } finally {
      client.release();
    }
  }

  /** Runs one statement as `user` through the app's own pool; resolves with the rows or the error message. */
  async function as(user: string, password: string, sql: string): Promise<string> {
    const pool = app.database.createPool(settings(user, password), { timeoutMs: 5000, max: 1 });
    try {
      const client = await pool.connect();
      try {
        const result = await client.query(sql);
        return JSON.stringify(result.rows);
      } finally {
        client.release();
      }
    } catch (error: unknown) {
      return `error: ${(error as Error).message}`;
    } finally {
      await pool.end();
    }
  }

  /** Everything the grants can change: role attributes, table, sequence, schema, database and default ACLs. */
  function snapshot(): Promise<string> {
    return psql(
      env,
      `SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
         SELECT format('role %s login=%s super=%s createrole=%s', rolname, rolcanlogin, rolsuper, rolcreaterole) AS x FROM pg_roles WHERE rolname LIKE 'svc_it_${tag}_%'
         UNION ALL SELECT format('class %s %s', relname, relacl::text) FROM pg_class WHERE relnamespace IN ('public'::regnamespace, 'other'::regnamespace) AND relkind IN ('r', 'S')
         UNION ALL SELECT format('schema %s %s', nspname, nspacl::text) FROM pg_namespace WHERE nspname IN ('public', 'other')
         UNION ALL SELECT format('database %s', datacl::text) FROM pg_database WHERE datname = current_database()
         UNION ALL SELECT format('default %s %s', defaclobjtype, defaclacl::text) FROM pg_default_acl) s`,
      db,
    );
  }

  before(async function () {
    env = await useIntegrationEnv(this);
    app = await loadApp();
    db = await createDatabase(env, "roles");
    // What the migrations leave behind: a table with an identity sequence, and a schema no service is granted.
    await psql(env, "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL); INSERT INTO items (name) VALUES ('seed'); CREATE SCHEMA other; CREATE TABLE other.ledger (amount int); INSERT INTO other.ledger VALUES (1)", db);
    master = app.database.createPool(settings(env.pg.user, env.pg.password), { timeoutMs: 5000, max: 2 });
    expect(await sync()).to.deep.equal({ created: [rw, ro], updated: [], disabled: [] });
    // On RDS the services sign in with IAM tokens; here a password stands in for the token.
    await psql(env, `ALTER ROLE ${rw} PASSWORD 'rw-1'; ALTER ROLE ${ro} PASSWORD 'ro-1'`);
  });

  after(async () => {
    await master?.end();
    if (db) await dropDatabase(env, db);
    await psql(env, `DROP ROLE IF EXISTS ${rw}; DROP ROLE IF EXISTS ${ro}`).catch(() => undefined);
  });

  it("F03: the migration creates a login role per service with exactly its grants, nothing more", async () => {
    const privileges = await psql(
      env,
      `SELECT string_agg(format('%s %s', r, p), ',' ORDER BY r, p) FROM unnest(ARRAY['${rw}', '${ro}']) r, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p WHERE has_table_privilege(r, 'public.items', p)`,
      db,
    );
    expect(privileges).to.equal([`${ro} SELECT`, `${rw} DELETE`, `${rw} INSERT`, `${rw} SELECT`, `${rw} UPDATE`].sort().join(","));
    expect(await psql(env, `SELECT string_agg(rolname || ':' || rolcanlogin || ':' || rolsuper, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('${rw}', '${ro}')`)).to.equal(`${ro}:true:false,${rw}:true:false`);
  });

  it("F03: a read-only service's role can read but cannot write", async () => {
    expect(await as(ro, "ro-1", "SELECT name FROM items ORDER BY id")).to.equal('[{"name":"seed"}]');
    expect(await as(ro, "ro-1", "INSERT INTO items (name) VALUES ('nope')")).to.equal("error: permission denied for table items");
    expect(await as(ro, "ro-1", "DELETE FROM items")).to.equal("error: permission denied for table items");
  });

  it("F03: a read-write service's role writes the application schema but cannot touch a schema it was not granted, nor drop tables", async () => {
    expect(await as(rw, "rw-1", "INSERT INTO items (name) VALUES ('written') RETURNING name")).to.equal('[{"name":"written"}]');
    expect(await as(rw, "rw-1", "SELECT amount FROM other.ledger")).to.equal("error: permission denied for schema other");
    expect(await as(rw, "rw-1", "DROP TABLE items")).to.equal("error: must be owner of table items");
    expect(await as(rw, "rw-1", "TRUNCATE items")).to.equal("error: permission denied for table items");
  });

  it("tables a later migration creates get the same grants (default privileges)", async () => {
    await psql(env, "CREATE TABLE later (v int)", db);
    expect(await as(ro, "ro-1", "SELECT count(*)::int AS n FROM later")).to.equal('[{"n":0}]');
    expect(await as(ro, "ro-1", "INSERT INTO later VALUES (1)")).to.equal("error: permission denied for table later");
    expect(await as(rw, "rw-1", "INSERT INTO later VALUES (1) RETURNING v")).to.equal('[{"v":1}]');
  });

  it("re-running the migration's role step changes nothing", async () => {
    const before = await snapshot();
    expect(await sync()).to.deep.equal({ created: [], updated: [rw, ro], disabled: [] });
    expect(await snapshot()).to.equal(before);
  });

  it("narrowing readwrite to read takes the writes away; a role that leaves the catalogue loses its login", async () => {
    expect(await sync([{ role: rw, access: "read" }])).to.deep.equal({ created: [], updated: [rw], disabled: [ro] });
    expect(await as(rw, "rw-1", "INSERT INTO items (name) VALUES ('x')")).to.equal("error: permission denied for table items");
    expect(await as(ro, "ro-1", "SELECT 1 AS one")).to.equal(`error: role "${ro}" is not permitted to log in`);
    expect(await sync()).to.deep.equal({ created: [], updated: [rw, ro], disabled: [] });
    expect(await as(rw, "rw-1", "INSERT INTO items (name) VALUES ('back') RETURNING name")).to.equal('[{"name":"back"}]');
  });

  it("F03: the pool asks for a new credential for each new connection, so a password rotated mid-run does not break the next one", async () => {
    let current = "rw-1";
    const asked: string[] = [];
    const pool = app.database.createPool(settings(rw, "unused"), {
      timeoutMs: 5000,
      max: 3,
      credentials: () => {
        asked.push(current);
        return Promise.resolve(current);
      },
    });
    try {
      const first = await pool.connect();
      // Rotation: the database gets a new password and the credential source follows it (as a new IAM token would).
      await psql(env, `ALTER ROLE ${rw} PASSWORD 'rw-2'`);
      current = "rw-2";
      const second = await pool.connect();
      expect((await second.query("SELECT current_user AS u")).rows).to.deep.equal([{ u: rw }]);
      // The connection opened before the rotation keeps working: PostgreSQL checks the password only at sign-in.
      expect((await first.query("SELECT 1 AS one")).rows).to.deep.equal([{ one: 1 }]);
      first.release();
      second.release();
      expect(asked).to.deep.equal(["rw-1", "rw-2"]);
      // What a password read once at start would have met:
      expect(await as(rw, "rw-1", "SELECT 1")).to.equal(`error: password authentication failed for user "${rw}"`);
    } finally {
      await pool.end();
      await psql(env, `ALTER ROLE ${rw} PASSWORD 'rw-1'`);
    }
  });
});
