import { expect } from "chai";
import { credentialSource, sslOption, toClientConfig, type SignerFactory } from "../src/database";
import { grantStatements } from "../src/roles";

describe("toClientConfig", () => {
  const db = { host: "db.internal", port: 5432, database: "berth", user: "app", password: "s3cret", ssl: "require" as const };

  it("F03: passes credentials as separate fields, never as a connection string", () => {
    const config = toClientConfig(db, 2000);
    expect(config).to.deep.equal({
      host: "db.internal",
      port: 5432,
      database: "berth",
      user: "app",
      password: "s3cret",
      ssl: { rejectUnauthorized: false },
      connectionTimeoutMillis: 2000,
      query_timeout: 2000,
      application_name: "berth-example-app",
    });
    expect(config).not.to.have.property("connectionString");
  });

  it("maps the SSL modes", () => {
    expect(sslOption("disable")).to.equal(false);
    expect(sslOption("require")).to.deep.equal({ rejectUnauthorized: false });
    expect(sslOption("verify-full")).to.deep.equal({ rejectUnauthorized: true });
  });
});

describe("credentialSource", () => {
  const db = { host: "db.internal", port: 5432, database: "berth", user: "svc_api", password: "", ssl: "require" as const, iam: { region: "eu-west-1" } };

  it("F03: with IAM auth, signs a new token for every connection, for this host, port, user and region", async () => {
    const made: unknown[] = [];
    let n = 0;
    const factory: SignerFactory = (options) => {
      made.push(options);
      return { getAuthToken: () => Promise.resolve(`token-${++n}`) };
    };
    const source = credentialSource(db, factory);
    expect([await source(), await source()]).to.deep.equal(["token-1", "token-2"]);
    expect(made).to.deep.equal([{ hostname: "db.internal", port: 5432, username: "svc_api", region: "eu-west-1" }]);
  });

  it("without IAM auth, answers the static password and never builds a signer", async () => {
    const source = credentialSource({ ...db, iam: undefined, password: "local" }, () => {
      throw new Error("no signer expected");
    });
    expect(await source()).to.equal("local");
  });

  it("hands pg a password function, so the pool asks again for each new connection", () => {
    const source = () => Promise.resolve("x");
    expect(toClientConfig(db, 1000, source).password).to.equal(source);
  });
});

describe("grantStatements", () => {
  it("read: SELECT only, writes and owner rights revoked, on existing and future tables and sequences", () => {
    expect(grantStatements({ role: "svc_catalog", access: "read" }, "app")).to.deep.equal([
      'ALTER ROLE "svc_catalog" WITH LOGIN',
      `COMMENT ON ROLE "svc_catalog" IS 'berth service role: managed by the migration'`,
      'GRANT CONNECT ON DATABASE "app" TO "svc_catalog"',
      'REVOKE CREATE ON SCHEMA "public" FROM "svc_catalog"',
      'GRANT USAGE ON SCHEMA "public" TO "svc_catalog"',
      'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA "public" FROM "svc_catalog"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "svc_catalog"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLES FROM "svc_catalog"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT ON TABLES TO "svc_catalog"',
      'REVOKE USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA "public" FROM "svc_catalog"',
      'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "svc_catalog"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" REVOKE USAGE, UPDATE ON SEQUENCES FROM "svc_catalog"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT ON SEQUENCES TO "svc_catalog"',
    ]);
  });

  it("readwrite: SELECT, INSERT, UPDATE, DELETE and sequence use; never TRUNCATE, REFERENCES or TRIGGER", () => {
    const sql = grantStatements({ role: "svc_api", access: "readwrite" }, "app");
    expect(sql.filter((q) => q.includes("ON ALL TABLES"))).to.deep.equal([
      'REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA "public" FROM "svc_api"',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "svc_api"',
    ]);
    expect(sql.filter((q) => q.includes("ON ALL SEQUENCES"))).to.deep.equal([
      'REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA "public" FROM "svc_api"',
      'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "svc_api"',
    ]);
  });
});
