// ECR rules: every repository scans on push, has immutable tags and a lifecycle policy (F06).
import { defineRule, globMatch, isObj, list, obj, ofType, physicalName, str, T } from "./graph";
import type { SynthResource } from "../resources";
import type { Rule } from "./types";

/** Registry-level scanning that covers `repository` (enhanced scanning, or a basic scan-on-push rule). */
function registryScans(resources: readonly SynthResource[], repository: string | undefined): boolean {
    return ofType(resources, T.registryScanning).some((config) => {
        if (config.inputs.scanType === "ENHANCED") return true;
        return list(config.inputs.rules)
            .filter(isObj)
            .some(
                (rule) =>
                    (rule.scanFrequency === "SCAN_ON_PUSH" || rule.scanFrequency === "CONTINUOUS_SCAN") &&
                    list(rule.repositoryFilters)
                        .filter(isObj)
                        .some((f) => typeof f.filter === "string" && (f.filter === "*" || (repository !== undefined && globMatch(f.filter, repository)))),
            );
    });
}

const scanOnPush = defineRule(
    { id: "ECR.1", title: "ECR repositories scan images on push", severity: "high" },
    (resources, flag) => {
        for (const repo of ofType(resources, T.repository)) {
            const name = physicalName(repo, "name");
            if (obj(repo.inputs.imageScanningConfiguration).scanOnPush === true || registryScans(resources, name)) continue;
            flag(repo, `repository "${name ?? repo.name}" does not scan on push (imageScanningConfiguration.scanOnPush)`);
        }
    },
);

const immutableTags = defineRule(
    { id: "ECR.2", title: "ECR repositories have immutable tags (F06)", severity: "medium" },
    (resources, flag) => {
        for (const repo of ofType(resources, T.repository)) {
            const mutability = str(repo.inputs.imageTagMutability) ?? "MUTABLE";
            // IMMUTABLE_WITH_EXCLUSION lets the excluded tags (typically `latest`) move again: F06 is about exactly that.
            if (mutability !== "IMMUTABLE") {
                flag(repo, `repository "${physicalName(repo, "name") ?? repo.name}" has imageTagMutability ${mutability}; use IMMUTABLE and tag images by git SHA`);
            }
        }
    },
);

const lifecyclePolicy = defineRule(
    { id: "ECR.3", title: "Every ECR repository has a lifecycle policy (F06)", severity: "medium" },
    (resources, flag) => {
        const covered = new Set(ofType(resources, T.lifecyclePolicy).map((p) => str(p.inputs.repository)));
        for (const repo of ofType(resources, T.repository)) {
            const name = physicalName(repo, "name");
            if (name === undefined) {
                flag(repo, `repository "${repo.name}" has no explicit name, so no lifecycle policy can be matched to it`);
            } else if (!covered.has(name)) {
                flag(repo, `repository "${name}" has no lifecycle policy: old images pile up`);
            }
        }
    },
);

export const ECR_RULES: Rule[] = [scanOnPush, immutableTags, lifecyclePolicy];
