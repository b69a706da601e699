// The release record (what one run did and what runs afterwards), its final state's exit code, and the
// Markdown and JSON renderings the CLI prints, appends to $GITHUB_STEP_SUMMARY and stores.
import { DECIDER_LABELS, type RolloutRecord } from "./deployments";
import type { ChangeReason, ImageAction } from "./release";
import type { ServiceVerdict } from "./verify";
import { formatDuration } from "./events";

export type ReleaseState = "RELEASED" | "NOTHING_TO_DO" | "ROLLED_BACK" | "FAILED_BEFORE_CHANGE" | "NEEDS_ATTENTION" | "INTERRUPTED";

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

export type StageName = "plan" | "build" | "prepare" | "migrate" | "rollout" | "verify" | "rollback" | "record";

export interface StageRecord {
    name: StageName;
    outcome: "ok" | "failed" | "skipped" | "interrupted";
    durationMs: number;
    detail?: string;
}

export interface ServiceRecord {
    name: string;
    changed: boolean;
    reason: ChangeReason;
    action: ImageAction;
    /** The digest this release set (changed services) or left in place. */
    digest?: string;
    previousDigest?: string;
    /** `berth-dev-api:7` after the rollout. */
    taskDefinitionRevision?: string;
    /** The revision running after this release's rollback restored the service (`berth-dev-api:8`). */
    restoredRevision?: string;
    rolloutMs?: number;
    verification?: ServiceVerdict;
    /** Whether the service was restored to previousDigest, failed to be, or could not be (never released). */
    rollback?: "restored" | "failed" | "impossible";
    /** An update of this release changed the service although the release did not roll it (which update, why). */
    changedBy?: string;
    /** How ECS deployed it and what berth did at its hooks (strategy, test verdict, bake, who decided). */
    rollout?: RolloutRecord;
    /** The deployment of this release's rollback update that put the service back (when it rolled blue/green). */
    restore?: RolloutRecord;
}

export interface MigrationRecord {
    outcome: "not-needed" | "skipped" | "succeeded" | "failed" | "could-not-start" | "timed-out";
    exitCode?: number;
    taskArn?: string;
    detail?: string;
    durationMs?: number;
}

export interface ReleaseRecord {
    version: 1;
    id: string;
    sha: string;
    stack: string;
    startedAt: string;
    finishedAt: string;
    state: ReleaseState;
    /** One sentence: what failed, for which service, why. */
    summary?: string;
    stages: StageRecord[];
    services: ServiceRecord[];
    migration: MigrationRecord;
    /** Pulumi update ids: the rollout update and, when one ran, the rollback update. */
    pulumiUpdates: { prepare?: string; rollout?: string; rollback?: string };
    /** service → digest running after the release (the released set for RELEASED, the old one otherwise). */
    imagesNow: Record<string, string>;
}

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
    const now = Object.entries(record.imagesNow);
    lines.push("", "What runs now:", now.length === 0 ? "- nothing recorded" : now.map(([svc, d]) => `- ${svc} ${short(d)}`).join("\n"));
    lines.push("", `Next: \`${nextCommand(record)}\``, "");
    return lines.join("\n");
}

export function renderJson(record: ReleaseRecord): string {
    return `${JSON.stringify({ ...record, exitCode: exitCodeFor(record.state) }, null, 2)}\n`;
}
