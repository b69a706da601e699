// The release record (what one run did and what runs afterwards), its final state's exit code, and the
// Markdown and JSON renderings the CLI prints, appends to $GITHUB_STEP_SUMMARY and stores.
import { DECIDER_LABELS, type RolloutRecord } from "./deployments";
import type { ChangeReason, ImageAction, PromotedFrom } from "./release";
import type { ServiceVerdict } from "./verify";
import type { z } from "zod";
import { formatDuration } from "./events";
import { ganttChart, mermaidBlock, type GanttMark, type GanttSection, type GanttTask } from "../../infra/contracts/mermaid";
import { SCHEMA_IDS, type ResultOf } from "../../infra/contracts/results";
import { resultJson } from "../../infra/contracts/resultJson";
import type { migrationRecordSchema, releaseRecordSchema, releaseStateSchema, serviceRecordSchema, serviceSpanSchema, stageNameSchema, stageRecordSchema } from "../../infra/contracts/results";

export type ReleaseState = z.infer<typeof releaseStateSchema>;

/**
 * | state                 | exit | meaning                                                   |
 * |-----------------------|------|-----------------------------------------------------------|
 * | RELEASED              | 0    | every changed service verified                            |
 * | NOTHING_TO_DO         | 0    | no service changed: 0 builds, 0 updates                   |
 * | ROLLED_BACK           | 1    | failed after the rollout started; previous images restored |
 * | FAILED_BEFORE_CHANGE  | 1    | build or migration failed; no service was changed         |
 * | NEEDS_ATTENTION       | 2    | failed and NOT (fully) rolled back                        |
 * | INTERRUPTED           | 2    | stopped by a signal; the report says what runs now        |
 * | (bad input)           | 3    | flags, config or stack outputs unusable; nothing started  |
 */
export const EXIT_CODES: Readonly<Record<ReleaseState, 0 | 1 | 2>> = {
    RELEASED: 0,
    NOTHING_TO_DO: 0,
    ROLLED_BACK: 1,
    FAILED_BEFORE_CHANGE: 1,
    NEEDS_ATTENTION: 2,
    INTERRUPTED: 2,
};
export const EXIT_BAD_INPUT = 3;

export function exitCodeFor(state: ReleaseState): 0 | 1 | 2 {
    return EXIT_CODES[state];
}

// The record's shape is its zod schema (infra/contracts/results.ts): the JSON result, the report and the reader share it.
export type StageName = z.infer<typeof stageNameSchema>;
export type StageRecord = z.infer<typeof stageRecordSchema>;
export type ServiceRecord = z.infer<typeof serviceRecordSchema>;
export type ServiceSpan = z.infer<typeof serviceSpanSchema>;
export type MigrationRecord = z.infer<typeof migrationRecordSchema>;
export type ReleaseRecord = z.infer<typeof releaseRecordSchema>;

// The planning types the record repeats must stay what the schema says (a compile error here means: update the schema).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [Same<ServiceRecord["reason"], ChangeReason>, Same<ServiceRecord["action"], ImageAction>, Same<NonNullable<ServiceRecord["verification"]>, ServiceVerdict>, Same<NonNullable<ServiceRecord["rollout"]>, RolloutRecord>, Same<NonNullable<ReleaseRecord["promotedFrom"]>, PromotedFrom>, Same<StageRecord["name"], StageName>] = [true, true, true, true, true, true];
void sameShapes;

/** The command to run next, keyed by state. */
export function nextCommand(record: ReleaseRecord): string {
    const stack = `--stack ${record.stack}`;
    switch (record.state) {
        case "RELEASED":
        case "NOTHING_TO_DO":
            return `npm run status -- ${stack}`;
        case "ROLLED_BACK":
        case "FAILED_BEFORE_CHANGE":
            return `fix the failure above, then npm run deploy -- ${stack}`;
        case "NEEDS_ATTENTION":
            return `npm run status -- ${stack}, then npm run rollback -- ${stack} (or --to <release id>)`;
        case "INTERRUPTED":
            return `pulumi refresh --stack ${record.stack} --yes, then npm run status -- ${stack}`;
    }
}

const short = (digest?: string) => (digest ? digest.replace(/^sha256:/, "").slice(0, 12) : "—");

function verifyCell(s: ServiceRecord): string {
    if (!s.verification) return "—";
    if (s.verification.ok) return "ok";
    return s.verification.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join("; ")
        .replace(/\|/g, "\\|");
}

