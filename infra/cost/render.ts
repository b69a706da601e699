// The cost estimate as a person reads it (totals, by component, by AWS service, line items, what is not
// priced, the assumptions) and as a machine reads it (JSON). Pure.
import { COST_ASSUMPTION_TEXT, type CostAssumptions } from "../config/costAssumptions";
import { totalsBy, type CostEstimate } from "./estimate";

export function usd(n: number): string {
    return `$${n.toFixed(2)}`;
}

function range(t: { monthly: number; low: number; high: number }): string {
    return t.low === t.high ? usd(t.monthly) : `${usd(t.monthly)} (autoscaling ${usd(t.low)}–${usd(t.high)})`;
}

export function renderCostText(e: CostEstimate, title: string): string {
    const lines: string[] = [];
    const dates = e.priceDates.length ? `read ${e.priceDates.join(", ")}` : "no price used";
    lines.push(`${title} — region ${e.region}, prices from ${e.priceFile} (${dates}); USD, ${e.hoursPerMonth} h a month, on-demand, before tax and free tier`);
    lines.push(`  Total: ${range(e.total)} a month${e.unpriced.length ? ` + ${e.unpriced.length} item(s) not priced (below)` : ""}`);
    lines.push("", "  By component:");
    for (const t of totalsBy(e.lines, "component")) lines.push(`    ${t.name.padEnd(24)} ${range(t)}`);
    lines.push("", "  By AWS service:");
    for (const t of totalsBy(e.lines, "awsService")) lines.push(`    ${t.name.padEnd(24)} ${range(t)}`);
    lines.push("", "  Line items:");
    for (const l of e.lines) {
        const scaled = l.low === l.high ? "" : ` (${usd(l.low)}–${usd(l.high)})`;
        lines.push(`    ${l.component.padEnd(20)} ${l.resource.padEnd(30)} ${l.item}: ${round2(l.quantity)} ${l.unit} × $${l.unitUsd} = ${usd(l.monthly)}${scaled}`);
    }
    if (e.unpriced.length) {
        lines.push("", "  Not priced (not in the total):");
        for (const u of e.unpriced.filter((x) => !x.priceKey)) lines.push(`    ${u.component.padEnd(20)} ${u.resource.padEnd(30)} ${u.reason}`);
        const byKey = new Map<string, string[]>();
        for (const u of e.unpriced.filter((x) => x.priceKey)) byKey.set(u.priceKey!, [...(byKey.get(u.priceKey!) ?? []), u.resource]);
        for (const [key, names] of byKey) {
            const note = e.unpriced.find((u) => u.priceKey === key)!.reason.split(" — ")[1];
            lines.push(`    no ${key} price for ${e.region} in ${e.priceFile} (${note}): ${names.length} line(s) — ${[...new Set(names)].join(", ")}`);
        }
    }
    if (e.perRelease.length) {
        const total = e.perRelease.reduce((sum, l) => sum + l.usd, 0);
        lines.push("", `  Per release (not in the monthly total): $${total.toFixed(4)} while green runs next to blue (canary or linear steps and bake; berth's test time comes on top)`);
        for (const l of e.perRelease) {
            lines.push(`    ${l.component.padEnd(20)} ${l.resource.padEnd(30)} ${l.strategy}: ${l.tasks} task${l.tasks === 1 ? "" : "s"} × ${l.minutes} min × $${l.unitUsdPerTaskMinute} = $${l.usd.toFixed(4)}`);
        }
    }
    lines.push("", "  Assumptions (override in berth:costAssumptions):");
    for (const [k, v] of Object.entries(e.assumptions) as [keyof CostAssumptions, number][]) lines.push(`    ${k.padEnd(24)} ${String(v).padEnd(6)} ${COST_ASSUMPTION_TEXT[k]}`);
    return lines.join("\n");
}

function round2(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export function costJson(e: CostEstimate): Record<string, unknown> {
    return {
        ...e,
        byComponent: totalsBy(e.lines, "component"),
        byAwsService: totalsBy(e.lines, "awsService"),
    };
}
