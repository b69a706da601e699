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
}

export interface ListenerRulePlan {
    service: string;
    /** 0-based index of this rule among the service's rules. */
    index: number;
    priority: number;
    patterns: string[];
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
    const rules: Omit<ListenerRulePlan, "priority">[] = [];
    for (const svc of services) {
        const ordered = [...svc.routes].sort((a, b) => specificity(b) - specificity(a) || a.localeCompare(b));
        chunkPatterns(ordered).forEach((patterns, index) => rules.push({ service: svc.name, index, patterns }));
    }
    const score = (r: Omit<ListenerRulePlan, "priority">) => Math.max(...r.patterns.map(specificity));
    rules.sort((a, b) => score(b) - score(a) || a.service.localeCompare(b.service) || a.index - b.index);
    return rules.map((r, rank) => ({ ...r, priority: (rank + 1) * 10 }));
}
