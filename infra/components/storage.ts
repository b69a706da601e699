// S3: the uploads bucket services may use, and (where the profile asks) the ALB access-log bucket. Both
// private, encrypted, TLS-only and owner-enforced; versioned where the profile says so.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Settings } from "../config/settings";
import type { Naming } from "../naming";

export interface StorageArgs {
    naming: Naming;
    accountId: string;
    region: string;
    storage: Settings["storage"];
    accessLogs: boolean;
    /** The regional ELB log-delivery account (aws.elb.getServiceAccount). */
    elbServiceAccountArn?: string;
    protect: boolean;
}

/** Denies every request that does not use TLS (S3.5). */
export function tlsOnlyStatement(bucketArn: pulumi.Input<string>) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export class Storage extends pulumi.ComponentResource {
    readonly uploadsBucketName: pulumi.Output<string>;
    readonly uploadsBucketArn: pulumi.Output<string>;
    readonly accessLogsBucketName?: pulumi.Output<string>;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:storage:Storage", name, {}, opts);
        const uploads = this.createBucket(`${name}-uploads`, args.naming.bucket("uploads", args.accountId, args.region), args, args.storage.versioning, (arn) => [tlsOnlyStatement(arn)]);
        this.uploadsBucketName = uploads.bucket;
        this.uploadsBucketArn = uploads.arn;

        if (args.accessLogs) {
            const logs = this.createBucket(`${name}-access-logs`, args.naming.bucket("access-logs", args.accountId, args.region), args, false, (arn) => [
                tlsOnlyStatement(arn),
                {
                    Sid: "AllowAlbLogDelivery",
                    Effect: "Allow",
                    Principal: args.elbServiceAccountArn ? { AWS: args.elbServiceAccountArn } : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: pulumi.interpolate`${arn}/AWSLogs/${args.accountId}/*`,
                },
            ]);
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-access-logs-expiry`,
                { bucket: logs.bucket, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.storage.accessLogExpiryDays } }] },
                { parent: this },
            );
            this.accessLogsBucketName = logs.bucket;
        }
        this.registerOutputs({ uploadsBucketName: this.uploadsBucketName });
    }

    private createBucket(name: string, bucketName: string, args: StorageArgs, versioning: boolean, statements: (arn: pulumi.Output<string>) => object[]): aws.s3.Bucket {
        const bucket = new aws.s3.Bucket(name, { bucket: bucketName, forceDestroy: args.storage.forceDestroy }, { parent: this, protect: args.protect });
        const block = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            // SSE-S3: the only server-side encryption ALB access logs accept.
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
            { parent: this },
        );
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            { bucket: bucket.bucket, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements(bucket.arn) }) },
            // A bucket policy put before the public access block may be refused as public; order them.
            { parent: this, dependsOn: [block] },
        );
        if (versioning) {
            new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        }
        return bucket;
    }
}
