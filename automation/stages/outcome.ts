// The last step of every deploy and rollback run, whatever its state: the run's outcome joins the stack's outcome
// history (infra/contracts/releaseOutcomes.ts), which a promotion reads to name the state of a release it refuses.
import { shortSummary, type ReleaseOutcome } from "../../infra/contracts/releaseOutcomes";
import type { ReleaseRecord } from "../plan/report";
import { describeFailure } from "./record";
import type { ReleaseDeps } from "./types";

export type OutcomeCommand = ReleaseOutcome["command"];

/** The history entry of a finished run: its id, sha, final state, finish time and (cut) summary. */
export function outcomeOf(record: ReleaseRecord, command: OutcomeCommand): ReleaseOutcome {
    return {
        releaseId: record.id,
        sha: record.sha,
        command,
        state: record.state,
        finishedAt: record.finishedAt,
        ...(record.summary ? { summary: shortSummary(record.summary) } : {}),
    };
}

/**
 * Best effort, after the record is final — after an interruption too: the store's calls do not take the run's
 * (aborted) signal. Only a second Ctrl-C, which exits at once, skips it. A write that fails changes no state and no
 * exit code: a warning line and a note at the end of the summary; a promotion naming this release then words its
 * refusal from the source stack's Pulumi update history, as for a release from before the outcome history.
 * A run that changed nothing (NOTHING_TO_DO: no service changed, a rollback with no image to change, `--dry-run`)
 * is no release and adds nothing.
 */
export async function recordOutcome(deps: ReleaseDeps, record: ReleaseRecord, command: OutcomeCommand, options: { dryRun?: boolean } = {}): Promise<ReleaseRecord> {
    // No release: nothing changed and nothing is written (as before), and no-op runs never push out a failed one.
    if (record.state === "NOTHING_TO_DO") return record;
    // A dry run (NOTHING_TO_DO too) printed the write it would make (stages/dryRun.ts).
    if (options.dryRun) return record;
    const outcome = outcomeOf(record, command);
    try {
        for (const warning of await deps.store.recordOutcome(outcome)) deps.progress(`warning: ${warning}`);
        return record;
    } catch (error) {
        const note = `the outcome could not be added to the stack's outcome history (${describeFailure(error)}): a promotion naming ${record.id} cannot name its state`;
        deps.progress(`warning: ${note}`);
        return { ...record, summary: record.summary ? `${record.summary}; ${note}` : note };
    }
}
