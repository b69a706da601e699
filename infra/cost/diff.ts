// The cost change of a pull request: the monthly estimate of the base commit against this one, the lines that
// changed, and the `--fail-on cost-increase=<USD or %>` check. Pure.
import type { CostEstimate, CostLine } from "./estimate";

export type CostThreshold = { usd: number } | { percent: number };

export interface CostLineChange {
    component: string;
    resource: string;
    item: string;
    before: number;
    after: number;
}

export interface CostDelta {
    /** undefined when the base has no such stack (a stack new in this pull request counts from zero). */
    before: number;
    after: number;
    delta: number;
    /** undefined when before is zero. */
    percent?: number;
    changed: CostLineChange[];
    region: string;
    priceDates: string[];
    unpricedAfter: number;
    /** Why the base counts as zero, when it does. */
    baseNote?: string;
}

/** `--fail-on cost-increase=<USD or %>`: "25" (USD a month) or "10%". */
export function parseCostThreshold(text: string): CostThreshold {
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim().replace(/^\$/, ""));
    if (!m) throw new Error(`cost-increase takes USD a month (cost-increase=25) or a percentage (cost-increase=10%), not "${text}"`);
    return m[2] ? { percent: Number(m[1]) } : { usd: Number(m[1]) };
}

const key = (l: CostLine) => `${l.component}\u0000${l.resource}\u0000${l.priceKey}`;
const r2 = (n: number) => Math.round(n * 100) / 100;

export function diffCost(before: CostEstimate | { absent: string }, after: CostEstimate): CostDelta {
    const baseLines = "absent" in before ? [] : before.lines;
    const old = new Map<string, CostLine>();
    for (const l of baseLines) old.set(key(l), l);
    const changed: CostLineChange[] = [];
    const seen = new Set<string>();
    for (const l of after.lines) {
        const k = key(l);
        seen.add(k);
        const prev = old.get(k);
        if (!prev || r2(prev.monthly) !== r2(l.monthly)) changed.push({ component: l.component, resource: l.resource, item: l.item, before: prev?.monthly ?? 0, after: l.monthly });
    }
    for (const [k, l] of old) if (!seen.has(k)) changed.push({ component: l.component, resource: l.resource, item: l.item, before: l.monthly, after: 0 });
    changed.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.resource.localeCompare(b.resource));
    const b = "absent" in before ? 0 : before.total.monthly;
    const delta = after.total.monthly - b;
    return {
        before: b,
        after: after.total.monthly,
        delta,
        percent: b > 0 ? (delta / b) * 100 : undefined,
        changed,
        region: after.region,
        priceDates: after.priceDates,
        unpricedAfter: after.unpriced.length,
        baseNote: "absent" in before ? before.absent : undefined,
    };
}

/** True when the increase is over the threshold (a decrease never is). */
export function exceeds(d: CostDelta, t: CostThreshold): boolean {
    if (d.delta <= 0) return false;
    if ("usd" in t) return d.delta > t.usd;
    return d.percent === undefined ? true : d.percent > t.percent;
}

export function describeThreshold(t: CostThreshold): string {
    return "usd" in t ? `$${t.usd.toFixed(2)} a month` : `${t.percent}%`;
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const signed = (n: number) => `${n >= 0 ? "+" : "−"}${usd(Math.abs(n))}`;

/** The Markdown section of the preview comment. */
export function renderCostSection(d: CostDelta, limit = 20): string[] {
    const pct = d.percent === undefined ? "" : ` (${d.percent >= 0 ? "+" : "−"}${Math.abs(d.percent).toFixed(1)}%)`;
    const out = ["**Monthly cost estimate**", "", `| before | after | change |`, `|---:|---:|---:|`, `| ${usd(d.before)} | ${usd(d.after)} | ${signed(d.delta)}${pct} |`, ""];
    if (d.baseNote) out.push(`_Before counts as $0.00: ${d.baseNote}._`, "");
    if (d.changed.length === 0) out.push("No cost line changed.");
    else {
        out.push("| component | resource | item | before | after |", "|---|---|---|---:|---:|");
        for (const c of d.changed.slice(0, limit)) out.push(`| ${c.component} | ${c.resource} | ${c.item} | ${usd(c.before)} | ${usd(c.after)} |`);
        if (d.changed.length > limit) out.push(`| … | ${d.changed.length - limit} more | | | |`);
    }
    out.push("", `_On-demand list prices for ${d.region} from infra/cost/prices.json (read ${d.priceDates.join(", ") || "—"}), with the assumptions \`npm run cost\` prints${d.unpricedAfter ? `; ${d.unpricedAfter} item(s) are not priced` : ""}._`, "");
    return out;
}
