// Every physical name berth gives an AWS resource comes from here (F04): lower-case, length-limited and
// valid per the owning service's rules, so no other module concatenates names and the driver never has to.
import { createHash } from "crypto";

/** Tag prefix the release driver adds to every image it releases; the ECR lifecycle policy keeps these. */
export const RELEASED_TAG_PREFIX = "rel-";

/**
 * Logical (Pulumi) names the release driver parses back out of engine-event URNs (automation/plan/events.ts):
 * a catalogue service's component is `svc-<service>`, its ECS service child `svc-<service>-service`, its task
 * definition `svc-<service>-task-definition`; the migration component is `migration`.
 */
export const LOGICAL_NAMES = {
    servicePrefix: "svc-",
    migration: "migration",
    ecsServiceSuffix: "-service",
    taskDefinitionSuffix: "-task-definition",
} as const;

export function serviceComponentName(service: string): string {
    return `${LOGICAL_NAMES.servicePrefix}${service}`;
}

/** awslogs stream prefix of the migration container: the driver reads `<prefix>/<container>/<task id>`. */
export const MIGRATION_LOG_STREAM_PREFIX = "migrate";

/** AWS naming rules berth relies on, with the service's limit. */
export const NAME_LIMITS = {
    albName: 32, // ELBv2: 1-32 alphanumerics or hyphens, no leading/trailing hyphen, not "internal-"
    targetGroupName: 32, // same character rules as the ALB
    rdsIdentifier: 63, // letter first, lower-case alphanumerics and hyphens, no "--", no trailing hyphen
    s3Bucket: 63, // 3-63 lower-case letters, digits, hyphens; letter or digit at both ends
    iamRoleName: 64,
    ecrRepository: 256,
    ecsName: 255, // cluster, service, task family: letters, digits, hyphens, underscores
    logGroupName: 512,
    securityGroupName: 255,
    postgresIdentifier: 63, // NAMEDATALEN - 1; longer identifiers are silently truncated by PostgreSQL
} as const;

/** Prefix of every service's database role: never `pg_` (reserved) or `rds` (RDS's own roles). */
export const DB_USER_PREFIX = "svc_";

/**
 * A service's own PostgreSQL role and IAM database user: `svc_` and the service name with hyphens as
 * underscores, so it needs no quoting; unique per service because service names are.
 */
export function databaseUser(service: string): string {
    const name = `${DB_USER_PREFIX}${slug(service).replace(/-/g, "_")}`;
    return name.length <= NAME_LIMITS.postgresIdentifier ? name : `${name.slice(0, NAME_LIMITS.postgresIdentifier - 7)}_${shortHash(name)}`;
}

/** Lower-cases and replaces anything outside [a-z0-9-] with a hyphen; collapses and trims hyphens. */
export function slug(value: string): string {
    return value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-+|-+$/g, "");
}

function shortHash(value: string, length = 6): string {
    return createHash("sha256").update(value).digest("hex").slice(0, length);
}

/**
 * Fits `name` into `max` characters. A name that is too long keeps its head and gains a hash of the whole,
 * so two long names that share a prefix never collide after truncation.
 */
export function fit(name: string, max: number): string {
    if (name.length <= max) return name;
    const hash = shortHash(name);
    const head = name.slice(0, max - hash.length - 1).replace(/-+$/, "");
    return `${head}-${hash}`;
}

/**
 * The longest `<project>-<stack>` prefix that survives `fit` in the tightest name the CI deploy role scopes by
 * prefix (S3 and RDS: 63 characters keep a 56-character head), so every such name starts with `<prefix>-`.
 * A longer prefix is itself shortened with a hash of the whole, which keeps it unique to the stack.
 */
export const MAX_PREFIX = NAME_LIMITS.s3Bucket - 8;
/** Longest project or stack name: ECR repositories and log groups hold both whole (`project/stack/service`). */
export const MAX_PART = 100;

/** Name prefixes AWS refuses; every name starts with `<project>-<stack>-`, so that prefix must avoid them. */
const RESERVED_PREFIXES = [
    { prefix: "internal-", by: "load balancer names" },
    { prefix: "sthree-", by: "S3 bucket names" },
    { prefix: "amzn-s3-demo-", by: "S3 bucket names" },
    { prefix: "sg-", by: "security group names" },
];

/** The physical names of one stack (project + stack), e.g. `berth-dev-orders`. */
export class Naming {
    readonly project: string;
    readonly stack: string;
    /** `<project>-<stack>` (hash-shortened past MAX_PREFIX): every name of this stack starts with it. */
    readonly prefix: string;

    constructor(project: string, stack: string) {
        this.project = slug(project);
        this.stack = slug(stack);
        if (!this.project || !this.stack) {
            throw new Error(`project "${project}" and stack "${stack}" must contain letters or digits`);
        }
        if (!/^[a-z]/.test(this.project)) {
            throw new Error(`project "${project}" must start with a letter (RDS and ALB names start with the project)`);
        }
        for (const [what, value] of [["project", this.project], ["stack", this.stack]] as const) {
            if (value.length > MAX_PART) throw new Error(`${what} name "${value}" is longer than ${MAX_PART} characters; berth's ECR and log-group paths hold it whole`);
        }
        this.prefix = fit(`${this.project}-${this.stack}`, MAX_PREFIX);
        const reserved = RESERVED_PREFIXES.find((r) => `${this.prefix}-`.startsWith(r.prefix));
        if (reserved) {
            throw new Error(`project "${project}" and stack "${stack}" give names starting "${reserved.prefix}", which AWS reserves (${reserved.by}); rename the project or the stack`);
        }
    }

