// Evaluation: runs the rules that apply to a profile over the synthesized graph, separates waived findings
// from the rest, and orders the report by severity then rule id (ECS.2 before ECS.12).
import type { SynthResource } from "../resources";
import { isObj, str } from "./graph";
import { RULES } from "./rules";
import { SEVERITIES, type Finding, type PolicyContext, type PolicyReport, type Rule, type RuleDescription } from "./types";
import { ENVIRONMENTS } from "../config/profiles";

/** The tag through which the catalogue waives rules for one resource, e.g. `"berth:waivers": "ECS.5"`. */
export const WAIVER_TAG = "berth:waivers";

/** Rule ids named in a resource's waiver tag. Commas are accepted, but AWS tag values only reliably allow spaces. */
export function waiversOf(resource: SynthResource | undefined): string[] {
    const tags = resource?.inputs.tags;
    const value = isObj(tags) ? str(tags[WAIVER_TAG]) : undefined;
    return (value ?? "").split(/[\s,]+/).filter((id) => id !== "");
}

export function appliesTo(rule: Rule, ctx: PolicyContext): boolean {
    return rule.profiles === undefined || rule.profiles.includes(ctx.environment);
}

export function compareFindings(a: Finding, b: Finding): number {
    return (
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        a.rule.localeCompare(b.rule, "en", { numeric: true }) ||
        a.resource.localeCompare(b.resource) ||
        a.message.localeCompare(b.message)
    );
}

export function evaluatePolicies(resources: readonly SynthResource[], ctx: PolicyContext, rules: readonly Rule[] = RULES): PolicyReport {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const findings: Finding[] = [];
    const waived: Finding[] = [];
    const applicable = rules.filter((rule) => appliesTo(rule, ctx));
    for (const rule of applicable) {
        for (const finding of rule.check(resources, ctx)) {
            const waivedHere = waiversOf(byUrn.get(finding.resource)).includes(rule.id);
            if (waivedHere && rule.waivable) {
                waived.push({ ...finding, waived: true });
            } else if (waivedHere) {
                findings.push({ ...finding, message: `${finding.message} (the ${WAIVER_TAG} tag names ${rule.id}, which cannot be waived)` });
            } else {
                findings.push(finding);
            }
        }
    }
    return { findings: findings.sort(compareFindings), waived: waived.sort(compareFindings), rulesEvaluated: applicable.length };
}

/** The rule catalogue for docs: what each rule checks, how severe it is and where it applies. */
export function describeRules(rules: readonly Rule[] = RULES): RuleDescription[] {
    return rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, profiles: r.profiles ?? [...ENVIRONMENTS], waivable: r.waivable ?? false }));
}
