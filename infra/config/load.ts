// Loads berth's stack configuration once, up front: structure through the schema, then every cross-field
// rule, collecting all problems into one numbered list. Nothing reaches AWS unless this passes.
import { z } from "zod";
import { configSchema, CONFIG_KEYS, LOG_RETENTION_DAYS, RawConfig, RawService, SERVICE_NAME } from "./schema";
import { COMMON_DEFAULTS, PROFILES, Profile } from "./profiles";
import { FARGATE_SIZES, describeMemoryFor, isValidFargateSize } from "./fargate";
import { criticalFirst, findCycle, rolloutEdges, rolloutLevels } from "./graph";
import { rolloutDuration } from "./rolloutTime";
import { ALB_LIMITS, patternProblem, planListenerRules } from "./routes";
import { MAX_AZS, VPC_MASK_RANGE, isAligned, isPrivateRange, parseCidr, planSubnets } from "./cidr";
import type { SecretRef, ServiceSettings, Settings } from "./settings";

export const NAMESPACE = "berth";

export interface ConfigProblem {
    key: string;
    message: string;
}

/** Bad configuration: every problem found, each naming its key and the fix. An expected failure. */
export class ConfigError extends Error {
    readonly problems: ConfigProblem[];
    constructor(problems: ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
        this.problems = problems;
    }
}

export function formatProblems(problems: ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p, i) => `  ${i + 1}. ${p.key}: ${p.message}`);
    return `berth configuration has ${problems.length} ${noun}:\n${lines.join("\n")}`;
}

/** Raw stack configuration: full keys (`berth:services`) to parsed values, plus which keys are secret. */
export interface ConfigInput {
    project: string;
    stack: string;
    values: Record<string, unknown>;
    secretKeys?: readonly string[];
}

/** Names berth uses for its own resources; a service with one of them would collide. */
export const RESERVED_SERVICE_NAMES = ["access-logs", "alarms", "alb", "cluster", "db", "db-final", "endpoints", "flow-logs", "migrate", "uploads"];

/** Environment variables berth sets itself in every container (or for database services). */
export const INJECTED_ENV = ["PORT", "SERVICE_NAME", "BERTH_ENVIRONMENT", "PUBLIC_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USERNAME", "DB_PASSWORD", "BUCKET_NAME"];

/** Variable names that carry secrets: broader than AWS ECS.8's three key names (F14). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_KEY|CLIENT_SECRET|DSN|CONNECTION_STRING|DATABASE_URL)/i;
/** Values that are secret material whatever their name. */
const SECRET_VALUE = /(AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|:\/\/[^/\s:@]+:[^/\s@]+@/;

const SM_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;
const SSM_NAME = /^\/?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

function secretsManagerRef(name: string, arn: string, jsonKey?: string): SecretRef {
    return jsonKey === undefined ? { name, source: "secretsManager", arn } : { name, source: "secretsManager", arn, jsonKey };
}

/** Loads and validates; throws ConfigError listing every problem. */
export function loadSettings(input: ConfigInput): Settings {
    const problems: ConfigProblem[] = [];
    const raw = collectRaw(input, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, raw)));
    const settings = resolveSettings(input, parsed.data, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}

function collectRaw(input: ConfigInput, problems: ConfigProblem[]): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    const known = new Set<string>(CONFIG_KEYS);
    for (const [fullKey, value] of Object.entries(input.values)) {
        const [ns, key] = splitKey(fullKey);
        if (ns !== NAMESPACE) continue;
        if (!known.has(key)) {
            const hint = suggest(key, CONFIG_KEYS);
            problems.push({ key: fullKey, message: `unknown key${hint ? `; did you mean ${NAMESPACE}:${hint}?` : `; berth reads ${CONFIG_KEYS.map((k) => `${NAMESPACE}:${k}`).join(", ")}`}` });
            continue;
        }
        if (input.secretKeys?.includes(fullKey)) {
            problems.push({ key: fullKey, message: "holds a secret value (secure:); berth config carries only references: store the value in Secrets Manager or SSM and reference it under a service's secrets (F14)" });
            continue;
        }
        raw[key] = value;
    }
    if (raw.environment === undefined && problems.length === 0) {
        problems.push({ key: `${NAMESPACE}:environment`, message: "is required: set it to dev, staging or prod (pulumi config set berth:environment dev)" });
    }
    return raw;
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i === -1 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