    private join(...parts: string[]): string {
        return slug([this.prefix, ...parts].join("-"));
    }

    cluster(): string {
        return fit(this.join("cluster"), NAME_LIMITS.ecsName);
    }
    service(service: string): string {
        return fit(this.join(service), NAME_LIMITS.ecsName);
    }
    taskFamily(service: string): string {
        return fit(this.join(service), NAME_LIMITS.ecsName);
    }
    migrationFamily(): string {
        return fit(this.join("migrate"), NAME_LIMITS.ecsName);
    }
    containerName(service: string): string {
        return slug(service);
    }
    repository(service: string): string {
        return fit(`${this.project}/${this.stack}/${slug(service)}`, NAME_LIMITS.ecrRepository);
    }
    logGroup(service: string): string {
        return fit(`/${this.project}/${this.stack}/${slug(service)}`, NAME_LIMITS.logGroupName);
    }
    migrationLogGroup(): string {
        return this.logGroup("migrate");
    }
    flowLogGroup(): string {
        return fit(`/${this.project}/${this.stack}/vpc-flow-logs`, NAME_LIMITS.logGroupName);
    }
    role(purpose: string): string {
        return fit(this.join(purpose), NAME_LIMITS.iamRoleName);
    }
    securityGroup(purpose: string): string {
        return fit(this.join(purpose), NAME_LIMITS.securityGroupName);
    }
    loadBalancer(): string {
        return fit(this.join("alb"), NAME_LIMITS.albName);
    }
    targetGroup(service: string): string {
        return fit(this.join(service), NAME_LIMITS.targetGroupName);
    }
    /** The second target group of a blue/green, canary or linear service; config refuses a service named `<service>-alt`. */
    alternateTargetGroup(service: string): string {
        return fit(this.join(service, "alt"), NAME_LIMITS.targetGroupName);
    }
    /**
     * The value of the test header that reaches green through the test listener rule. Not a secret (it is in the
     * stack outputs and the ALB's configuration), but not `1` either: a stray request from the internet does not
     * land on an untested revision. Stable for the stack, so the rule never changes between updates.
     */
    testTrafficValue(accountId: string): string {
        return shortHash(`berth-test-traffic/${this.prefix}/${accountId}`, 16);
    }
    dbIdentifier(): string {
        return fit(this.join("db"), NAME_LIMITS.rdsIdentifier);
    }
    dbSubnetGroup(): string {
        return fit(this.join("db"), NAME_LIMITS.ecsName);
    }
    dbParameterGroup(family: string): string {
        return fit(this.join("db", family), NAME_LIMITS.ecsName);
    }
    /** The service's PostgreSQL role, which is also the user its IAM token is for. */
    dbUser(service: string): string {
        return databaseUser(service);
    }
    finalSnapshot(): string {
        return fit(this.join("db-final"), NAME_LIMITS.rdsIdentifier);
    }
    /** S3 names are global: the account and region make them unique to this stack. */
    bucket(purpose: string, accountId: string, region: string): string {
        return fit(this.join(purpose, accountId, region), NAME_LIMITS.s3Bucket);
    }
    /** Cloud Map private DNS namespace: services resolve as `<service>.<stack>.internal` (F10). */
    namespace(): string {
        // A DNS label holds at most 63 characters; Pulumi stack names may be longer.
        return `${fit(this.stack, 63)}.internal`;
    }
    discoveryHost(service: string): string {
        return `${slug(service)}.${this.namespace()}`;
    }
    /** SSM parameter holding the released image set; written by the driver after a verified release. */
    releasedImagesParameter(): string {
        return `${this.releaseParameterPath()}/released-images`;
    }
    /** The SSM path the program lists (non-recursively) to find the released image set. */
    releaseParameterPath(): string {
        return `/${this.project}/${this.stack}`;
    }
    alarm(subject: string, metric: string): string {
        return fit(this.join(subject, metric), 255);
    }
    topic(): string {
        return fit(this.join("alarms"), 256);
    }
}

/** Validity checks per AWS service, used by tests and the policy module ("name validity"). */
export const NAME_RULES: Record<string, (name: string) => boolean> = {
    albName: (n) => /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(n) && !n.startsWith("internal-"),
    targetGroupName: (n) => /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(n),
    rdsIdentifier: (n) => /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(n) && !n.includes("--"),
    s3Bucket: (n) => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(n) && !n.includes(".."),
    iamRoleName: (n) => /^[\w+=,.@-]{1,64}$/.test(n),
    ecrRepository: (n) => /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(n) && n.length >= 2 && n.length <= 256,
    ecsName: (n) => /^[a-zA-Z0-9_-]{1,255}$/.test(n) && n === n.toLowerCase(),
    logGroupName: (n) => /^[.\-_/#A-Za-z0-9]{1,512}$/.test(n),
    securityGroupName: (n) => n.length <= 255 && !n.startsWith("sg-") && n === n.toLowerCase(),
    postgresIdentifier: (n) => /^[a-z_][a-z0-9_]{0,62}$/.test(n) && !n.startsWith("pg_"),
    dnsLabel: (n) => /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(n),
};
