// The simulator's ALB listener rules: path patterns, an optional http-header condition (a blue/green service's test
// rule), and a forward action across target groups by weight — the rule ECS rewrites while it shifts test and
// production traffic between a service's two target groups. Rules are evaluated by priority, lowest first.
export interface ForwardTarget {
    targetGroupArn: string;
    weight: number;
}

export interface ListenerRule {
    arn: string;
    /** Lower evaluates first (ALB: 1–50000). */
    priority: number;
    /** path-pattern values; the rule matches when any matches. */
    paths: string[];
    /** http-header condition: the request must carry the header with one of the values (names case-insensitive). */
    header?: { name: string; values: string[] };
    forward: ForwardTarget[];
}

export class ListenerRules {
    private readonly rules: ListenerRule[] = [];
    private readonly counters = new Map<string, number>();
    private next = 1;

    constructor(
        private readonly region: string,
        private readonly account: string,
        private readonly loadBalancerName = "berth-dev",
    ) {}

    create(rule: Omit<ListenerRule, "arn"> & { arn?: string }): ListenerRule {
        const arn = rule.arn ?? `arn:aws:elasticloadbalancing:${this.region}:${this.account}:listener-rule/app/${this.loadBalancerName}/50dc6c495c0c9188/f2f7dc8efc522ab2/${(this.next++).toString(16).padStart(16, "0")}`;
        const created = { ...rule, arn, forward: rule.forward.map((f) => ({ ...f })) };
        this.rules.push(created);
        this.rules.sort((a, b) => a.priority - b.priority);
        return created;
    }

    get(arn: string): ListenerRule | undefined {
        return this.rules.find((r) => r.arn === arn);
    }

    /** The production rule that forwards to `targetGroupArn` (by its path patterns, without a header condition). */
    productionRuleOf(targetGroupArn: string): ListenerRule | undefined {
        return this.rules.find((r) => !r.header && r.forward.some((f) => f.targetGroupArn === targetGroupArn));
    }

    all(): readonly ListenerRule[] {
        return this.rules;
    }

    /** Points a rule's forward action at the given weights (ECS moving traffic); target groups not named get 0. */
    setWeights(arn: string, weights: Record<string, number>): void {
        const rule = this.get(arn);
        if (!rule) throw new Error(`no listener rule ${arn}`);
        for (const tg of Object.keys(weights)) if (!rule.forward.some((f) => f.targetGroupArn === tg)) rule.forward.push({ targetGroupArn: tg, weight: 0 });
        for (const f of rule.forward) f.weight = weights[f.targetGroupArn] ?? 0;
    }

    /** The first rule matching the request, and the target group its forward action picks (weighted round robin). */
    match(path: string, headers: Record<string, string | string[] | undefined>): { rule: ListenerRule; targetGroupArn: string } | undefined {
        for (const rule of this.rules) {
            if (!rule.paths.some((p) => globMatch(p, path))) continue;
            if (rule.header) {
                const got = headers[rule.header.name.toLowerCase()];
                const values = Array.isArray(got) ? got : got === undefined ? [] : [got];
                if (!values.some((v) => rule.header!.values.some((want) => globMatch(want, v)))) continue;
            }
            const total = rule.forward.reduce((s, f) => s + f.weight, 0);
            if (total === 0) continue;
            // Smooth weighted round robin: every request goes to the group furthest behind its share, so a 10%
            // canary gets one request in ten, evenly spread.
            let best: ForwardTarget | undefined;
            for (const f of rule.forward) {
                const key = `${rule.arn}|${f.targetGroupArn}`;
                const current = (this.counters.get(key) ?? 0) + f.weight;
                this.counters.set(key, current);
                if (f.weight > 0 && (!best || current > this.counters.get(`${rule.arn}|${best.targetGroupArn}`)!)) best = f;
            }
            const key = `${rule.arn}|${best!.targetGroupArn}`;
            this.counters.set(key, this.counters.get(key)! - total);
            return { rule, targetGroupArn: best!.targetGroupArn };
        }
        return undefined;
    }
}

/** ALB path-pattern (and header value) matching: `*` any characters, `?` one; case-sensitive. */
export function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(value);
}
