// Startup validation inside the real image: one message listing every missing variable, exit code 1.
import { expect } from "chai";
import { type IntegrationEnv } from "../helpers/integrationEnv";
import { useServiceImage, runToCompletion, type ServiceImage } from "./serviceImage";

describe("service startup validation in the image", function () {
  const ctx = useServiceImage();
  let env: IntegrationEnv;
  let image: ServiceImage;

  before(() => {
    env = ctx.env();
    image = ctx.image();
  });

  it("F14: exits 1 with one message listing every missing variable and secret", async () => {
    const started = Date.now();
    const result = await runToCompletion(env, image.tag, "missing-env", {
      env: { SERVICE_NAME: "api-gateway", REQUIRED_ENV: "CONFIG_SERVER_URL,DISCOVERY_URL", DB_HOST: "db.internal" },
    });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      [
        "api-gateway: cannot start, 6 configuration problems:",
        "  1. PORT is missing or empty",
        "  2. DB_NAME is missing or empty (required when DB_HOST is set)",
        "  3. DB_USERNAME is missing or empty (required when DB_HOST is set)",
        "  4. DB_PASSWORD is missing or empty (required when DB_HOST is set); or set DB_IAM_AUTH=true and DB_REGION to sign in with IAM tokens",
        "  5. CONFIG_SERVER_URL is missing or empty (listed in REQUIRED_ENV)",
        "  6. DISCOVERY_URL is missing or empty (listed in REQUIRED_ENV)",
      ].join("\n"),
    );
    expect(result.stdout).to.equal("");
    expect(Date.now() - started).to.be.below(15_000);
  });

  it("F14: treats a variable set to an empty string as missing", async () => {
    const result = await runToCompletion(env, image.tag, "empty-env", {
      env: { SERVICE_NAME: "config-server", PORT: "1", REQUIRED_ENV: "CONFIG_REPO", CONFIG_REPO: "" },
    });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      "config-server: cannot start, 1 configuration problem:\n  1. CONFIG_REPO is missing or empty (listed in REQUIRED_ENV)",
    );
  });

  it("F14: the migration entrypoint lists its missing database variables too", async () => {
    const result = await runToCompletion(env, image.tag, "migrate-missing-env", {
      env: { DB_HOST: "db.internal", DB_USERNAME: "app" },
      command: ["node", "dist/migrate.js"],
    });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      "migrate: cannot start, 2 configuration problems:\n  1. DB_NAME is missing or empty\n  2. DB_PASSWORD is missing or empty",
    );
  });
});
