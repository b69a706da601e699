// Log retention: every CloudWatch log group expires its events, so logs neither vanish nor pile up forever.
import { defineRule, num, ofType, str, T } from "./graph";
import type { Rule } from "./types";

const retention = defineRule(
    { id: "BERTH.LOG-RETENTION", title: "Every CloudWatch log group sets a retention period", severity: "low" },
    (resources, flag) => {
        for (const group of ofType(resources, T.logGroup)) {
            const days = num(group.inputs.retentionInDays);
            // 0 (or absent) means "never expire".
            if (days === undefined || days <= 0) flag(group, `log group "${str(group.inputs.name) ?? group.name}" never expires its events (retentionInDays unset)`);
        }
    },
);

export const LOG_RULES: Rule[] = [retention];
