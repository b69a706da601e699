// ECS rules: task definitions (privileges, root filesystem, secrets, logging), services (public IPs,
// circuit breaker) and clusters (Container Insights).
import { containerLabel, containers, defineRule, obj, ofType, list, isObj, str, T } from "./graph";
import type { Rule } from "./types";

/** Name keywords that mark a variable as secret material (F03, F14). Matched on UPPER_SNAKE segments. */
const SECRET_NAME_PATTERNS: RegExp[] = [
    /PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL/,
    /(^|_)SECRETS?(_|$)/,
    /(^|_)TOKENS?(_|$)/,
    /(^|_)API_?KEYS?(_|$)/,
    /(^|_)PRIVATE_?KEY(_|$)/,
    /(^|_)ACCESS_?KEY(_|$)/,
    /(^|_)(DSN|CONNECTION_STRING|CONN_STR)(_|$)/,
];
/** Names that carry credentials by convention whatever their suffix. */
const SECRET_NAMES = /^(DATABASE_URL|DB_URL|POSTGRES_URL|POSTGRESQL_URL|PG_URL|MYSQL_URL|MONGO(DB)?_URI|MONGO(DB)?_URL)$/;
/**
 * A last segment that names a reference to a secret or a setting about one, not the secret itself:
 * `DB_SECRET_ARN`, `TOKEN_URL`, `CREDENTIALS_FILE`, `TOKEN_TTL_SECONDS` are fine in plain environment.
 */
const REFERENCE_SUFFIX = /_(ARN|PATH|FILE|DIR|URL|URI|ENDPOINT|HOST|HEADER|NAME|TTL|TIMEOUT|EXPIRY|LENGTH|SECONDS|MINUTES|ENABLED|TYPE|ALGORITHM|ISSUER|AUDIENCE)$/;

