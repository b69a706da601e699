// Container environment and secret references (F14): what berth sets itself, what looks like a secret,
// and the reference forms a secret may take (Secrets Manager ARN with optional JSON key, SSM name or ARN).
import type { RawService } from "./schema";
import type { Add } from "./errors";
import type { SecretRef } from "./settings";

/** Environment variables berth sets itself: in every container, for database services, for bucket users. */
export const INJECTED_ENV = {
    always: ["PORT", "SERVICE_NAME", "BERTH_ENVIRONMENT", "PUBLIC_URL"],
    database: ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USERNAME", "DB_PASSWORD", "DB_IAM_AUTH", "DB_REGION"],
    bucket: ["BUCKET_NAME"],
} as const;

/** The variables berth sets in this service's container; only these are off limits to the catalogue. */
export function injectedEnv(s: Pick<RawService, "database" | "bucket">): string[] {
    return [...INJECTED_ENV.always, ...(s.database ? INJECTED_ENV.database : []), ...(s.bucket !== undefined && s.bucket !== "none" ? INJECTED_ENV.bucket : [])];
}

/** Variable names that carry secrets: broader than AWS ECS.8's three key names (F14). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_KEY|CLIENT_SECRET|DSN|CONNECTION_STRING|DATABASE_URL)/i;

/** Values that are secret material whatever their name. */
const SECRET_VALUE = /(AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|:\/\/[^/\s:@]+:[^/\s@]+@/;

const SM_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;

const SSM_NAME = /^\/?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function secretsManagerRef(name: string, arn: string, jsonKey?: string): SecretRef {
    return jsonKey === undefined ? { name, source: "secretsManager", arn } : { name, source: "secretsManager", arn, jsonKey };
}

/** A secret reference, or the reason it is not one. */
export function parseSecretRef(name: string, ref: unknown): SecretRef | string {
    const literal = `must be a reference, not a value: use {secretsManager: "arn:aws:secretsmanager:…", key: "field"} or {ssm: "/path/to/parameter"} (F14)`;
    if (typeof ref === "string") {
        if (SM_ARN.test(ref)) return secretsManagerRef(name, ref);
        if (SSM_ARN.test(ref)) return { name, source: "ssm", parameter: ref };
        return literal;
    }
    if (typeof ref !== "object" || ref === null || Array.isArray(ref)) return literal;
    const obj = ref as Record<string, unknown>;
    const keys = Object.keys(obj);
    if ("secretsManager" in obj) {
        const extra = keys.filter((k) => k !== "secretsManager" && k !== "key");
        if (extra.length > 0) return `has unknown field ${extra.join(", ")}; a Secrets Manager reference takes secretsManager and optional key`;
        if (typeof obj.secretsManager !== "string" || !SM_ARN.test(obj.secretsManager)) {
            return "secretsManager must be a full secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) so the execution role can be scoped to it";
        }
        if (obj.key !== undefined && (typeof obj.key !== "string" || !/^[A-Za-z0-9_.-]+$/.test(obj.key))) return "key must name a JSON field of the secret, such as password";
        return secretsManagerRef(name, obj.secretsManager, obj.key as string | undefined);
    }
    if ("ssm" in obj) {
        if (keys.length !== 1) return `has unknown field ${keys.filter((k) => k !== "ssm").join(", ")}; an SSM reference takes only ssm`;
        if (typeof obj.ssm !== "string" || !(SSM_ARN.test(obj.ssm) || SSM_NAME.test(obj.ssm))) return "ssm must be a parameter name such as /berth/dev/api-key, or its ARN";
        return { name, source: "ssm", parameter: obj.ssm };
    }
    return literal;
}

/** Plain variables, minus names berth sets and anything that looks like a secret. */
export function resolveEnvironment(s: RawService, at: (k: string) => string, add: Add): Record<string, string> {
    const injected = injectedEnv(s);
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(s.environment ?? {})) {
        const k = `${at("environment")}.${name}`;
        const text = String(value);
        if (!ENV_NAME.test(name)) add(k, "is not a valid environment variable name: use letters, digits and underscores, not starting with a digit");
        else if (injected.includes(name)) add(k, "is set by berth itself; remove it from environment");
        else if (SECRET_NAME.test(name)) add(k, "looks like a secret; declare it under secrets as a Secrets Manager or SSM reference instead of a plain value (F14)");
        else if (SECRET_VALUE.test(text)) add(k, "holds secret material (an access key, private key or URL with a password); move it to Secrets Manager or SSM and reference it under secrets (F14)");
        environment[name] = text;
    }
    return environment;
}

/** Secret references, each checked; a name also in environment is reported. */
export function resolveSecrets(s: RawService, environment: Record<string, string>, at: (k: string) => string, add: Add): SecretRef[] {
    const injected = injectedEnv(s);
    const secrets: SecretRef[] = [];
    for (const [name, ref] of Object.entries(s.secrets ?? {})) {
        const k = `${at("secrets")}.${name}`;
        if (!ENV_NAME.test(name)) {
            add(k, "is not a valid environment variable name: use letters, digits and underscores, not starting with a digit");
            continue;
        }
        if (injected.includes(name)) {
            add(k, "is set by berth itself; remove it from secrets");
            continue;
        }
        if (name in environment) add(k, "is declared in both environment and secrets; keep it in secrets only");
        const parsed = parseSecretRef(name, ref);
        if (typeof parsed === "string") add(k, parsed);
        else secrets.push(parsed);
    }
    return secrets;
}
