import { expect } from "chai";
import path from "node:path";
import { failureLine, resolveMigrationsDir, startedMigration, summarise } from "../src/migrate";

const database = { host: "h", port: 5432, database: "d", user: "u", password: "p", ssl: "disable" as const };

describe("migration entrypoint helpers", () => {
  it("defaults to the migrations shipped beside dist/", () => {
    expect(resolveMigrationsDir({ database, roles: [] }, path.join(path.sep, "app"))).to.equal(path.join(path.sep, "app", "migrations"));
  });

  it("honours MIGRATIONS_DIR", () => {
    expect(resolveMigrationsDir({ database, roles: [], migrationsDir: "/fixtures/broken" })).to.equal(path.resolve("/fixtures/broken"));
  });

  it("says when there is nothing to do", () => {
    expect(summarise([])).to.equal("no migrations to run: the database is up to date");
  });

  it("names the migrations it applied", () => {
    expect(summarise(["1_a"])).to.equal("applied 1 migration: 1_a");
    expect(summarise(["1_a", "2_b"])).to.equal("applied 2 migrations: 1_a, 2_b");
  });

  it("recognises node-pg-migrate's announcement of a migration", () => {
    expect(startedMigration("### MIGRATION 1763856000001_broken (UP) ###")).to.equal("1763856000001_broken");
    expect(startedMigration("> Migrating files:")).to.equal(undefined);
  });

  it("F02: names the migration that failed, or says the run failed before any", () => {
    expect(failureLine("1763856000001_broken", new Error('column "colour" does not exist'))).to.equal(
      'migration 1763856000001_broken failed: column "colour" does not exist',
    );
    expect(failureLine(undefined, new Error("connect ECONNREFUSED 127.0.0.1:1"))).to.equal(
      "migration run failed: connect ECONNREFUSED 127.0.0.1:1",
    );
  });
});