/** Engine timestamps are whole seconds: a rollout that finished within one shows as "<1s", not as missing. */
function rolloutCell(ms: number | undefined): string {
    if (ms === undefined) return "—";
    return ms < 1000 ? "<1s" : formatDuration(ms / 1000);
}

const STRATEGY_LABELS: Readonly<Record<RolloutRecord["strategy"], string>> = { rolling: "rolling", blueGreen: "blue/green", canary: "canary", linear: "linear" };

function minutes(ms: number | undefined): string {
    if (ms === undefined) return "—";
    return ms < 1000 ? "<1s" : formatDuration(ms / 1000);
}

function verdictCell(r: RolloutRecord): string {
    const parts = [r.test, r.canary].filter((v) => v !== undefined).map((v) => `${v.ok ? "passed" : "failed"} → ${v.action}${v.ok ? "" : ` (${v.detail})`}`);
    if (r.leftWaiting) parts.push(`not answered (interrupted): ${r.leftWaiting.timeoutAction} at ${r.leftWaiting.expiresAt ?? "timeout"}`);
    return parts.length === 0 ? "—" : parts.join("; ").replace(/\|/g, "\\|");
}

function bakeCell(r: RolloutRecord): string {
    if (r.bakeMinutes === 0 && r.bakeMs === undefined) return "—";
    const seen = r.bakeMs === undefined ? "" : ` (baked ${minutes(r.bakeMs)}${r.stoppedInBake ? ", stopped" : ""})`;
    return `${r.bakeMinutes} min${seen}`;
}

/** Per service: strategy, time in test traffic, berth's verdict, bake, the outcome and who decided it. */
export function deploymentLines(services: readonly ServiceRecord[]): string[] {
    const rows = services.filter((s) => s.rollout && (s.rollout.strategy !== "rolling" || s.rollout.deploymentArn));
    if (rows.length === 0) return [];
    const lines = ["", "| service | strategy | test traffic | test verdict | bake | deployment | decided by |", "|---|---|---|---|---|---|---|"];
    for (const s of rows) {
        const r = s.rollout!;
        const decided = r.decidedBy ? (r.decision ?? DECIDER_LABELS[r.decidedBy]) : "—";
        lines.push(`| ${s.name} | ${STRATEGY_LABELS[r.strategy]} | ${minutes(r.testTrafficMs)} | ${verdictCell(r)} | ${bakeCell(r)} | ${r.status ?? "not seen"} | ${decided.replace(/\|/g, "\\|")} |`);
    }
    return lines;
}

export function renderMarkdown(record: ReleaseRecord): string {
    const lines = [`### berth release ${record.id} — ${record.state} (exit ${exitCodeFor(record.state)})`, ""];
    lines.push(`stack \`${record.stack}\` · sha \`${record.sha.slice(0, 12)}\` · ${record.startedAt} → ${record.finishedAt}`);
    if (record.promotedFrom) {
        const p = record.promotedFrom;
        lines.push(`promoted from stack \`${p.stack}\` release ${p.releaseId} (sha \`${p.sha.slice(0, 12)}\`): no build, the same digests`);
    }
    if (record.summary) lines.push("", record.summary);
    if (record.state === "NOTHING_TO_DO") {
        lines.push("", "No service changed: 0 builds, 0 rollouts.", "", `Next: \`${nextCommand(record)}\``, "");
        return lines.join("\n");
    }
    lines.push("", "| service | change | image | task definition | rollout | verify |", "|---|---|---|---|---|---|");
    for (const s of record.services.filter((x) => x.changed || x.changedBy)) {
        // The row's revision and verification belong together (this release's); a restore is told in the image cell.
        const restored = s.restoredRevision ? ` (${s.restoredRevision})` : "";
        const image = s.rollback ? `${short(s.digest)} → ${s.rollback === "restored" ? `${short(s.previousDigest)}${restored}` : s.rollback}` : short(s.digest);
        const change = s.changed ? `${s.reason}, ${s.action}` : `changed by ${s.changedBy}`;
        lines.push(`| ${s.name} | ${change} | ${image} | ${s.taskDefinitionRevision ?? "—"} | ${rolloutCell(s.rolloutMs)} | ${verifyCell(s)} |`);
    }
    lines.push(...deploymentLines(record.services));
    const unchanged = record.services.filter((x) => !x.changed && !x.changedBy).map((x) => x.name);
    if (unchanged.length > 0) lines.push("", `Unchanged: ${unchanged.join(", ")}.`);
    lines.push("", `Migration: ${record.migration.outcome}${record.migration.exitCode !== undefined ? ` (exit ${record.migration.exitCode})` : ""}${record.migration.detail ? ` — ${record.migration.detail}` : ""}`);
    lines.push(`Stages: ${record.stages.map((st) => `${st.name} ${st.outcome} ${st.durationMs < 1000 ? "<1s" : formatDuration(st.durationMs / 1000)}`).join(" · ")}`);
    const gantt = releaseGantt(record);
    if (gantt) lines.push("", mermaidBlock(gantt));
    const now = Object.entries(record.imagesNow);
    lines.push("", "What runs now:", now.length === 0 ? "- nothing recorded" : now.map(([svc, d]) => `- ${svc} ${short(d)}`).join("\n"));
    lines.push("", `Next: \`${nextCommand(record)}\``, "");
    return lines.join("\n");
}

