// The migration entrypoint against the real PostgreSQL, run as the ECS migration task runs it:
// the release's image with the command `node dist/migrate.js` (F02).
import { expect } from "chai";
import path from "node:path";
import {
  REPO_ROOT,
  createDatabase,
  dropDatabase,
  psql,
  useIntegrationEnv,
  type IntegrationEnv,
} from "../helpers/integrationEnv";
import { buildServiceImage, runToCompletion, type ServiceImage } from "./serviceImage";

const BROKEN_MIGRATIONS = path.join(REPO_ROOT, "test", "integration", "fixtures", "migrations-broken");
const SHIPPED = ["1763856000000_create-demo-items", "1763856000001_add-demo-items-service"];

describe("migration entrypoint against PostgreSQL", function () {
  let env: IntegrationEnv;
  let image: ServiceImage;
  let database: string | undefined;

  before(async function () {
    env = await useIntegrationEnv(this);
    this.timeout(600_000);
    image = await buildServiceImage(env);
  });

  beforeEach(async () => {
    database = await createDatabase(env, "migrations");
  });

  afterEach(async () => {
    if (database) await dropDatabase(env, database);
    database = undefined;
  });

  function migrate(db: string, extra: { env?: Record<string, string>; flags?: string[] } = {}) {
    return runToCompletion(env, image.tag, "migrate", {
      env: {
        DB_HOST: env.pg.host,
        DB_PORT: String(env.pg.port),
        DB_NAME: db,
        DB_USERNAME: env.pg.user,
        DB_PASSWORD: env.pg.password,
        ...extra.env,
      },
      // As the migration task definition runs it: read-only root filesystem, no writable volume.
      flags: ["--read-only", ...(extra.flags ?? [])],
      command: ["node", "dist/migrate.js"],
    });
  }

  it("F02: applies the shipped migrations over TLS on a read-only root filesystem and names them", async () => {
    const db = database ?? "";
    const result = await migrate(db);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`[migrate] applied 2 migrations: ${SHIPPED.join(", ")}`);
    expect(await psql(env, "SELECT name FROM pgmigrations ORDER BY id", db)).to.equal(SHIPPED.join("\n"));
    expect(
      await psql(env, "SELECT column_name FROM information_schema.columns WHERE table_name = 'demo_items' ORDER BY ordinal_position", db),
    ).to.equal(["id", "name", "created_at", "service"].join("\n"));
  });

  it("F02: a second run is a no-op that exits 0", async () => {
    const db = database ?? "";
    expect((await migrate(db)).code).to.equal(0);
    const again = await migrate(db);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain("[migrate] no migrations to run: the database is up to date");
    expect(await psql(env, "SELECT count(*) FROM pgmigrations", db)).to.equal("2");
  });

  it("F02: a failing migration exits 1, says which one failed, and keeps nothing of the run", async () => {
    const db = database ?? "";
    const result = await migrate(db, {
      env: { MIGRATIONS_DIR: "/migrations" },
      flags: ["--volume", `${BROKEN_MIGRATIONS}:/migrations:ro`],
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('[migrate] migration 1763856000001_broken failed: column "colour" does not exist');
    expect(await psql(env, "SELECT to_regclass('widgets') IS NULL", db)).to.equal("t");
  });

  it("F02: exits 1 when the database cannot be reached", async () => {
    const result = await migrate(database ?? "", { env: { DB_PORT: "1" } });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/\[migrate\] migration run failed: .*ECONNREFUSED/);
  });

  it("F03: with BERTH_DB_ROLES, as the migration task definition sets it, creates the service roles after the migrations", async () => {
    const db = database ?? "";
    const role = `svc_it_${db.replace(/[^a-z0-9]/g, "").slice(-8)}`;
    try {
      const result = await migrate(db, { env: { BERTH_DB_ROLES: JSON.stringify([{ role, access: "read" }]) } });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain(`[migrate] database roles: created ${role}; updated none`);
      expect(await psql(env, `SELECT has_table_privilege('${role}', 'demo_items', 'SELECT')::text || ',' || has_table_privilege('${role}', 'demo_items', 'INSERT')::text`, db)).to.equal("true,false");
      const again = await migrate(db, { env: { BERTH_DB_ROLES: JSON.stringify([{ role, access: "read" }]) } });
      expect(again.stdout).to.contain(`[migrate] database roles: created none; updated ${role}`);
    } finally {
      await dropDatabase(env, db);
      database = undefined;
      await psql(env, `DROP ROLE IF EXISTS ${role}`);
    }
  });
});
