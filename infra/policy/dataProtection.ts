// Data protection in production (F16): resources that hold data carry Pulumi's `protect`, so a stray
// `pulumi destroy` or a replacement cannot delete them.
import { defineRule, ofType, physicalName, T } from "./graph";
import type { Rule } from "./types";

const protectData = defineRule(
    { id: "BERTH.DATA-PROTECT", title: "Production RDS instances and S3 buckets are protected from deletion by Pulumi (F16)", severity: "high", profiles: ["prod"] },
    (resources, flag) => {
        for (const db of ofType(resources, T.dbInstance)) {
            if (!db.protect) flag(db, `DB instance "${physicalName(db, "identifier") ?? db.name}" lacks the protect resource option`);
        }
        for (const bucket of ofType(resources, T.bucket)) {
            if (!bucket.protect) flag(bucket, `bucket "${physicalName(bucket, "bucket") ?? bucket.name}" lacks the protect resource option`);
        }
    },
);

export const DATA_PROTECTION_RULES: Rule[] = [protectData];