/** The closest known key within edit distance 3, for typos such as `berth:service`. */
export function suggest(key: string, known: readonly string[]): string | undefined {
    let best: { k: string; d: number } | undefined;
    for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d <= 3 && (!best || d < best.d)) best = { k, d };
    }
    return best?.k;
}

function editDistance(a: string, b: string): number {
    const row = [...Array(b.length + 1).keys()];
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** `["services", 2, "port"]` → `berth:services[2].port`. */
export function keyOf(path: readonly PropertyKey[]): string {
    let out = NAMESPACE + ":";
    path.forEach((p, i) => {
        if (typeof p === "number") out += `[${p}]`;
        else out += i === 0 ? String(p) : `.${String(p)}`;
    });
    return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, p) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined), root);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem {
    const key = keyOf(issue.path);
    switch (issue.code) {
        case "invalid_type": {
            const received = valueAt(raw, issue.path);
            if (received === undefined) return { key, message: `is required (${issue.expected})` };
            return { key, message: `must be ${article(issue.expected)}, not ${JSON.stringify(received)}` };
        }
        case "too_small":
            if (issue.origin === "array") return { key, message: `must have at least ${issue.minimum} entr${Number(issue.minimum) === 1 ? "y" : "ies"}` };
            if (issue.origin === "string") return { key, message: "must not be empty" };
            return { key, message: `must be at least ${issue.minimum}` };
        case "too_big":
            return { key, message: `must be at most ${issue.maximum}` };
        case "invalid_value":
            return { key, message: `must be one of ${issue.values.map((v) => String(v)).join(", ")}` };
        case "unrecognized_keys": {
            const keys = issue.keys.map((k) => `${key}${key.endsWith(":") ? "" : "."}${k}`);
            return { key: keys.join(", "), message: `unknown key${issue.keys.length > 1 ? "s" : ""}; remove ${issue.keys.length > 1 ? "them" : "it"} or check the spelling against the configuration reference in README.md` };
        }
        default:
            return { key, message: issue.message };
    }
}

function article(expected: string): string {
    if (expected === "array") return "a list";
    if (expected === "object") return "a map";
    if (expected === "int") return "a whole number";
    return `a ${expected}`;
}

