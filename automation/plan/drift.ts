// Drift: what a refresh preview says changed outside berth (a task definition edited by hand, a security group
// opened in the console), grouped by berth component like the preview, and its Markdown for the report and the
// drift issue. Pure.
import type { EngineEvent, StepMetadata } from "../ports";
import { componentResolver, nameOf, STATEFUL_TYPES } from "./preview";

/** `berth drift` exits with this when something drifted (0: none; errors keep their own codes). */
export const EXIT_DRIFT = 4;

export interface DriftedResource {
    urn: string;
    type: string;
    name: string;
    /** The berth component it belongs to, or "(stack)". */
    component: string;
    /** changed: its properties in the cloud differ from the state; deleted: it is gone from the cloud. */
    kind: "changed" | "deleted";
    /** Top-level properties that differ (empty for a deletion, or when the engine names none). */
    properties: string[];
    stateful: boolean;
}

export interface DriftReport {
    stack: string;
    checkedAt: string;
    counts: { changed: number; deleted: number; unchanged: number };
    resources: DriftedResource[];
}

const stable = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v));

/** The top-level properties whose values differ between the state's outputs and the cloud's. */
function differingOutputs(m: StepMetadata): string[] {
    const before = m.old?.outputs ?? {};
    const after = m.new?.outputs ?? {};
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => stable(before[k]) !== stable(after[k])).sort();
}

/** The properties a refresh step names: its detailed diff, its diffs, else the outputs compared. */
function propertiesOf(m: StepMetadata): string[] {
    const named = m.detailedDiff ? Object.keys(m.detailedDiff) : (m.diffs ?? []);
    const top = named.map((p) => p.split(/[.[]/)[0]).filter((p) => p !== "");
    return top.length > 0 ? [...new Set(top)].sort() : differingOutputs(m);
}

/**
 * Reads a refresh preview's engine events. Each resource's refresh step arrives as a `resourcePreEvent` with op
 * `refresh`, then a `resOutputsEvent` whose op is the step's result (pulumi/pulumi RefreshStep.ResultOp): `same`,
 * `update` (the cloud differs from the state) or `delete` (the resource is gone). An engine that reports the
 * result as `refresh` gets its outputs compared instead.
 */
export function summarizeDrift(stack: string, events: readonly EngineEvent[], checkedAt: string): DriftReport {
    const results = new Map<string, StepMetadata>();
    const steps: StepMetadata[] = [];
    for (const e of events) {
        const pre = e.resourcePreEvent?.metadata;
        if (pre) steps.push(pre);
        const done = e.resOutputsEvent?.metadata;
        if (done) {
            results.set(done.urn, done);
            steps.push(done);
        }
    }
    const componentOf = componentResolver(steps);
    const counts = { changed: 0, deleted: 0, unchanged: 0 };
    const resources: DriftedResource[] = [];
    for (const m of results.values()) {
        if (m.type.startsWith("berth:") || m.type.startsWith("pulumi:")) continue;
        let kind: DriftedResource["kind"] | undefined;
        if (m.op === "delete" || (m.op === "refresh" && m.old && !m.new)) kind = "deleted";
        else if (m.op === "update" || (m.op === "refresh" && differingOutputs(m).length > 0)) kind = "changed";
        if (!kind) {
            counts.unchanged += 1;
            continue;
        }
        counts[kind] += 1;
        resources.push({ urn: m.urn, type: m.type, name: nameOf(m.urn), component: componentOf(m), kind, properties: kind === "deleted" ? [] : propertiesOf(m), stateful: STATEFUL_TYPES.includes(m.type) });
    }
    resources.sort((a, b) => a.component.localeCompare(b.component) || a.name.localeCompare(b.name));
    return { stack, checkedAt, counts, resources };
}

export function hasDrift(report: DriftReport): boolean {
    return report.resources.length > 0;
}

/** The hidden marker the drift issue's body starts with (the issue is found by its label and title). */
export function driftMarker(stack: string): string {
    return `<!-- berth-drift stack=${stack} -->`;
}

/** The drift issue's title: one issue per stack, found again by this exact title and the label. */
export function driftIssueTitle(stack: string): string {
    return `berth drift: stack ${stack}`;
}

export const DRIFT_LABEL = "berth-drift";

function line(r: DriftedResource): string {
    const what = r.kind === "deleted" ? "- deleted outside berth" : "~ changed outside berth";
    const props = r.properties.length > 0 ? `: ${r.properties.map((p) => `\`${p}\``).join(", ")}` : "";
    return `- ${what} \`${r.name}\` (${r.type})${props}${r.stateful ? " — holds data" : ""}`;
}

/** The drift report as Markdown: counts, then the drifted resources by component, then what to do. */
export function renderDriftMarkdown(report: DriftReport): string {
    const { stack, counts } = report;
    const lines = [driftMarker(stack), `### berth drift — stack \`${stack}\``, ""];
    if (!hasDrift(report)) {
        lines.push(`No drift: the ${counts.unchanged} resources berth manages match the cloud (checked ${report.checkedAt}).`, "");
        return lines.join("\n");
    }
    lines.push(`${counts.changed} changed and ${counts.deleted} deleted outside berth; ${counts.unchanged} unchanged (checked ${report.checkedAt}).`, "");
    const byComponent = new Map<string, DriftedResource[]>();
    for (const r of report.resources) byComponent.set(r.component, [...(byComponent.get(r.component) ?? []), r]);
    for (const [component, list] of byComponent) lines.push(`#### ${component} (${list.length})`, ...list.map(line), "");
    lines.push(
        `To undo the changes: \`pulumi up --refresh --stack ${stack}\` puts back what the program declares. To keep one, declare it in \`Pulumi.${stack}.yaml\` and release.`,
        "",
    );
    return lines.join("\n");
}

/** One line for stderr. */
export function driftLine(report: DriftReport): string {
    if (!hasDrift(report)) return `no drift on stack ${report.stack} (${report.counts.unchanged} resources checked)`;
    return `drift on stack ${report.stack}: ${report.counts.changed} changed, ${report.counts.deleted} deleted outside berth`;
}
