// The vocabulary of the policy module: a rule, the finding it reports, and the report evaluation returns.
import type { SynthResource } from "../resources";
import type { Environment } from "../config/profiles";

export type Severity = "critical" | "high" | "medium" | "low";

/** Most severe first: the order findings are reported in. */
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

export interface Finding {
    rule: string;
    severity: Severity;
    /** URN of the resource the finding is about. */
    resource: string;
    message: string;
    waived?: boolean;
}

export interface PolicyContext {
    environment: Environment;
}

export interface Rule {
    /** An AWS Foundational Security Best Practices control id where one exists (`ECS.5`), else `BERTH.<NAME>`. */
    id: string;
    title: string;
    severity: Severity;
    /** Profiles the rule is evaluated in; absent = all. */
    profiles?: Environment[];
    /** Whether a `berth:waivers` tag on the resource may waive the rule's findings. */
    waivable?: boolean;
    check(resources: readonly SynthResource[], ctx: PolicyContext): Finding[];
}

export interface RuleDescription {
    id: string;
    title: string;
    severity: Severity;
    profiles: Environment[];
    waivable: boolean;
}

export interface PolicyReport {
    findings: Finding[];
    waived: Finding[];
    rulesEvaluated: number;
}
