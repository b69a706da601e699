import { expect } from "chai";
import { sslOption, toClientConfig } from "../src/database";

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
