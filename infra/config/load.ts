// Loads berth's stack configuration once, up front: structure through the schema, then every cross-field
// rule, collecting all problems into one numbered list. Nothing reaches AWS unless this passes.
import { configSchema, CONFIG_KEYS, type RawConfig } from "./schema";
import { COMMON_DEFAULTS, PROFILES } from "./profiles";
import { ConfigError, NAMESPACE, type ConfigProblem } from "./errors";
import { suggestKey } from "./suggest";
import { describeIssue } from "./issues";
import { resolveService } from "./service";
import { resolveAlarms, resolveCi, resolveDatabase, resolveImages, resolveLoadBalancer, resolveLogs, resolveMigration, resolveNetwork, resolveRegistry } from "./sections";
import { checkAlternateNames, checkCatalogue, checkRuleQuota, resolveListenerRules, resolveRollout } from "./catalogue";
import { checkHookHolds } from "./rolloutHold";
import type { Settings } from "./settings";
import { resolveCostAssumptions } from "./costAssumptions";
import { checkMasterUsername } from "./databaseAccess";

export { ConfigError, NAMESPACE, formatProblems, type ConfigProblem } from "./errors";

/** Raw stack configuration: full keys (`berth:services`) to parsed values, plus which keys are secret. */
export interface ConfigInput {
    project: string;
    stack: string;
    values: Record<string, unknown>;
    secretKeys?: readonly string[];
}

/** Loads and validates; throws ConfigError listing every problem. */
export function loadSettings(input: ConfigInput): Settings {
    const problems: ConfigProblem[] = [];
    const raw = collectRaw(input, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)));
    const settings = resolveSettings(input, parsed.data, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}

function collectRaw(input: ConfigInput, problems: ConfigProblem[]): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    const known = new Set<string>(CONFIG_KEYS);
    for (const [fullKey, value] of Object.entries(input.values)) {
        const [ns, key] = splitKey(fullKey);
        if (ns === input.project && ns !== NAMESPACE) {
            // Pulumi files un-namespaced keys (`pulumi config set services`, Pulumi.yaml config) under the project.
            problems.push({ key: fullKey, message: `berth reads its settings from ${NAMESPACE}: keys whatever the project is called; rename it to ${NAMESPACE}:${key}` });
            continue;
        }
        if (ns !== NAMESPACE) continue;
        if (!known.has(key)) {
            const hint = suggestKey(key, CONFIG_KEYS);
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

function resolveSettings(input: ConfigInput, raw: RawConfig, problems: ConfigProblem[]): Settings {
    const profile = PROFILES[raw.environment];
    const add = (key: string, message: string) => problems.push({ key: `${NAMESPACE}:${key}`, message });

    const network = resolveNetwork(raw, profile, add);
    const database = resolveDatabase(raw, profile, add);
    const logs = resolveLogs(raw, profile, add);
    const services = raw.services.map((s, i) => resolveService(s, i, raw, profile, add));
    checkCatalogue(raw.services, services, add);
    checkMasterUsername(database.username, services.flatMap((s) => (s.database ? [{ service: s.name, user: s.database.user }] : [])), add);
    const rollout = resolveRollout(services, add);
    const listenerRules = resolveListenerRules(services, add);
    checkAlternateNames(services, add);
    if (rollout.levels.length > 0) checkHookHolds(services, add);
    const migration = resolveMigration(raw, services, add);
    const images = resolveImages(raw, services, add);
    checkRuleQuota({ services, loadBalancer: { certificateArn: raw.loadBalancer?.certificateArn }, database, migration }, add);

    return {
        project: input.project,
        stack: input.stack,
        environment: raw.environment,
        network,
        database,
        loadBalancer: resolveLoadBalancer(raw, profile, services, listenerRules),
        alarms: resolveAlarms(raw, database, add),
        logs,
        registry: resolveRegistry(raw, profile),
        storage: { versioning: raw.storage?.versioning ?? profile.storage.versioning, forceDestroy: profile.storage.forceDestroy, accessLogExpiryDays: COMMON_DEFAULTS.accessLogExpiryDays },
        protectData: profile.protectData,
        services,
        migration,
        images,
        ci: resolveCi(raw),
        rolloutLevels: rollout.levels,
        costAssumptions: resolveCostAssumptions(raw.costAssumptions),
        declarationOrder: rollout.declarationOrder,
    };
}