/** Value shapes that are secret material whatever the variable is called. Never echoed in a message. */
const SECRET_VALUE_PATTERNS: { kind: string; pattern: RegExp }[] = [
    { kind: "an AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
    { kind: "a PEM private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
    { kind: "a URL with a password (user:password@)", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:[^\s@/]+@/i },
    { kind: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/ },
    { kind: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
    { kind: "a Stripe live key", pattern: /\b[sr]k_live_[0-9A-Za-z]{16,}/ },
    { kind: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
];

/** `dbPassword` and `db-password` become `DB_PASSWORD`. */
function upperSnake(name: string): string {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .toUpperCase();
}

export function isSecretName(name: string): boolean {
    const n = upperSnake(name);
    if (SECRET_NAMES.test(n)) return true;
    if (REFERENCE_SUFFIX.test(n)) return false;
    return SECRET_NAME_PATTERNS.some((p) => p.test(n));
}

export function secretValueKind(value: string): string | undefined {
    return SECRET_VALUE_PATTERNS.find((p) => p.pattern.test(value))?.kind;
}

/** An ARN names a secret in Secrets Manager/SSM; it is a reference, not the material. */
function isArnReference(value: string): boolean {
    return /^arn:aws[a-z-]*:(secretsmanager|ssm|kms):/.test(value);
}

const noPublicIp = defineRule(
    { id: "ECS.2", title: "ECS services do not assign public IP addresses", severity: "high" },
    (resources, flag) => {
        for (const svc of ofType(resources, T.ecsService)) {
            if (obj(svc.inputs.networkConfiguration).assignPublicIp === true) {
                flag(svc, `service "${svc.name}" sets networkConfiguration.assignPublicIp: tasks get public IPs; run them in private subnets behind the load balancer`);
            }
        }
    },
);

const notPrivileged = defineRule(
    { id: "ECS.4", title: "ECS containers run without privileged mode", severity: "high" },
    (resources, flag) => {
        for (const td of ofType(resources, T.taskDefinition)) {
            containers(td).forEach((c, i) => {
                if (c.privileged === true) flag(td, `${containerLabel(c, i)} of task family "${td.inputs.family}" is privileged`);
            });
        }
    },
);

const readOnlyRoot = defineRule(
    { id: "ECS.5", title: "ECS containers mount their root filesystem read-only", severity: "high", waivable: true },
    (resources, flag) => {
        for (const td of ofType(resources, T.taskDefinition)) {
            containers(td).forEach((c, i) => {
                if (c.readonlyRootFilesystem !== true) {
                    flag(td, `${containerLabel(c, i)} of task family "${td.inputs.family}" has a writable root filesystem (readonlyRootFilesystem is not true)`);
                }
            });
        }
    },
);

const noSecretsInEnvironment = defineRule(
    { id: "ECS.8", title: "Secrets reach containers through ECS secrets, never plain environment (F03, F14)", severity: "critical" },
    (resources, flag) => {
        for (const td of ofType(resources, T.taskDefinition)) {
            containers(td).forEach((c, i) => {
                for (const entry of list(c.environment).filter(isObj)) {
                    const name = str(entry.name) ?? "";
                    const value = str(entry.value) ?? "";
                    const where = `${containerLabel(c, i)} of task family "${td.inputs.family}"`;
                    const kind = secretValueKind(value);
                    if (kind) {
                        flag(td, `${where}: environment variable ${name} holds ${kind}; move it to Secrets Manager and pass it through "secrets"`);
                    } else if (isSecretName(name) && !isArnReference(value)) {
                        flag(td, `${where}: environment variable ${name} looks like a secret; pass it through "secrets" (valueFrom a Secrets Manager or SSM ARN)`);
                    }
                }
            });
        }
    },
);

const loggingConfigured = defineRule(
    { id: "ECS.9", title: "Every ECS container has a log configuration", severity: "high" },
    (resources, flag) => {
        for (const td of ofType(resources, T.taskDefinition)) {
            containers(td).forEach((c, i) => {
                const where = `${containerLabel(c, i)} of task family "${td.inputs.family}"`;
                const driver = c.logConfiguration?.logDriver;
                if (!driver) {
                    flag(td, `${where} has no logConfiguration: its output is lost`);
                } else if (driver === "awslogs" && !c.logConfiguration?.options?.["awslogs-group"]) {
                    flag(td, `${where} uses the awslogs driver without an awslogs-group option`);
                }
            });
        }
    },
);

const containerInsights = defineRule(
    { id: "ECS.12", title: "ECS clusters have Container Insights enabled", severity: "medium" },
    (resources, flag) => {
        for (const cluster of ofType(resources, T.cluster)) {
            const setting = list(cluster.inputs.settings).filter(isObj).find((s) => s.name === "containerInsights");
            if (setting?.value !== "enabled" && setting?.value !== "enhanced") {
                flag(cluster, `cluster "${cluster.inputs.name ?? cluster.name}" does not enable Container Insights (settings containerInsights = enabled or enhanced)`);
            }
        }
    },
);

const circuitBreaker = defineRule(
    { id: "BERTH.CIRCUIT-BREAKER", title: "ECS services roll back failed deployments with the circuit breaker (F13)", severity: "high" },
    (resources, flag) => {
        for (const svc of ofType(resources, T.ecsService)) {
            // The circuit breaker only exists for the ECS deployment controller; CODE_DEPLOY/EXTERNAL have their own.
            const controller = str(obj(svc.inputs.deploymentController).type) ?? "ECS";
            if (controller !== "ECS") continue;
            const breaker = obj(svc.inputs.deploymentCircuitBreaker);
            if (breaker.enable !== true || breaker.rollback !== true) {
                flag(svc, `service "${svc.name}" lacks deploymentCircuitBreaker { enable: true, rollback: true }: a failed deployment would not roll back`);
            }
        }
    },
);

export const ECS_RULES: Rule[] = [noPublicIp, notPrivileged, readOnlyRoot, noSecretsInEnvironment, loggingConfigured, containerInsights, circuitBreaker];
