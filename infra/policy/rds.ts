// RDS rules: the database is private, encrypted, logged, kept up to date, TLS-only, has an RDS-managed
// master password that only the migration reads (F03), and in production survives an AZ failure and an accidental delete (F16).
import { containerLabel, containers, defineRule, isObj, list, obj, ofType, physicalName, str, strings, T } from "./graph";
import { MIGRATION_PURPOSE, type SynthResource } from "../resources";
import type { Rule } from "./types";

function dbLabel(db: SynthResource): string {
    return `DB instance "${physicalName(db, "identifier") ?? db.name}"`;
}

function isReplica(db: SynthResource): boolean {
    return typeof db.inputs.replicateSourceDb === "string" && db.inputs.replicateSourceDb !== "";
}

function isPostgres(db: SynthResource): boolean {
    return db.inputs.engine === "postgres";
}

function majorVersion(db: SynthResource): number | undefined {
    const match = /^(\d+)/.exec(str(db.inputs.engineVersion) ?? "");
    return match ? Number(match[1]) : undefined;
}

const notPublic = defineRule(
    { id: "RDS.2", title: "RDS instances are not publicly accessible", severity: "critical" },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            if (db.inputs.publiclyAccessible === true) flag(db, `${dbLabel(db)} is publicly accessible`);
        }
    },
);

const encrypted = defineRule(
    { id: "RDS.3", title: "RDS instances encrypt storage at rest", severity: "medium" },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            // A read replica inherits encryption from its source.
            if (!isReplica(db) && db.inputs.storageEncrypted !== true) flag(db, `${dbLabel(db)} does not set storageEncrypted`);
        }
    },
);

const multiAz = defineRule(
    { id: "RDS.5", title: "Production RDS instances are Multi-AZ", severity: "medium", profiles: ["prod"] },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            if (db.inputs.multiAz !== true) flag(db, `${dbLabel(db)} is single-AZ: an AZ failure takes production down`);
        }
    },
);

const deletionProtection = defineRule(
    // AWS rates RDS.8 low; in berth's prod it guards the one stateful resource (F16), hence high.
    { id: "RDS.8", title: "Production RDS instances have deletion protection (F16)", severity: "high", profiles: ["prod"] },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            if (db.inputs.deletionProtection !== true) flag(db, `${dbLabel(db)} does not set deletionProtection`);
        }
    },
);

/** Log types RDS.9 expects per engine; other engines need at least one export. */
const REQUIRED_LOG_EXPORTS: Record<string, string[]> = {
    postgres: ["postgresql"],
    mysql: ["error", "slowquery"],
    mariadb: ["error", "slowquery"],
};

const logsExported = defineRule(
    { id: "RDS.9", title: "RDS instances publish database logs to CloudWatch Logs", severity: "medium" },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            const exported = strings(db.inputs.enabledCloudwatchLogsExports);
            const required = REQUIRED_LOG_EXPORTS[str(db.inputs.engine) ?? ""];
            const missing = required ? required.filter((t) => !exported.includes(t)) : exported.length === 0 ? ["any log type"] : [];
            if (missing.length > 0) flag(db, `${dbLabel(db)} does not export ${missing.join(", ")} to CloudWatch Logs (enabledCloudwatchLogsExports)`);
        }
    },
);

const minorUpgrades = defineRule(
    { id: "RDS.13", title: "RDS instances take automatic minor version upgrades", severity: "high" },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            // The AWS default is true: only an explicit false turns it off.
            if (db.inputs.autoMinorVersionUpgrade === false) flag(db, `${dbLabel(db)} sets autoMinorVersionUpgrade: false`);
        }
    },
);

const managedPassword = defineRule(
    { id: "BERTH.RDS-PASSWORD", title: "The RDS master password is generated and kept by RDS in Secrets Manager (F03)", severity: "critical" },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            for (const key of ["password", "passwordWo"]) {
                if (db.inputs[key] !== undefined && db.inputs[key] !== null) {
                    flag(db, `${dbLabel(db)} passes a master password in "${key}": it lands in state and config; set manageMasterUserPassword instead`);
                }
            }
            // A read replica has no master password of its own.
            if (!isReplica(db) && db.inputs.manageMasterUserPassword !== true) {
                flag(db, `${dbLabel(db)} does not set manageMasterUserPassword: true`);
            }
        }
    },
);

const forceSsl = defineRule(
    { id: "BERTH.RDS-FORCE-SSL", title: "PostgreSQL instances refuse unencrypted connections (rds.force_ssl = 1)", severity: "high" },
    (resources, flag) => {
        const groups = new Map(ofType(resources, T.dbParameterGroup).map((g) => [physicalName(g, "name"), g]));
        for (const db of ofType(resources, T.dbInstance).filter(isPostgres)) {
            const major = majorVersion(db);
            // RDS for PostgreSQL 15 and later default rds.force_ssl to 1; earlier versions default to 0.
            const engineDefault = major !== undefined && major >= 15 ? "1" : "0";
            const groupName = str(db.inputs.parameterGroupName);
            const group = groupName === undefined ? undefined : groups.get(groupName);
            if (groupName !== undefined && group === undefined && !groupName.startsWith("default.")) {
                flag(db, `${dbLabel(db)} uses parameter group "${groupName}", which this stack does not manage: rds.force_ssl cannot be verified`);
                continue;
            }
            const param = group ? list(group.inputs.parameters).filter(isObj).find((p) => p.name === "rds.force_ssl") : undefined;
            const effective = param ? String(param.value) : engineDefault;
            if (effective !== "1") {
                const source = param ? `parameter group "${groupName}" sets rds.force_ssl = ${effective}` : `the engine default for version ${str(db.inputs.engineVersion) ?? "(unset)"} is rds.force_ssl = 0`;
                flag(db, `${dbLabel(db)} accepts unencrypted connections: ${source}`);
            }
        }
    },
);

/** RDS names the secrets it manages `rds!db-…` (instances) or `rds!cluster-…`; the stack's own come from state. */
const RDS_MANAGED_SECRET = /:secret:rds!/;

function masterSecretArns(resources: readonly SynthResource[]): string[] {
    return ofType(resources, T.dbInstance).flatMap((db) => list(db.state.masterUserSecrets).flatMap((m) => strings(obj(m).secretArn)));
}

const masterSecretOnlyInMigration = defineRule(
    { id: "BERTH.DB-MASTER-SECRET", title: "Only the migration task definition references the database master secret", severity: "high" },
    (resources, flag) => {
        const masters = masterSecretArns(resources);
        const isMaster = (valueFrom: string) => RDS_MANAGED_SECRET.test(valueFrom) || masters.some((arn) => valueFrom.startsWith(arn));
        for (const td of ofType(resources, T.taskDefinition)) {
            if (obj(td.inputs.tags)["berth:purpose"] === MIGRATION_PURPOSE) continue;
            containers(td).forEach((c, i) => {
                for (const ref of list(c.secrets).filter(isObj)) {
                    const valueFrom = str(ref.valueFrom) ?? "";
                    if (isMaster(valueFrom)) {
                        flag(td, `task definition "${physicalName(td, "family") ?? td.name}" ${containerLabel(c, i)} reads the database master secret into ${str(ref.name) ?? "(unnamed)"}; a service connects as its own role with IAM authentication, and only the migration uses the master credentials`);
                    }
                }
            });
        }
    },
);

export const RDS_RULES: Rule[] = [notPublic, encrypted, multiAz, deletionProtection, logsExported, minorUpgrades, managedPassword, forceSsl, masterSecretOnlyInMigration];
