// F14: what the loader treats as a secret — by name, by value, and which references it accepts — one row
// per pattern, with near misses that must pass, so a narrowed pattern or a loosened reference fails here.
import { expect } from "chai";
import { loadSettings } from "../../../infra/config/load";
import { INJECTED_ENV, parseSecretRef } from "../../../infra/config/secrets";
import { baseConfig } from "../../helpers/synth";
import { configProblems as problems } from "../../helpers/config";


const env = (environment: Record<string, unknown>) => {
    const c = baseConfig();
    c["berth:services"][1] = { ...c["berth:services"][1], environment };
    return c;
};
const secrets = (s: Record<string, unknown>) => {
    const c = baseConfig();
    c["berth:services"][1] = { ...c["berth:services"][1], secrets: s };
    return c;
};

const LOOKS = "looks like a secret; declare it under secrets as a Secrets Manager or SSM reference instead of a plain value (F14)";
const HOLDS = "holds secret material (an access key, private key or URL with a password); move it to Secrets Manager or SSM and reference it under secrets (F14)";
const LITERAL = 'must be a reference, not a value: use {secretsManager: "arn:aws:secretsmanager:…", key: "field"} or {ssm: "/path/to/parameter"} (F14)';
const SM = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:berth/dev/key-AbCdEf";

describe("config secrets (F14): names that carry secrets", () => {
    const secretNames = [
        "APP_PASSWORD", "PASSWD", "APP_SECRET", "GITHUB_TOKEN", "STRIPE_API_KEY", "APIKEY", "SIGNING_PRIVATE_KEY", "PRIVATEKEY",
        "AWS_ACCESS_KEY", "ACCESSKEY", "GOOGLE_CREDENTIALS", "AUTH_KEY", "OAUTH_CLIENT_SECRET", "SENTRY_DSN", "CONNECTION_STRING",
        "DATABASE_URL", "db_password", "Api_Key",
    ];
    for (const name of secretNames) {
        it(`flags ${name} in plain environment`, () => expect(problems(env({ [name]: "x" }))).to.deep.equal([`berth:services[1].environment.${name}: ${LOOKS}`]));
    }

    it("lets ordinary names through", () => {
        expect(problems(env({ LOG_LEVEL: "info", FEATURE_X: true, MAX_ITEMS: 20, REGION_CODE: "eu", KEYBOARD: "us" }))).to.deep.equal([]);
    });

    it("keeps numbers and booleans as text", () => {
        const s = loadSettings({ project: "berth", stack: "dev", values: env({ MAX_ITEMS: 20, FEATURE_X: true }) });
        expect(s.services[1].environment).to.deep.equal({ MAX_ITEMS: "20", FEATURE_X: "true" });
    });
});

describe("config secrets (F14): values that are secret material whatever their name", () => {
    const material: [string, string][] = [
        ["an AWS access key id", "AKIAABCDEFGHIJKLMNOP"],
        ["temporary AWS credentials", "ASIAABCDEFGHIJKLMNOP"],
        ["a PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIB"],
        ["a PKCS#8 private key", "-----BEGIN PRIVATE KEY-----"],
        ["a URL with a password", "postgres://app:hunter2@db.internal:5432/app"],
    ];
    for (const [what, value] of material) {
        it(`flags ${what}`, () => expect(problems(env({ UPSTREAM: value }))).to.deep.equal([`berth:services[1].environment.UPSTREAM: ${HOLDS}`]));
    }

    const harmless = ["https://db.internal:5432/app", "mailto:ops@example.com", "AKIA1234", "user@host", "-----BEGIN CERTIFICATE-----", "redis://cache:6379"];
    for (const value of harmless) {
        it(`lets ${JSON.stringify(value)} through`, () => expect(problems(env({ UPSTREAM: value }))).to.deep.equal([]));
    }
});

describe("config secrets: names berth sets and invalid names", () => {
    // A service with a database and the bucket gets every injected variable; each is then off limits.
    const full = (field: "environment" | "secrets", values: Record<string, unknown>) => {
        const c = baseConfig();
        c["berth:services"][1] = { ...c["berth:services"][1], database: true, bucket: "readwrite", [field]: values };
        return c;
    };
    for (const name of [...INJECTED_ENV.always, ...INJECTED_ENV.database, ...INJECTED_ENV.bucket]) {
        it(`refuses ${name} in environment and in secrets (berth sets it)`, () => {
            expect(problems(full("environment", { [name]: "x" }))).to.deep.equal([`berth:services[1].environment.${name}: is set by berth itself; remove it from environment`]);
            expect(problems(full("secrets", { [name]: SM }))).to.deep.equal([`berth:services[1].secrets.${name}: is set by berth itself; remove it from secrets`]);
        });
    }

    it("refuses a secret name that is not an environment variable name, before looking at the reference", () => {
        expect(problems(secrets({ "1KEY": "literal" }))).to.deep.equal([
            "berth:services[1].secrets.1KEY: is not a valid environment variable name: use letters, digits and underscores, not starting with a digit",
        ]);
        expect(problems(env({ _UNDERSCORED: "1", A1: "x" }))).to.deep.equal([]);
    });
});

