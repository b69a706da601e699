// The outcome history: how each of a stack's last deploy and rollback runs ended (the release state of its report),
// whatever that was — the history of verified releases keeps RELEASED ones only; a run that changed nothing
// (NOTHING_TO_DO) is no release and is not recorded. One small JSON document in one SSM parameter, written at the end
// of every other run and read by a promotion to name the state of a release it refuses.
import { z } from "zod";
import { parseJsonObject, type Parsed } from "./releasedSet";
import { releaseOutcomeSchema } from "./results";

export { releaseOutcomeSchema };

/** At most this many runs are kept, newest first. */
export const OUTCOMES_KEPT = 20;
/**
 * The whole document stays within a standard parameter (4 KB; advanced ones cost money and SSM never turns one
 * back): entries are dropped, oldest first, until it fits.
 */
export const OUTCOMES_MAX_BYTES = 4096;
/** A summary longer than this is cut (the report keeps the whole sentence). */
export const OUTCOME_SUMMARY_CHARS = 160;

export type ReleaseOutcome = z.infer<typeof releaseOutcomeSchema>;

export const releaseOutcomesSchema = z.object({ version: z.literal(1), outcomes: z.array(releaseOutcomeSchema) });

/** Cuts a summary to OUTCOME_SUMMARY_CHARS, marking the cut. */
export function shortSummary(summary: string): string {
    return summary.length <= OUTCOME_SUMMARY_CHARS ? summary : `${summary.slice(0, OUTCOME_SUMMARY_CHARS - 1)}…`;
}

const newestFirst = (a: ReleaseOutcome, b: ReleaseOutcome) => b.finishedAt.localeCompare(a.finishedAt) || b.releaseId.localeCompare(a.releaseId);

/**
 * The history to store: one entry per release id (the newest finish wins), newest first, at most OUTCOMES_KEPT and
 * within OUTCOMES_MAX_BYTES (the oldest runs go first).
 */
export function boundOutcomes(outcomes: readonly ReleaseOutcome[]): ReleaseOutcome[] {
    const byId = new Map<string, ReleaseOutcome>();
    for (const o of [...outcomes].sort(newestFirst)) if (!byId.has(o.releaseId)) byId.set(o.releaseId, o);
    const kept = [...byId.values()].slice(0, OUTCOMES_KEPT);
    while (kept.length > 1 && Buffer.byteLength(document(kept), "utf8") > OUTCOMES_MAX_BYTES) kept.pop();
    return kept;
}

function document(outcomes: readonly ReleaseOutcome[]): string {
    return JSON.stringify({ version: 1, outcomes });
}

/** Strict writing: every entry valid, bounded (boundOutcomes), as the JSON stored in the parameter. */
export function serializeOutcomes(outcomes: readonly ReleaseOutcome[]): string {
    for (const o of outcomes) {
        const parsed = z.strictObject(releaseOutcomeSchema.shape).safeParse(o);
        if (!parsed.success) throw new Error(`not a valid release outcome (${o.releaseId}): ${issueText(parsed.error.issues[0])}`);
    }
    return document(boundOutcomes(outcomes));
}

/** Parses a stored outcome history; `why` names the first problem ("not JSON", "version 2, expected 1", …). */
export function parseOutcomesValue(value: string): Parsed<ReleaseOutcome[]> {
    const object = parseJsonObject(value);
    if (!object.ok) return object;
    const raw = object.value;
    const version = raw.version;
    if (version !== 1) return { ok: false, why: `version ${JSON.stringify(version)}, expected 1` };
    const parsed = releaseOutcomesSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, why: issueText(parsed.error.issues[0]) };
    return { ok: true, value: [...parsed.data.outcomes].sort(newestFirst) };
}

function issueText(issue: z.core.$ZodIssue): string {
    return `${issue.path.join(".") || "(root)"}: ${issue.message}`;
}
