// S3 rules: every bucket blocks public access (all four switches) and refuses requests without TLS.
import { defineRule, globMatch, isObj, obj, ofType, physicalName, statements, str, strings, T } from "./graph";
import type { SynthResource } from "../resources";
import type { Rule } from "./types";

const BLOCK_SWITCHES = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

function missingSwitches(block: SynthResource): string[] {
    return BLOCK_SWITCHES.filter((s) => block.inputs[s] !== true);
}

const blockPublicAccess = defineRule(
    { id: "S3.8", title: "S3 buckets block public access with all four settings (S3.1/S3.8)", severity: "high" },
    (resources, flag) => {
        // An account-wide block with all four switches (S3.1) covers every bucket.
        if (ofType(resources, T.accountPublicAccessBlock).some((b) => missingSwitches(b).length === 0)) return;
        const blocks = ofType(resources, T.bucketPublicAccessBlock);
        for (const bucket of ofType(resources, T.bucket)) {
            const name = physicalName(bucket, "bucket");
            if (name === undefined) {
                flag(bucket, `bucket "${bucket.name}" has no explicit name, so no public access block can be matched to it`);
                continue;
            }
            const mine = blocks.filter((b) => b.inputs.bucket === name);
            if (mine.length === 0) {
                flag(bucket, `bucket "${name}" has no BucketPublicAccessBlock`);
            } else if (!mine.some((b) => missingSwitches(b).length === 0)) {
                flag(mine[0], `the public access block of bucket "${name}" leaves ${missingSwitches(mine[0]).join(", ")} off`);
            }
        }
    },
);

function coversAll(patterns: string[], arns: string[]): boolean {
    // Compare in the aws partition: the policy may be written for aws-cn or aws-us-gov.
    const normalised = patterns.map((p) => p.replace(/^arn:aws[a-z-]*:/, "arn:aws:"));
    return arns.every((arn) => normalised.some((p) => globMatch(p, arn)));
}

/** A Deny of every S3 action on the bucket and its objects when aws:SecureTransport is false. */
function deniesInsecureTransport(statement: ReturnType<typeof statements>[number], bucket: string): boolean {
    if (statement.Effect !== "Deny") return false;
    const actions = strings(statement.Action).map((a) => a.toLowerCase());
    if (!actions.includes("s3:*") && !actions.includes("*")) return false;
    const principal = statement.Principal;
    const everyone = principal === "*" || (isObj(principal) && strings(principal.AWS).includes("*"));
    if (!everyone) return false;
    const secure = obj(obj(statement.Condition).Bool)["aws:SecureTransport"];
    if (!(secure === false || secure === "false" || (Array.isArray(secure) && secure.length > 0 && secure.every((v) => v === false || v === "false")))) return false;
    return coversAll(strings(statement.Resource), [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
}

const tlsOnly = defineRule(
    { id: "S3.5", title: "S3 bucket policies deny requests that do not use TLS", severity: "medium" },
    (resources, flag) => {
        const policies = ofType(resources, T.bucketPolicy);
        for (const bucket of ofType(resources, T.bucket)) {
            const name = physicalName(bucket, "bucket");
            if (name === undefined) {
                flag(bucket, `bucket "${bucket.name}" has no explicit name, so no bucket policy can be matched to it`);
                continue;
            }
            const mine = policies.filter((p) => str(p.inputs.bucket) === name);
            if (!mine.some((p) => statements(p.inputs.policy).some((s) => deniesInsecureTransport(s, name)))) {
                flag(bucket, `bucket "${name}" has no policy statement denying s3:* on the bucket and its objects when aws:SecureTransport is false`);
            }
        }
    },
);

export const STORAGE_RULES: Rule[] = [blockPublicAccess, tlsOnly];