function resolveSettings(input: ConfigInput, raw: RawConfig, problems: ConfigProblem[]): Settings {
    const profile = PROFILES[raw.environment];
    const add = (key: string, message: string) => problems.push({ key: `${NAMESPACE}:${key}`, message });

    const network = resolveNetwork(raw, profile, add);
    const database = resolveDatabase(raw, profile, add);

    const retentionDays = raw.logs?.retentionDays ?? profile.logs.retentionDays;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retentionDays)) {
        add("logs.retentionDays", `${retentionDays} is not a CloudWatch Logs retention period; use one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    const services = raw.services.map((s, i) => resolveService(s, i, raw, profile, add));
    checkCatalogue(raw.services, services, add);

    // Unknown and self references are reported above; the graph only carries real edges.
    const known = new Set(services.map((s) => s.name));
    const edges = rolloutEdges(services.map((s) => ({ name: s.name, dependsOn: s.dependsOn.filter((d) => d !== s.name && known.has(d)), priority: s.priority })));
    const cycle = findCycle(edges);
    if (cycle) {
        add("services", `dependency cycle ${cycle.join(" → ")} (dependsOn and priority together); remove one of these edges (F11)`);
    }
    for (const s of services) s.waitsFor = (edges.get(s.name) ?? []).filter((d) => d !== s.name);

    const rules = planListenerRules(services.filter((s) => s.routes.length > 0));
    if (rules.length > ALB_LIMITS.rulesPerLoadBalancer) {
        add("services", `the routes need ${rules.length} listener rules; an ALB allows ${ALB_LIMITS.rulesPerLoadBalancer} (F08): merge path patterns with wildcards or split the catalogue across stacks`);
    }

    const migration = resolveMigration(raw, services, add);
    const images = resolveImages(raw, services, add);

    const wantsWebsocket = services.some((s) => s.websocket);
    const levels = cycle ? [] : rolloutLevels(edges);
    const byName = new Map(services.map((s) => [s.name, s]));
    return {
        project: input.project,
        stack: input.stack,
        environment: raw.environment,
        network,
        database,
        loadBalancer: {
            certificateArn: raw.loadBalancer?.certificateArn,
            domainName: raw.loadBalancer?.domainName,
            accessLogs: raw.loadBalancer?.accessLogs ?? profile.loadBalancer.accessLogs,
            deletionProtection: raw.loadBalancer?.deletionProtection ?? profile.loadBalancer.deletionProtection,
            idleTimeoutSeconds:
                raw.loadBalancer?.idleTimeoutSeconds ??
                (wantsWebsocket ? COMMON_DEFAULTS.idleTimeoutSeconds.websocket : COMMON_DEFAULTS.idleTimeoutSeconds.default),
            rules,
        },
        alarms: { email: raw.alarms?.email, topicArn: raw.alarms?.topicArn },
        logs: { retentionDays },
        registry: {
            keepImages: raw.registry?.keepImages ?? profile.registry.keepImages,
            untaggedExpiryDays: raw.registry?.untaggedExpiryDays ?? profile.registry.untaggedExpiryDays,
            forceDelete: profile.registry.forceDelete,
        },
        storage: { versioning: raw.storage?.versioning ?? profile.storage.versioning, forceDestroy: profile.storage.forceDestroy },
        protectData: profile.protectData,
        services,
        migration,
        images,
        ci: raw.ci ? { githubRepository: raw.ci.githubRepository, branches: raw.ci.branches ?? ["main"], createOidcProvider: raw.ci.createOidcProvider ?? true } : undefined,
        rolloutLevels: levels,
        declarationOrder: criticalFirst(levels, edges, (name) => rolloutDuration(byName.get(name)!)),
    };
}

type Add = (key: string, message: string) => void;

function resolveNetwork(raw: RawConfig, profile: Profile, add: Add): Settings["network"] {
    const cidr = raw.network?.cidr ?? COMMON_DEFAULTS.network.cidr;
    const availabilityZones = raw.network?.availabilityZones ?? COMMON_DEFAULTS.network.availabilityZones;
    const parsed = parseCidr(cidr);
    let subnets = { public: [] as string[], private: [] as string[], isolated: [] as string[] };
    if (!parsed || !isAligned(cidr)) {
        add("network.cidr", `"${cidr}" is not an IPv4 CIDR block such as 10.0.0.0/16 (network address, no host bits)`);
    } else if (parsed.mask < VPC_MASK_RANGE.min || parsed.mask > VPC_MASK_RANGE.max) {
        add("network.cidr", `/${parsed.mask} does not fit berth's layout; use a /${VPC_MASK_RANGE.min} to /${VPC_MASK_RANGE.max} block (public subnets must stay /27 or larger for the ALB)`);
    } else if (!isPrivateRange(cidr)) {
        add("network.cidr", `${cidr} is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 space`);
    } else if (availabilityZones <= MAX_AZS) {
        subnets = planSubnets(cidr, availabilityZones);
    }
    return {
        cidr,
        availabilityZones,
        natGateways: raw.network?.natGateways ?? profile.network.natGateways,
        interfaceEndpoints: raw.network?.interfaceEndpoints ?? profile.network.interfaceEndpoints,
        flowLogs: raw.network?.flowLogs ?? profile.network.flowLogs,
        subnets,
    };
}

function resolveDatabase(raw: RawConfig, profile: Profile, add: Add): Settings["database"] {
    const d = raw.database ?? {};
    const engineVersion = d.engineVersion ?? COMMON_DEFAULTS.database.engineVersion;
    const major = Number(engineVersion.split(".")[0]);
    if (major < 13) add("database.engineVersion", `PostgreSQL ${engineVersion} is past RDS standard support; use 13 or later (16 recommended)`);
    const allocatedStorage = d.allocatedStorage ?? profile.database.allocatedStorage;
    const maxAllocatedStorage = d.maxAllocatedStorage ?? Math.max(profile.database.maxAllocatedStorage, allocatedStorage);
    if (maxAllocatedStorage < allocatedStorage) {
        add("database.maxAllocatedStorage", `${maxAllocatedStorage} GiB is below allocatedStorage (${allocatedStorage} GiB); raise it or lower allocatedStorage`);
    }
    const deletionProtection = d.deletionProtection ?? profile.database.deletionProtection;
    const finalSnapshot = d.finalSnapshot ?? profile.database.finalSnapshot;
    if (raw.environment === "prod" && !deletionProtection) {
        add("database.deletionProtection", "must be true in the prod profile (F16); remove the override");
    }
    if (raw.environment === "prod" && !finalSnapshot) {
        add("database.finalSnapshot", "must be true in the prod profile (F16); remove the override");
    }
    return {
        engineVersion,
        family: `postgres${major}`,
        instanceClass: d.instanceClass ?? profile.database.instanceClass,
        allocatedStorage,
        maxAllocatedStorage,
        backupRetentionDays: d.backupRetentionDays ?? profile.database.backupRetentionDays,
        multiAz: d.multiAz ?? profile.database.multiAz,
        deletionProtection,
        finalSnapshot,
        performanceInsights: profile.database.performanceInsights,
        applyImmediately: profile.database.applyImmediately,
        dbName: d.dbName ?? COMMON_DEFAULTS.database.dbName,
        username: d.username ?? COMMON_DEFAULTS.database.username,
        port: COMMON_DEFAULTS.database.port,
    };
}

