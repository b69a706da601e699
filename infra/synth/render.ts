// Turns a synthesis into what a person reads (inventory by component, rollout order, images, policy) and
// what a machine reads (JSON). Pure; secrets are redacted by the paths the engine reported.
import type { Synthesis } from "./synthesize";
import type { SynthResource } from "./mockEngine";
import type { PolicyReport } from "../policy";
import { SECRET_PLACEHOLDER } from "./stackFiles";
import { rolloutFlowchart } from "../contracts/mermaid";
import { SCHEMA_IDS, type ResultOf } from "../contracts/results";

export interface ComponentGroup {
    urn: string;
    name: string;
    type: string;
    resources: SynthResource[];
}

/** Groups every resource under its outermost berth component; resources outside one form their own group. */
export function groupByComponent(resources: readonly SynthResource[]): ComponentGroup[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const rootOf = (r: SynthResource): SynthResource => {
        let current = r;
        while (current.parent && byUrn.has(current.parent)) current = byUrn.get(current.parent)!;
        return current;
    };
    const groups = new Map<string, ComponentGroup>();
    for (const r of resources) {
        if (!r.custom && r.type.startsWith("berth:") && !r.parent) {
            groups.set(r.urn, { urn: r.urn, name: r.name, type: r.type, resources: [] });
        }
    }
    const loose: ComponentGroup = { urn: "", name: "(stack)", type: "", resources: [] };
    for (const r of resources) {
        if (groups.has(r.urn)) continue;
        const root = rootOf(r);
        (groups.get(root.urn) ?? loose).resources.push(r);
    }
    return [...groups.values(), ...(loose.resources.length ? [loose] : [])];
}

function redact(value: unknown, paths: readonly string[], prefix = ""): unknown {
    if (paths.includes(prefix || "(root)")) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map((v, i) => redact(v, paths, `${prefix}[${i}]`));
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, paths, prefix ? `${prefix}.${k}` : k)]));
    }
    return value;
}

/** A resource's inputs with every secret input replaced by a placeholder. */
export function redactedInputs(r: SynthResource): Record<string, unknown> {
    return redact(r.inputs, r.secretPaths) as Record<string, unknown>;
}

/**
 * The rollout graph (F11) as a Mermaid flowchart: the catalogue by level, an edge from each service to those that
 * wait for it (dependsOn and priority), and the migration, which runs before any service rolls.
 */
export function renderRolloutGraph(s: Synthesis): string {
    const waitsFor = Object.fromEntries(s.settings.services.map((svc) => [svc.name, svc.waitsFor]));
    const migration = s.settings.migration ? `migration (${s.settings.migration.service} image)` : undefined;
    return rolloutFlowchart({ levels: s.settings.rolloutLevels, waitsFor, ...(migration ? { migration } : {}) });
}

/** `synth --json`: the synthesis under its schema id (the cost section is added by the CLI). */
export function synthDocument(s: Synthesis, policy: PolicyReport): Omit<ResultOf<"synth">, "cost"> {
    return {
        schema: SCHEMA_IDS.synth,
        project: s.project,
        stack: s.stack,
        environment: s.settings.environment,
        resourceCount: s.resources.length,
        components: groupByComponent(s.resources).map((g) => ({ name: g.name, type: g.type, resources: g.resources.length })),
        rolloutLevels: s.settings.rolloutLevels,
        rolloutGraph: renderRolloutGraph(s),
        policy,
        outputs: s.outputs as Record<string, unknown>,
        resources: s.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            ...(r.parent === undefined ? {} : { parent: r.parent }),
            protect: r.protect,
            dependsOn: r.dependsOn,
            inputs: redactedInputs(r),
        })),
    };
}

function shortType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    return name ? `${pkg}.${mod.split("/")[0]}.${name}` : type;
}

/** The `rollout` output of a service (automation/plan/outputs.ts), as far as the text needs it. */
interface RolloutView {
    strategy: string;
    bakeMinutes: number;
    canary?: { percent: number; bakeMinutes: number };
    linear?: { stepPercent: number; intervalMinutes: number };
    pauseHooks: { stage: string; timeoutMinutes: number }[];
    testTraffic?: { header: string; value: string };
    alarmNames: string[];
    engineWaits?: boolean;
    rollingDependents?: string[];
}

