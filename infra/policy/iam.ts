// IAM rules: no policy grants full administrative access, and no policy grants a whole service on every
// resource.
import { defineRule, isObj, list, ofType, str, statements, strings, T } from "./graph";
import type { SynthResource } from "../resources";
import type { Statement } from "./graph";
import type { Rule } from "./types";

/** Every identity policy document in the graph with the resource that carries it. */
function policyDocuments(resources: readonly SynthResource[]): { resource: SynthResource; label: string; document: unknown }[] {
    const docs: { resource: SynthResource; label: string; document: unknown }[] = [];
    for (const r of ofType(resources, T.policy, T.rolePolicy, T.userPolicy, T.groupPolicy)) {
        docs.push({ resource: r, label: `policy "${str(r.inputs.name) ?? r.name}"`, document: r.inputs.policy });
    }
    for (const role of ofType(resources, T.role)) {
        for (const inline of list(role.inputs.inlinePolicies).filter(isObj)) {
            docs.push({ resource: role, label: `inline policy "${str(inline.name) ?? "(unnamed)"}" of role "${str(role.inputs.name) ?? role.name}"`, document: inline.policy });
        }
    }
    return docs;
}

function allows(statement: Statement): boolean {
    return statement.Effect === "Allow";
}

function onEveryResource(statement: Statement): boolean {
    return strings(statement.Resource).includes("*");
}

const ADMIN_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

const noFullAdmin = defineRule(
    { id: "IAM.1", title: 'No IAM policy allows "*" actions on "*" resources', severity: "high" },
    (resources, flag) => {
        for (const { resource, label, document } of policyDocuments(resources)) {
            if (statements(document).some((s) => allows(s) && onEveryResource(s) && strings(s.Action).some((a) => a === "*" || a === "*:*"))) {
                flag(resource, `${label} allows Action "*" on Resource "*": full administrative access`);
            }
        }
        for (const r of ofType(resources, T.rolePolicyAttachment, T.userPolicyAttachment, T.groupPolicyAttachment, T.policyAttachment)) {
            if (ADMIN_POLICY.test(str(r.inputs.policyArn) ?? "")) flag(r, `"${r.name}" attaches AdministratorAccess`);
        }
        for (const role of ofType(resources, T.role)) {
            if (strings(role.inputs.managedPolicyArns).some((arn) => ADMIN_POLICY.test(arn))) flag(role, `role "${str(role.inputs.name) ?? role.name}" attaches AdministratorAccess`);
        }
    },
);

const SERVICE_WILDCARD = /^[a-z0-9-]+:\*$/i;

const noServiceWildcard = defineRule(
    { id: "BERTH.IAM-SERVICE-WILDCARD", title: 'No IAM policy allows a whole service ("s3:*") on "*" resources', severity: "medium" },
    (resources, flag) => {
        for (const { resource, label, document } of policyDocuments(resources)) {
            const wide = statements(document)
                .filter((s) => allows(s) && onEveryResource(s))
                .flatMap((s) => strings(s.Action).filter((a) => SERVICE_WILDCARD.test(a)));
            if (wide.length > 0) flag(resource, `${label} allows ${[...new Set(wide)].join(", ")} on Resource "*": name the actions and resources it needs`);
        }
    },
);

export const IAM_RULES: Rule[] = [noFullAdmin, noServiceWildcard];