function resolveService(s: RawService, i: number, raw: RawConfig, profile: Profile, add: Add): ServiceSettings {
    const at = (k: string) => `services[${i}].${k}`;
    if (!SERVICE_NAME.test(s.name)) {
        add(at("name"), `"${s.name}" is not a valid service name: use 2-28 lower-case letters, digits and hyphens, starting with a letter (it becomes part of DNS, ECS and IAM names, F04)`);
    } else if (RESERVED_SERVICE_NAMES.includes(s.name)) {
        add(at("name"), `"${s.name}" is reserved for berth's own resources (${RESERVED_SERVICE_NAMES.join(", ")}); choose another name`);
    }

    const cpu = s.cpu ?? COMMON_DEFAULTS.cpu;
    const memory = s.memory ?? COMMON_DEFAULTS.memory;
    if (!FARGATE_SIZES.has(cpu)) {
        add(at("cpu"), `${cpu} is not a Fargate CPU size; use one of ${[...FARGATE_SIZES.keys()].join(", ")}`);
    } else if (!isValidFargateSize(cpu, memory)) {
        add(at("memory"), `${memory} MiB is not a valid Fargate size with cpu ${cpu}; ${describeMemoryFor(cpu)}`);
    }

    const routes = s.routes ?? [];
    routes.forEach((r, j) => {
        const problem = patternProblem(r);
        if (problem) add(`${at("routes")}[${j}]`, `${problem} (F08)`);
    });

    const hc = s.healthCheck ?? {};
    const interval = hc.intervalSeconds ?? COMMON_DEFAULTS.healthCheck.intervalSeconds;
    const timeout = hc.timeoutSeconds ?? COMMON_DEFAULTS.healthCheck.timeoutSeconds;
    if (timeout >= interval) {
        add(at("healthCheck.timeoutSeconds"), `${timeout} s must be less than intervalSeconds (${interval} s); the ALB rejects a timeout that is not shorter than the interval`);
    }
    const grace = hc.gracePeriodSeconds ?? COMMON_DEFAULTS.healthCheck.gracePeriodSeconds;
    const container = resolveContainerHealthCheck(hc.command, hc.shell ?? false, grace, at, add);

    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(s.environment ?? {})) {
        const k = `${at("environment")}.${name}`;
        const text = String(value);
        if (!ENV_NAME.test(name)) add(k, "is not a valid environment variable name: use letters, digits and underscores, not starting with a digit");
        else if (INJECTED_ENV.includes(name)) add(k, "is set by berth itself; remove it from environment");
        else if (SECRET_NAME.test(name)) add(k, "looks like a secret; declare it under secrets as a Secrets Manager or SSM reference instead of a plain value (F14)");
        else if (SECRET_VALUE.test(text)) add(k, "holds secret material (an access key, private key or URL with a password); move it to Secrets Manager or SSM and reference it under secrets (F14)");
        environment[name] = text;
    }

    const secrets: SecretRef[] = [];
    for (const [name, ref] of Object.entries(s.secrets ?? {})) {
        const k = `${at("secrets")}.${name}`;
        if (!ENV_NAME.test(name)) {
            add(k, "is not a valid environment variable name: use letters, digits and underscores, not starting with a digit");
            continue;
        }
        if (INJECTED_ENV.includes(name)) {
            add(k, "is set by berth itself; remove it from secrets");
            continue;
        }
        if (name in environment) add(k, "is declared in both environment and secrets; keep it in secrets only");
        const parsed = parseSecretRef(name, ref);
        if (typeof parsed === "string") add(k, parsed);
        else secrets.push(parsed);
    }

    const websocket = s.websocket ?? false;
    const longRequests = s.longRequests ?? false;
    if (websocket && routes.length === 0) {
        add(at("websocket"), "needs routes: WebSocket clients reach the service through the ALB (F09)");
    }
    const slowAllowed = websocket || longRequests;
    const deregistrationDelaySeconds =
        s.deregistrationDelaySeconds ?? (slowAllowed ? COMMON_DEFAULTS.deregistrationDelaySeconds.long : COMMON_DEFAULTS.deregistrationDelaySeconds.fast);
    if (deregistrationDelaySeconds > 30 && !slowAllowed) {
        add(at("deregistrationDelaySeconds"), `${deregistrationDelaySeconds} s slows every rollout (F17); values above 30 s need longRequests: true or websocket: true`);
    }

    const desiredCount = s.desiredCount ?? profile.desiredCount;
    let autoscaling: ServiceSettings["autoscaling"];
    if (s.autoscaling) {
        const { min, max } = s.autoscaling;
        if (min > max) add(at("autoscaling.min"), `${min} is above autoscaling.max (${max})`);
        else if (desiredCount < min || desiredCount > max) add(at("desiredCount"), `${desiredCount} is outside autoscaling min-max (${min}-${max}); set it within that range`);
        autoscaling = { min, max, targetCpu: s.autoscaling.targetCpu ?? 60 };
    }

    const spot = s.spot ?? false;
    if (spot && !profile.allowSpot) {
        add(at("spot"), `Fargate Spot is not allowed in the ${raw.environment} profile (tasks may be interrupted with two minutes' notice); remove spot: true`);
    }

    const context = s.build.context;
    if (context.startsWith("/") || context.split(/[\\/]/).includes("..")) {
        add(at("build.context"), `"${context}" must be a path inside the project, relative to Pulumi.yaml (for example services/app)`);
    }

    return {
        name: s.name,
        build: { context, dockerfile: s.build.dockerfile ?? "Dockerfile", target: s.build.target, args: s.build.args ?? {} },
        port: s.port,
        cpu,
        memory,
        desiredCount,
        priority: s.priority,
        dependsOn: [...new Set(s.dependsOn ?? [])],
        waitsFor: [],
        routes,
        healthCheck: {
            path: hc.path ?? COMMON_DEFAULTS.healthCheck.path,
            gracePeriodSeconds: grace,
            intervalSeconds: interval,
            timeoutSeconds: timeout,
            healthyThreshold: hc.healthyThreshold ?? COMMON_DEFAULTS.healthCheck.healthyThreshold,
            unhealthyThreshold: hc.unhealthyThreshold ?? COMMON_DEFAULTS.healthCheck.unhealthyThreshold,
            matcher: hc.matcher ?? COMMON_DEFAULTS.healthCheck.matcher,
            container,
        },
        environment,
        secrets,
        database: s.database ?? false,
        bucket: s.bucket ?? "none",
        spot,
        autoscaling,
        websocket,
        longRequests,
        deregistrationDelaySeconds,
        // ECS sends SIGTERM after the target has drained; the container may then take as long as the
        // drain itself to finish, within Fargate's 120 s ceiling.
        stopTimeoutSeconds: Math.min(120, Math.max(10, deregistrationDelaySeconds)),
        readonlyRootFilesystem: s.readonlyRootFilesystem ?? COMMON_DEFAULTS.readonlyRootFilesystem,
        user: s.user,
        architecture: s.architecture ?? COMMON_DEFAULTS.architecture,
    };
}

