import { expect } from "chai";
import {
  checkRequiredEnv,
  formatProblems,
  validateMigrationEnv,
  validateServiceEnv,
  type Env,
} from "../src/config";

const minimal: Env = { PORT: "8080", SERVICE_NAME: "orders" };
const database: Env = { DB_HOST: "db.internal", DB_NAME: "berth", DB_USERNAME: "app", DB_PASSWORD: "s3cret" };

function problemsOf(env: Env): string[] {
  const result = validateServiceEnv(env);
  return result.ok ? [] : result.problems;
}

describe("validateServiceEnv", () => {
  it("accepts PORT and SERVICE_NAME alone, with defaults for the rest", () => {
    const result = validateServiceEnv(minimal);
    expect(result).to.deep.equal({
      ok: true,
      settings: {
        serviceName: "orders",
        port: 8080,
        version: "unknown",
        shutdownTimeoutMs: 8000,
        database: undefined,
        enableTestRoutes: false,
      },
    });
  });

  it("takes the version baked into the image from APP_VERSION", () => {
    const result = validateServiceEnv({ ...minimal, APP_VERSION: "3f2c1ab" });
    expect(result.ok && result.settings.version).to.equal("3f2c1ab");
  });

  it("F14: lists every missing variable at once, not just the first", () => {
    expect(problemsOf({ REQUIRED_ENV: "CONFIG_SERVER_URL, API_KEY" })).to.deep.equal([
      "SERVICE_NAME is missing or empty",
      "PORT is missing or empty",
      "CONFIG_SERVER_URL is missing or empty (listed in REQUIRED_ENV)",
      "API_KEY is missing or empty (listed in REQUIRED_ENV)",
    ]);
  });

  it("F14: treats an empty or blank value as missing", () => {
    expect(problemsOf({ PORT: "", SERVICE_NAME: "  " })).to.deep.equal([
      "SERVICE_NAME is missing or empty",
      "PORT is missing or empty",
    ]);
  });

  const invalid: [string, Env, string][] = [
    ["a non-numeric port", { ...minimal, PORT: "http" }, 'PORT must be an integer from 1 to 65535 (got "http")'],
    ["port 0", { ...minimal, PORT: "0" }, 'PORT must be an integer from 1 to 65535 (got "0")'],
    ["a port above 65535", { ...minimal, PORT: "70000" }, 'PORT must be an integer from 1 to 65535 (got "70000")'],
    ["a fractional port", { ...minimal, PORT: "80.5" }, 'PORT must be an integer from 1 to 65535 (got "80.5")'],
    [
      "a negative shutdown timeout",
      { ...minimal, SHUTDOWN_TIMEOUT_MS: "-1" },
      'SHUTDOWN_TIMEOUT_MS must be a positive integer (got "-1")',
    ],
    [
      "an unknown DB_SSL mode",
      { ...minimal, ...database, DB_SSL: "prefer" },
      'DB_SSL must be one of disable, require, verify-full (got "prefer")',
    ],
    [
      "a malformed REQUIRED_ENV entry",
      { ...minimal, REQUIRED_ENV: "GOOD_NAME,bad-name", GOOD_NAME: "x" },
      'REQUIRED_ENV lists "bad-name", which is not a valid variable name',
    ],
  ];
  for (const [what, env, message] of invalid) {
    it(`rejects ${what}`, () => {
      expect(problemsOf(env)).to.deep.equal([message]);
    });
  }

  it("F03: requires the database credentials when DB_HOST is set", () => {
    expect(problemsOf({ ...minimal, DB_HOST: "db.internal", DB_PASSWORD: "" })).to.deep.equal([
      "DB_NAME is missing or empty (required when DB_HOST is set)",
      "DB_USERNAME is missing or empty (required when DB_HOST is set)",
      "DB_PASSWORD is missing or empty (required when DB_HOST is set); or set DB_IAM_AUTH=true and DB_REGION to sign in with IAM tokens",
    ]);
  });

  it("builds database settings from separate variables, with TLS required by default", () => {
    const result = validateServiceEnv({ ...minimal, ...database });
    expect(result.ok && result.settings.database).to.deep.equal({
      host: "db.internal",
      port: 5432,
      database: "berth",
      user: "app",
      password: "s3cret",
      ssl: "require",
    });
  });

  it("keeps the password verbatim and honours DB_PORT and DB_SSL=disable", () => {
    const result = validateServiceEnv({ ...minimal, ...database, DB_PASSWORD: " p w ", DB_PORT: "6543", DB_SSL: "disable" });
    expect(result.ok && result.settings.database).to.include({ password: " p w ", port: 6543, ssl: "disable" });
  });

  it("F03: DB_IAM_AUTH=true signs in with IAM tokens in DB_REGION and needs no password", () => {
    const result = validateServiceEnv({ ...minimal, ...database, DB_PASSWORD: undefined, DB_IAM_AUTH: "true", DB_REGION: "eu-west-1" });
    expect(result.ok && result.settings.database).to.deep.equal({ host: "db.internal", port: 5432, database: "berth", user: "app", password: "", ssl: "require", iam: { region: "eu-west-1" } });
  });

  it("F14: DB_IAM_AUTH needs DB_REGION and TLS, and takes only true or false", () => {
    const problems = (env: Record<string, string | undefined>) => {
      const r = validateServiceEnv({ ...minimal, ...database, DB_PASSWORD: undefined, ...env });
      return r.ok ? [] : r.problems;
    };
    expect(problems({ DB_IAM_AUTH: "true", DB_SSL: "disable" })).to.deep.equal([
      "DB_REGION is missing or empty (required when DB_HOST is set)",
      "DB_SSL=disable cannot be used with DB_IAM_AUTH=true: RDS accepts IAM tokens only over TLS",
    ]);
    expect(problems({ DB_IAM_AUTH: "yes", DB_PASSWORD: "p" })).to.deep.equal(['DB_IAM_AUTH must be true or false (got "yes")']);
  });

  it("reads the migration's roles from BERTH_DB_ROLES and rejects malformed entries one by one", () => {
    const base = { DB_HOST: "h", DB_NAME: "d", DB_USERNAME: "master", DB_PASSWORD: "p" };
    const ok = validateMigrationEnv({ ...base, BERTH_DB_ROLES: '[{"role":"svc_api","access":"readwrite"},{"role":"svc_catalog","access":"read"}]' });
    expect(ok.ok && ok.settings.roles).to.deep.equal([{ role: "svc_api", access: "readwrite" }, { role: "svc_catalog", access: "read" }]);
    const unset = validateMigrationEnv(base);
    expect(unset.ok && unset.settings.roles).to.deep.equal([]);
    const bad = validateMigrationEnv({ ...base, BERTH_DB_ROLES: '[{"role":"Svc-api","access":"read"},{"role":"svc_a","access":"write"},{"role":"svc_b","access":"read"},{"role":"svc_b","access":"read"}]' });
    expect(bad.ok ? [] : bad.problems).to.deep.equal([
      'BERTH_DB_ROLES[0].role must be a lower-case PostgreSQL identifier not starting with pg_ (got "Svc-api")',
      'BERTH_DB_ROLES[1].access must be read or readwrite (got "write")',
      'BERTH_DB_ROLES[3].role "svc_b" is listed twice',
    ]);
    const notJson = validateMigrationEnv({ ...base, BERTH_DB_ROLES: "svc_api" });
    expect(notJson.ok ? [] : notJson.problems).to.deep.equal(['BERTH_DB_ROLES is not JSON: expected a list such as [{"role":"svc_api","access":"readwrite"}]']);
    const iam = validateMigrationEnv({ ...base, DB_IAM_AUTH: "true", DB_REGION: "eu-west-1" });
    expect(iam.ok ? [] : iam.problems).to.deep.equal(["DB_IAM_AUTH is for services: the migration signs in with the master credentials (DB_USERNAME, DB_PASSWORD)"]);
  });

  it("does not check the database when DB_HOST is unset", () => {
    const result = validateServiceEnv({ ...minimal, DB_NAME: "berth" });
    expect(result.ok && result.settings.database).to.equal(undefined);
  });

  it("enables the test routes only for the exact value true", () => {
    expect(validateServiceEnv({ ...minimal, ENABLE_TEST_ROUTES: "true" })).to.have.nested.property("settings.enableTestRoutes", true);
    expect(validateServiceEnv({ ...minimal, ENABLE_TEST_ROUTES: "1" })).to.have.nested.property("settings.enableTestRoutes", false);
  });
});