/** One line per service: strategy, steps, bake, pauses and the alarms ECS rolls back on. */
export function describeRollout(r: RolloutView | undefined): string {
    if (!r) return "rolling";
    const parts: string[] = [r.strategy];
    if (r.canary) parts.push(`canary ${r.canary.percent}% for ${r.canary.bakeMinutes} min`);
    if (r.linear) parts.push(`linear ${r.linear.stepPercent}% every ${r.linear.intervalMinutes} min`);
    if (r.strategy !== "rolling") parts.push(`bake ${r.bakeMinutes} min`);
    if (r.strategy !== "rolling" && r.engineWaits === false) parts.push("the engine goes on once ECS accepted the update (berth's watch waits for the bake)");
    if (r.strategy !== "rolling" && r.engineWaits !== false) parts.push(`the engine waits through the bake${r.rollingDependents?.length ? ` (rolling ${r.rollingDependents.join(", ")} wait${r.rollingDependents.length === 1 ? "s" : ""} for it)` : ""}`);
    for (const h of r.pauseHooks) parts.push(`PAUSE at ${h.stage} (rolls back after ${h.timeoutMinutes} min)`);
    if (r.testTraffic) parts.push(`test header ${r.testTraffic.header}`);
    parts.push(r.alarmNames.length > 0 ? `alarms ${r.alarmNames.join(", ")}` : "no deployment alarms (not routed)");
    return parts.join("; ");
}

export function renderText(s: Synthesis, policy: PolicyReport): string {
    const lines: string[] = [];
    const out = s.outputs as { region?: string; services?: Record<string, { imageSource: string; image: string; buildContext: string; rollout?: RolloutView }>; publicUrl?: string; clusterName?: string };
    lines.push(`berth synth: stack ${s.stack} of project ${s.project} (profile ${s.settings.environment}, region ${out.region ?? "?"}) — offline, mock engine`);
    const groups = groupByComponent(s.resources);
    lines.push("", `Resources: ${s.resources.length} in ${groups.length} components`);
    for (const g of groups) {
        const counts = new Map<string, number>();
        for (const r of g.resources) counts.set(shortType(r.type), (counts.get(shortType(r.type)) ?? 0) + 1);
        const protectedCount = g.resources.filter((r) => r.protect).length;
        lines.push(`  ${g.name} (${g.type || "no component"}): ${g.resources.length}${protectedCount ? `, ${protectedCount} protected` : ""}`);
        lines.push(`    ${[...counts].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(", ")}`);
    }
    lines.push("", "Rollout order (dependency levels; a level starts when the one before is stable, F11):");
    s.settings.rolloutLevels.forEach((level, i) => lines.push(`  ${i + 1}. ${level.join(", ")}`));
    lines.push("", "Rollouts (blueGreen, canary, linear: green is tested through the test rule before production moves; ECS rolls back on the alarms):");
    for (const [name, svc] of Object.entries(out.services ?? {})) lines.push(`  ${name.padEnd(20)} ${describeRollout(svc.rollout)}`);
    lines.push("", "Images:");
    for (const [name, svc] of Object.entries(out.services ?? {})) {
        const how =
            svc.imageSource === "build"
                ? `built here from ${svc.buildContext} (bootstrap: no release recorded)`
                : svc.imageSource === "released"
                  ? "released image set"
                  : "berth:images (release in flight)";
        lines.push(`  ${name.padEnd(20)} ${how}`);
    }
    lines.push("", `Policy: ${policy.rulesEvaluated} rules evaluated for ${s.settings.environment}, ${policy.findings.length} finding(s), ${policy.waived.length} waived`);
    for (const f of policy.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.rule.padEnd(26)} ${f.resource.split("::").pop()}: ${f.message}`);
    for (const f of policy.waived) lines.push(`  waived   ${f.rule.padEnd(26)} ${f.resource.split("::").pop()}: ${f.message}`);
    lines.push("", `Entry point: ${out.publicUrl ?? "?"}   cluster: ${out.clusterName ?? "?"}`);
    return lines.join("\n");
}