describe("config secrets (F14): references", () => {
    const accepted: [string, unknown, unknown][] = [
        ["a Secrets Manager ARN", SM, { name: "K", source: "secretsManager", arn: SM }],
        ["a GovCloud Secrets Manager ARN", "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:k", { name: "K", source: "secretsManager", arn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:k" }],
        ["an SSM parameter ARN", "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/k", { name: "K", source: "ssm", parameter: "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/k" }],
        ["a Secrets Manager object with a JSON key", { secretsManager: SM, key: "db.password-1" }, { name: "K", source: "secretsManager", arn: SM, jsonKey: "db.password-1" }],
        ["a Secrets Manager object without a key", { secretsManager: SM }, { name: "K", source: "secretsManager", arn: SM }],
        ["an SSM parameter name", { ssm: "/berth/dev/k" }, { name: "K", source: "ssm", parameter: "/berth/dev/k" }],
        ["an SSM name without a leading slash", { ssm: "berth-key" }, { name: "K", source: "ssm", parameter: "berth-key" }],
        ["an SSM ARN in an object", { ssm: "arn:aws:ssm:eu-west-1:123456789012:parameter/k" }, { name: "K", source: "ssm", parameter: "arn:aws:ssm:eu-west-1:123456789012:parameter/k" }],
    ];
    for (const [what, ref, parsed] of accepted) it(`accepts ${what}`, () => expect(parseSecretRef("K", ref)).to.deep.equal(parsed));

    const refused: [string, unknown, string][] = [
        ["a literal string", "hunter2", LITERAL],
        ["a Secrets Manager ARN in another service's namespace", "arn:aws:s3:eu-west-1:123456789012:secret:k", LITERAL],
        ["an ARN with a short account id", "arn:aws:secretsmanager:eu-west-1:12345:secret:k", LITERAL],
        ["a number", 42, LITERAL],
        ["null", null, LITERAL],
        ["a list", [SM], LITERAL],
        ["an object with neither field", { vault: "x" }, LITERAL],
        ["an unknown field beside secretsManager", { secretsManager: SM, version: "1" }, "has unknown field version; a Secrets Manager reference takes secretsManager and optional key"],
        ["a bare secret name", { secretsManager: "berth/dev/key" }, "secretsManager must be a full secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) so the execution role can be scoped to it"],
        ["a non-string ARN", { secretsManager: 7 }, "secretsManager must be a full secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) so the execution role can be scoped to it"],
        ["a JSON key with a space", { secretsManager: SM, key: "db password" }, "key must name a JSON field of the secret, such as password"],
        ["a JSON key that is not text", { secretsManager: SM, key: 3 }, "key must name a JSON field of the secret, such as password"],
        ["an unknown field beside ssm", { ssm: "/k", key: "x" }, "has unknown field key; an SSM reference takes only ssm"],
        ["an SSM name with a space", { ssm: "/berth/my key" }, "ssm must be a parameter name such as /berth/dev/api-key, or its ARN"],
        ["an SSM name with an empty segment", { ssm: "/berth//k" }, "ssm must be a parameter name such as /berth/dev/api-key, or its ARN"],
        ["a non-string SSM name", { ssm: true }, "ssm must be a parameter name such as /berth/dev/api-key, or its ARN"],
    ];
    for (const [what, ref, message] of refused) it(`refuses ${what}`, () => expect(parseSecretRef("K", ref)).to.equal(message));

    it("reports a refused reference under the secret's key and keeps the accepted ones", () => {
        expect(problems(secrets({ GOOD: SM, BAD: { ssm: "/x y" } }))).to.deep.equal(["berth:services[1].secrets.BAD: ssm must be a parameter name such as /berth/dev/api-key, or its ARN"]);
        const s = loadSettings({ project: "berth", stack: "dev", values: secrets({ A: SM, B: { ssm: "/b" } }) });
        expect(s.services[1].secrets).to.deep.equal([
            { name: "A", source: "secretsManager", arn: SM },
            { name: "B", source: "ssm", parameter: "/b" },
        ]);
    });
});
