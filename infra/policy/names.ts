// Name validity: every physical name in the graph satisfies its AWS service's rules (F04), checked with
// the same NAME_RULES the naming module is tested against.
import { NAME_RULES } from "../naming";
import { defineRule, ofType, str, T } from "./graph";
import type { Rule } from "./types";

/** Which input carries each resource type's physical name, and which NAME_RULES entry governs it. */
export const NAMED_INPUTS: { type: string; input: string; rule: string }[] = [
    { type: T.loadBalancer, input: "name", rule: "albName" },
    { type: T.targetGroup, input: "name", rule: "targetGroupName" },
    { type: T.dbInstance, input: "identifier", rule: "rdsIdentifier" },
    { type: T.bucket, input: "bucket", rule: "s3Bucket" },
    { type: T.role, input: "name", rule: "iamRoleName" },
    { type: T.repository, input: "name", rule: "ecrRepository" },
    { type: T.cluster, input: "name", rule: "ecsName" },
    { type: T.ecsService, input: "name", rule: "ecsName" },
    { type: T.taskDefinition, input: "family", rule: "ecsName" },
    { type: T.logGroup, input: "name", rule: "logGroupName" },
    { type: T.securityGroup, input: "name", rule: "securityGroupName" },
];

const validNames = defineRule(
    { id: "BERTH.NAMES", title: "Physical names are valid for their AWS service (F04)", severity: "medium" },
    (resources, flag) => {
        for (const { type, input, rule } of NAMED_INPUTS) {
            const valid = NAME_RULES[rule];
            for (const r of ofType(resources, type)) {
                // An absent name lets Pulumi auto-name the resource from its (valid) logical name.
                const name = str(r.inputs[input]);
                if (name !== undefined && !valid(name)) flag(r, `${input} "${name}" is not a valid ${rule} (see NAME_RULES in infra/naming.ts)`);
            }
        }
    },
);

export const NAMING_RULES: Rule[] = [validNames];