const STAGE_SECTION: Record<StageName, string> = {
    plan: "plan",
    build: "build",
    copy: "copy",
    prepare: "migration",
    migrate: "migration",
    rollout: "rollout",
    verify: "verification",
    rollback: "rollback",
    record: "record",
};

const STAGE_TASK: Record<StageName, string> = {
    plan: "plan and preflight",
    build: "build and push",
    copy: "copy images by digest",
    prepare: "migration task definition",
    migrate: "migration task",
    rollout: "rollout update",
    verify: "verify",
    rollback: "rollback update",
    record: "record",
};

const STAGE_MARK: Record<StageRecord["outcome"], GanttMark[]> = { ok: ["done"], failed: ["crit"], interrupted: ["active"], skipped: [] };
const SPAN_MARK: Record<ServiceSpan["state"], GanttMark[]> = { stable: ["done"], failed: ["crit"], rolling: ["active"] };

/**
 * What really happened, as a Mermaid gantt chart: each stage in order (skipped ones left out), and in the rollout
 * and rollback sections each service's update from its start to stable or failed, as the engine's events timed it.
 * Stages of records written before stages carried `startedAt` ran back to back from the record's start.
 * Undefined when the release changed nothing.
 */
export function releaseGantt(record: ReleaseRecord): string | undefined {
    if (record.state === "NOTHING_TO_DO" || record.stages.length === 0) return undefined;
    const sections: GanttSection[] = [];
    let mark = Date.parse(record.startedAt);
    record.stages.forEach((st, i) => {
        const start = st.startedAt === undefined ? mark : Date.parse(st.startedAt);
        mark = start + st.durationMs;
        if (st.outcome === "skipped") return;
        const field = st.name === "rollout" ? "rolloutSpan" : st.name === "rollback" ? "rollbackSpan" : undefined;
        const spans = field ? record.services.flatMap((s) => (s[field] ? [{ name: s.name, span: s[field]! }] : [])) : [];
        const tasks: GanttTask[] =
            spans.length > 0
                ? spans
                      .sort((a, b) => Date.parse(a.span.startedAt) - Date.parse(b.span.startedAt) || a.name.localeCompare(b.name))
                      .map(({ name, span }, j) => ({
                          name,
                          id: `${st.name}${i}_${j}`,
                          start: Date.parse(span.startedAt),
                          end: span.finishedAt === undefined ? mark : Date.parse(span.finishedAt),
                          marks: SPAN_MARK[span.state],
                      }))
                : [{ name: STAGE_TASK[st.name], id: `${st.name}${i}`, start, end: mark, marks: STAGE_MARK[st.outcome] }];
        const last = sections[sections.length - 1];
        if (last && last.name === STAGE_SECTION[st.name]) last.tasks.push(...tasks);
        else sections.push({ name: STAGE_SECTION[st.name], tasks });
    });
    return ganttChart(`release ${record.id} on ${record.stack}: ${record.state} (times in UTC)`, sections);
}

/** `deploy --json` / `rollback --json`: the record under its command's schema id, with the exit code. */
export function releaseResult(record: ReleaseRecord, command: "deploy" | "rollback"): ResultOf<"deploy" | "rollback"> {
    return { schema: SCHEMA_IDS[command], ...record, exitCode: exitCodeFor(record.state) };
}

/** The JSON text of releaseResult, checked strictly against its schema. */
export function renderJson(record: ReleaseRecord, command: "deploy" | "rollback" = "deploy"): string {
    return resultJson(command, releaseResult(record, command));
}
