// ALB path routing within AWS limits (F08): splits each service's path patterns into listener rules and
// gives every rule a deterministic priority. Pure; config validation and the load balancer both use it.

/** AWS Elastic Load Balancing quotas (docs: load-balancer-limits, listener-update-rules). */
export const ALB_LIMITS = {
    valuesPerCondition: 3,
    valuesPerRule: 5,
    wildcardsPerRule: 5,
    rulesPerLoadBalancer: 100,
    patternLength: 128,
    priorityMax: 50000,
} as const;

// Characters AWS allows in a path pattern: A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & and the wildcards * ?.
const PATTERN_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/;

export interface RoutedService {
    name: string;
    routes: readonly string[];
    /** Traffic-shifting rollouts add a test rule (same paths plus the test header) just before the production rule. */
    testRoute?: boolean;
}

export interface ListenerRulePlan {
    service: string;
    /** 0-based index of this rule among the service's rules. */
    index: number;
    priority: number;
    patterns: string[];
    /**
     * Priority of the service's test rule: 5 below its production rule, so it wins for requests with the test
     * header and still loses to every more specific production rule of other services (which sit 10 lower).
     */
    testPriority?: number;
}

/** The gap between a production rule and its test rule; production rules are 10 apart. */
export const TEST_RULE_OFFSET = 5;

/** Match values a rule evaluates: its path patterns, plus the header value on a test rule (AWS counts both, F08). */
export function ruleValueCount(rule: Pick<ListenerRulePlan, "patterns">, test: boolean): number {
    return rule.patterns.length + (test ? 1 : 0);
}

/** How many rules the plan puts on the load balancer: production rules plus test rules (AWS: 100, F08). */
export function ruleCount(rules: readonly ListenerRulePlan[]): number {
    return rules.length + rules.filter((r) => r.testPriority !== undefined).length;
}

/** Why a single pattern is unusable, or undefined when AWS accepts it. */
export function patternProblem(pattern: string): string | undefined {
    if (!pattern.startsWith("/")) return `path pattern "${pattern}" must start with "/"`;
    if (pattern.length > ALB_LIMITS.patternLength) return `path pattern "${pattern.slice(0, 20)}…" is ${pattern.length} characters; AWS allows ${ALB_LIMITS.patternLength}`;
    if (!PATTERN_CHARS.test(pattern)) return `path pattern "${pattern}" has characters AWS does not allow (use A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?)`;
    if (wildcards(pattern) > ALB_LIMITS.wildcardsPerRule) return `path pattern "${pattern}" has more than ${ALB_LIMITS.wildcardsPerRule} wildcards, the most one rule allows`;
    return undefined;
}

function wildcards(pattern: string): number {
    return (pattern.match(/[*?]/g) ?? []).length;
}

/** Literal characters before the first wildcard: longer means more specific, so it must match first. */
function specificity(pattern: string): number {
    const firstWildcard = pattern.search(/[*?]/);
    return firstWildcard === -1 ? pattern.length + 1000 : firstWildcard;
}

/** Splits patterns into chunks of at most 3 values (one path-pattern condition) and 5 wildcards. */
export function chunkPatterns(patterns: readonly string[]): string[][] {
    const chunks: string[][] = [];
    let current: string[] = [];
    let currentWildcards = 0;
    for (const p of patterns) {
        const w = wildcards(p);
        if (current.length === ALB_LIMITS.valuesPerCondition || currentWildcards + w > ALB_LIMITS.wildcardsPerRule) {
            chunks.push(current);
            current = [];
            currentWildcards = 0;
        }
        current.push(p);
        currentWildcards += w;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
}

/**
 * Plans every listener rule. Patterns are ordered most specific first (so `/api/orders/*` wins over
 * `/api/*`), and a rule's priority is (its rank + 1) × 10, independent of catalogue order: reordering
 * the catalogue never renumbers rules.
 */
export function planListenerRules(services: readonly RoutedService[]): ListenerRulePlan[] {
    const rules: (Omit<ListenerRulePlan, "priority" | "testPriority"> & { test: boolean })[] = [];
    for (const svc of services) {
        const ordered = [...svc.routes].sort((a, b) => specificity(b) - specificity(a) || a.localeCompare(b));
        chunkPatterns(ordered).forEach((patterns, index) => rules.push({ service: svc.name, index, patterns, test: svc.testRoute === true }));
    }
    const score = (r: { patterns: string[] }) => Math.max(...r.patterns.map(specificity));
    rules.sort((a, b) => score(b) - score(a) || a.service.localeCompare(b.service) || a.index - b.index);
    return rules.map(({ test, ...r }, rank) => {
        const priority = (rank + 1) * 10;
        return test ? { ...r, priority, testPriority: priority - TEST_RULE_OFFSET } : { ...r, priority };
    });
}