describe("checkRequiredEnv", () => {
  it("ignores blanks and duplicates in the list", () => {
    expect(checkRequiredEnv({ REQUIRED_ENV: " A ,, A,B ", A: "1" })).to.deep.equal([
      "B is missing or empty (listed in REQUIRED_ENV)",
    ]);
  });

  it("accepts an absent or empty list", () => {
    expect(checkRequiredEnv({})).to.deep.equal([]);
    expect(checkRequiredEnv({ REQUIRED_ENV: "" })).to.deep.equal([]);
  });
});

describe("validateMigrationEnv", () => {
  it("F02: needs the database and nothing of the HTTP server", () => {
    const result = validateMigrationEnv({ ...database, DB_SSL: "disable", MIGRATIONS_DIR: "/fixtures/broken" });
    expect(result).to.deep.equal({
      ok: true,
      settings: {
        database: { host: "db.internal", port: 5432, database: "berth", user: "app", password: "s3cret", ssl: "disable" },
        migrationsDir: "/fixtures/broken",
        roles: [],
      },
    });
  });

  it("F14: lists every missing database variable, DB_HOST included", () => {
    const result = validateMigrationEnv({});
    expect(result.ok ? [] : result.problems).to.deep.equal([
      "DB_HOST is missing or empty",
      "DB_NAME is missing or empty",
      "DB_USERNAME is missing or empty",
      "DB_PASSWORD is missing or empty",
    ]);
  });
});

describe("formatProblems", () => {
  it("prints one numbered list under one headline", () => {
    expect(formatProblems("orders", ["PORT is missing or empty", "API_KEY is missing or empty (listed in REQUIRED_ENV)"])).to.equal(
      [
        "orders: cannot start, 2 configuration problems:",
        "  1. PORT is missing or empty",
        "  2. API_KEY is missing or empty (listed in REQUIRED_ENV)",
      ].join("\n"),
    );
  });

  it("uses the singular for one problem", () => {
    expect(formatProblems("migrate", ["DB_HOST is missing or empty"])).to.equal(
      "migrate: cannot start, 1 configuration problem:\n  1. DB_HOST is missing or empty",
    );
  });
});
