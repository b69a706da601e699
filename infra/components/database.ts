// RDS PostgreSQL in the isolated subnets: private, encrypted, SSL forced, master password generated and
// kept by RDS in Secrets Manager (F03), IAM authentication for the services' own roles; deletion protection and a final snapshot where the profile says.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Settings } from "../config/settings";
import type { Naming } from "../naming";

export interface DatabaseArgs {
    naming: Naming;
    database: Settings["database"];
    subnetIds: pulumi.Input<string[]>;
    securityGroupId: pulumi.Input<string>;
    protect: boolean;
}

export class Database extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;
    readonly port: number;
    readonly dbName: string;
    readonly identifier: string;
    /** ARN of the RDS-managed secret holding `username` and `password` (never the values); the migration's only. */
    readonly secretArn: pulumi.Output<string>;
    /** The instance's DbiResourceId (`db-…`): IAM database authentication scopes `rds-db:connect` by it. */
    readonly resourceId: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:database:Database", name, {}, opts);
        const subnetGroup = this.createSubnetGroup(name, args);
        const parameters = this.createParameterGroup(name, args);
        const instance = this.createInstance(name, args, subnetGroup, parameters);
        this.identifier = args.naming.dbIdentifier();
        this.address = instance.address;
        this.resourceId = instance.resourceId;
        this.port = args.database.port;
        this.dbName = args.database.dbName;
        this.secretArn = instance.masterUserSecrets.apply((secrets) => {
            const arn = secrets?.[0]?.secretArn;
            if (!arn) throw new Error("RDS returned no managed master user secret; manageMasterUserPassword must be true");
            return arn;
        });
        this.registerOutputs({ address: this.address, secretArn: this.secretArn });
    }

    private createSubnetGroup(name: string, args: DatabaseArgs): aws.rds.SubnetGroup {
        return new aws.rds.SubnetGroup(`${name}-subnets`, { name: args.naming.dbSubnetGroup(), subnetIds: args.subnetIds, description: "isolated database subnets" }, { parent: this });
    }

    /** Connections without TLS are refused. */
    private createParameterGroup(name: string, args: DatabaseArgs): aws.rds.ParameterGroup {
        const family = args.database.family;
        return new aws.rds.ParameterGroup(
            `${name}-parameters`,
            { name: args.naming.dbParameterGroup(family), family, description: "berth: SSL required", parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }] },
            { parent: this },
        );
    }

    /** Encrypted, private, RDS-managed password (F03); protected with a final snapshot where the profile says (F16). */
    private createInstance(name: string, args: DatabaseArgs, subnetGroup: aws.rds.SubnetGroup, parameters: aws.rds.ParameterGroup): aws.rds.Instance {
        const { database: db, naming } = args;
        return new aws.rds.Instance(
            `${name}-instance`,
            {
                identifier: naming.dbIdentifier(),
                engine: "postgres",
                engineVersion: db.engineVersion,
                instanceClass: db.instanceClass,
                allocatedStorage: db.allocatedStorage,
                maxAllocatedStorage: db.maxAllocatedStorage,
                storageType: "gp3",
                storageEncrypted: true,
                dbName: db.dbName,
                username: db.username,
                manageMasterUserPassword: true,
                // Services sign in as their own role with a 15-minute IAM token, so rotating the master secret
                // never strands a running task.
                iamDatabaseAuthenticationEnabled: true,
                port: db.port,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [args.securityGroupId],
                parameterGroupName: parameters.name,
                publiclyAccessible: false,
                multiAz: db.multiAz,
                backupRetentionPeriod: db.backupRetentionDays,
                deletionProtection: db.deletionProtection,
                skipFinalSnapshot: !db.finalSnapshot,
                finalSnapshotIdentifier: db.finalSnapshot ? naming.finalSnapshot() : undefined,
                copyTagsToSnapshot: true,
                autoMinorVersionUpgrade: true,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                performanceInsightsEnabled: db.performanceInsights,
                applyImmediately: db.applyImmediately,
            },
            { parent: this, protect: args.protect },
        );
    }
}
