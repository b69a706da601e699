// The stack-wide sections of the configuration: network, database, load balancer, logs, registry, CI,
// migration and pinned images — each a profile default unless the stack file says otherwise.
import { COMMON_DEFAULTS, type Profile } from "./profiles";
import { LOG_RETENTION_DAYS } from "./schema";
import type { ListenerRulePlan } from "./routes";
import { MAX_AZS, VPC_MASK_RANGE, isAligned, isPrivateRange, parseCidr, planSubnets } from "./cidr";
import type { RawConfig } from "./schema";
import type { Add } from "./errors";
import { hintFrom } from "./suggest";
import type { ServiceSettings, Settings } from "./settings";
import { IMAGE_DIGEST as DIGEST } from "../contracts/releasedSet";


export function resolveNetwork(raw: RawConfig, profile: Profile, add: Add): Settings["network"] {
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

export function resolveDatabase(raw: RawConfig, profile: Profile, add: Add): Settings["database"] {
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

export function resolveMigration(raw: RawConfig, services: ServiceSettings[], add: Add): Settings["migration"] {
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

export function resolveImages(raw: RawConfig, services: ServiceSettings[], add: Add): Record<string, string> {
    const images: Record<string, string> = {};
    const names = services.map((s) => s.name);
    for (const [svc, digest] of Object.entries(raw.images ?? {})) {
        if (!names.includes(svc)) add(`images.${svc}`, `no service "${svc}" in berth:services${hintFrom(svc, names)}`);
        else if (!DIGEST.test(digest)) add(`images.${svc}`, `"${digest}" is not an image digest; berth runs images by digest (sha256:<64 hex>), never by tag such as latest (F06)`);
        else images[svc] = digest;
    }
    return images;
}

export function resolveLoadBalancer(raw: RawConfig, profile: Profile, services: ServiceSettings[], rules: ListenerRulePlan[]): Settings["loadBalancer"] {
    const lb = raw.loadBalancer;
    const idle = services.some((s) => s.websocket) ? COMMON_DEFAULTS.idleTimeoutSeconds.websocket : COMMON_DEFAULTS.idleTimeoutSeconds.default;
    return {
        certificateArn: lb?.certificateArn,
        domainName: lb?.domainName,
        accessLogs: lb?.accessLogs ?? profile.loadBalancer.accessLogs,
        deletionProtection: lb?.deletionProtection ?? profile.loadBalancer.deletionProtection,
        idleTimeoutSeconds: lb?.idleTimeoutSeconds ?? idle,
        rules,
    };
}

export function resolveLogs(raw: RawConfig, profile: Profile, add: Add): Settings["logs"] {
    const retentionDays = raw.logs?.retentionDays ?? profile.logs.retentionDays;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retentionDays)) {
        add("logs.retentionDays", `${retentionDays} is not a CloudWatch Logs retention period; use one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return { retentionDays };
}

export function resolveAlarms(raw: RawConfig, database: Settings["database"], add: Add): Settings["alarms"] {
    const thresholds = { ...COMMON_DEFAULTS.alarmThresholds, ...definedOnly(raw.alarms?.thresholds ?? {}) };
    // A floor at or above the smallest the disk can be (autoscaling only grows it) keeps the alarm firing from day one.
    if (thresholds.databaseFreeStorageGiB >= database.allocatedStorage) {
        add(
            "alarms.thresholds.databaseFreeStorageGiB",
            `${thresholds.databaseFreeStorageGiB} GiB is not below the database's allocated storage (${database.allocatedStorage} GiB): the alarm would always fire; choose a smaller floor`,
        );
    }
    return { email: raw.alarms?.email, topicArn: raw.alarms?.topicArn, thresholds };
}

function definedOnly<T extends object>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveRegistry(raw: RawConfig, profile: Profile): Settings["registry"] {
    return {
        keepImages: raw.registry?.keepImages ?? profile.registry.keepImages,
        untaggedExpiryDays: raw.registry?.untaggedExpiryDays ?? profile.registry.untaggedExpiryDays,
        forceDelete: profile.registry.forceDelete,
    };
}

export function resolveCi(raw: RawConfig): Settings["ci"] {
    return raw.ci
        ? { githubRepository: raw.ci.githubRepository, branches: raw.ci.branches ?? ["main"], createOidcProvider: raw.ci.createOidcProvider ?? true, environments: raw.ci.environments ?? [], promoteFrom: raw.ci.promoteFrom ?? [] }
        : undefined;
}
