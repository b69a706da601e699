// The policy module's surface: berth's security rules over a synthesized resource graph, and their evaluation.
export { RULES } from "./rules";
export { evaluatePolicies, describeRules, waiversOf, WAIVER_TAG } from "./evaluate";
export type { Finding, PolicyContext, PolicyReport, Rule, RuleDescription, Severity } from "./types";