/** F01: exec form by default; CMD-SHELL only for images that declare a shell. */
function resolveContainerHealthCheck(command: string[] | undefined, shell: boolean, grace: number, at: (k: string) => string, add: Add) {
    if (!command) return undefined;
    const key = at("healthCheck.command");
    if (command[0] === "CMD-SHELL" && !shell) {
        add(key, 'CMD-SHELL needs a shell, and this image declares none (F01): use exec form such as ["CMD", "node", "/app/dist/healthcheck.js"], or set healthCheck.shell: true if the image has /bin/sh');
        return undefined;
    }
    if (command[0] === "CMD-SHELL" && command.length !== 2) {
        add(key, 'CMD-SHELL takes exactly one string: ["CMD-SHELL", "curl -f http://localhost/health || exit 1"]');
        return undefined;
    }
    const full = command[0] === "CMD" || command[0] === "CMD-SHELL" ? command : ["CMD", ...command];
    if (full.length < 2) {
        add(key, 'names no program to run: give the executable and its arguments, e.g. ["CMD", "/app/healthcheck"]');
        return undefined;
    }
    return {
        command: full,
        intervalSeconds: COMMON_DEFAULTS.containerHealthCheck.intervalSeconds,
        timeoutSeconds: COMMON_DEFAULTS.containerHealthCheck.timeoutSeconds,
        retries: COMMON_DEFAULTS.containerHealthCheck.retries,
        startPeriodSeconds: Math.min(300, grace),
    };
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

function checkCatalogue(raw: RawService[], services: ServiceSettings[], add: Add): void {
    const byName = new Map<string, number>();
    const byPort = new Map<number, number>();
    const byRoute = new Map<string, string>();
    services.forEach((s, i) => {
        const first = byName.get(s.name);
        if (first !== undefined) add(`services[${i}].name`, `"${s.name}" is already used by berth:services[${first}]; service names must be unique`);
        else byName.set(s.name, i);

        const portOwner = byPort.get(s.port);
        if (portOwner !== undefined) {
            add(`services[${i}].port`, `${s.port} is already used by "${services[portOwner].name}" (berth:services[${portOwner}]); give each service its own port so security-group rules and local runs stay unambiguous (F15)`);
        } else byPort.set(s.port, i);

        s.routes.forEach((r, j) => {
            const owner = byRoute.get(r);
            if (owner !== undefined && owner !== s.name) add(`services[${i}].routes[${j}]`, `"${r}" is already routed to "${owner}"; a path pattern routes to one service (F08)`);
            else if (owner === s.name) add(`services[${i}].routes[${j}]`, `"${r}" is listed twice`);
            else byRoute.set(r, s.name);
        });
    });
    services.forEach((s, i) => {
        (raw[i].dependsOn ?? []).forEach((dep, j) => {
            const key = `services[${i}].dependsOn[${j}]`;
            if (dep === s.name) add(key, `"${s.name}" cannot depend on itself`);
            else if (!byName.has(dep)) add(key, `"${dep}" is not a service in berth:services${hintFrom(dep, [...byName.keys()])}`);
        });
    });
}

function hintFrom(name: string, known: string[]): string {
    const close = suggest(name, known);
    return close ? `; did you mean "${close}"?` : "";
}

function resolveMigration(raw: RawConfig, services: ServiceSettings[], add: Add): Settings["migration"] {
    if (raw.migrationImage !== undefined && !DIGEST.test(raw.migrationImage)) {
        add("migrationImage", `"${raw.migrationImage}" is not an image digest; the driver sets sha256:<64 hex> (F06)`);
    }
    if (!raw.migration) {
        if (raw.migrationImage !== undefined) add("migrationImage", "is set but berth:migration is not: there is no migration task to run it");
        return undefined;
    }
    const names = services.map((s) => s.name);
    const target = services.find((s) => s.name === raw.migration!.service);
    if (!target) {
        add("migration.service", `"${raw.migration.service}" is not a service in berth:services${hintFrom(raw.migration.service, names)}; name the service whose image runs the migrations`);
    } else if (!target.database) {
        add("migration.service", `"${target.name}" has no database access; set database: true on it (the migration task reuses its image and database credentials)`);
    }
    return {
        service: raw.migration.service,
        command: raw.migration.command,
        timeoutSeconds: raw.migration.timeoutSeconds ?? COMMON_DEFAULTS.migrationTimeoutSeconds,
        image: raw.migrationImage,
    };
}

function resolveImages(raw: RawConfig, services: ServiceSettings[], add: Add): Record<string, string> {
    const images: Record<string, string> = {};
    const names = services.map((s) => s.name);
    for (const [svc, digest] of Object.entries(raw.images ?? {})) {
        if (!names.includes(svc)) add(`images.${svc}`, `no service "${svc}" in berth:services${hintFrom(svc, names)}`);
        else if (!DIGEST.test(digest)) add(`images.${svc}`, `"${digest}" is not an image digest; berth runs images by digest (sha256:<64 hex>), never by tag such as latest (F06)`);
        else images[svc] = digest;
    }
    return images;
}
