// Which recorded release `rollback` returns to (pure): `--to <release id | sha>` names one; without it, the
// release before the current one. The candidates are the history of verified releases
// (ReleaseStorePort.listReleases) plus the released set itself, which predates the history on stacks released
// before it was kept.
import type { ReleasedSet } from "../ports";
import { ReleaseInputError } from "./errors";

const SHA_PREFIX = /^[0-9a-f]{7,40}$/;
/** How many known releases an error message lists. */
const LISTED = 10;

/** Newest first, one entry per release id (the history's copy wins over the released set's). */
export function rollbackCandidates(history: readonly ReleasedSet[], released: ReleasedSet | undefined): ReleasedSet[] {
    const byId = new Map<string, ReleasedSet>();
    for (const set of [...history, ...(released ? [released] : [])]) if (!byId.has(set.releaseId)) byId.set(set.releaseId, set);
    return [...byId.values()].sort((a, b) => b.releasedAt.localeCompare(a.releasedAt) || b.releaseId.localeCompare(a.releaseId));
}

function describe(set: ReleasedSet): string {
    return `${set.releaseId} (sha ${set.sha.slice(0, 12)}, released ${set.releasedAt})`;
}

function known(candidates: readonly ReleasedSet[]): string {
    if (candidates.length === 0) return "no release is recorded on this stack yet";
    const more = candidates.length > LISTED ? ` and ${candidates.length - LISTED} older` : "";
    return `recorded releases, newest first: ${candidates.slice(0, LISTED).map(describe).join(", ")}${more}`;
}

export interface RollbackTarget {
    set: ReleasedSet;
    /** How `ref` matched: "release id", or "sha" with the other releases of the same commit it passed over. */
    matchedBy: "release id" | "sha";
    /** Older releases of the same sha (newest wins). */
    sameSha: string[];
}

/**
 * Resolves `ref`: an exact release id (a leading `rel-`, the ECR tag form, is accepted), else a full sha or a
 * sha prefix of ≥ 7 hex characters. A prefix matching releases of more than one commit is ambiguous; several
 * releases of the same commit resolve to the newest. Anything else is a ReleaseInputError (exit 3).
 */
export function findRollbackTarget(candidates: readonly ReleasedSet[], ref: string): RollbackTarget {
    const trimmed = ref.trim();
    const id = trimmed.startsWith("rel-") ? trimmed.slice(4) : trimmed;
    const byId = candidates.find((c) => c.releaseId === id);
    if (byId) return { set: byId, matchedBy: "release id", sameSha: [] };
    const sha = trimmed.toLowerCase();
    if (!SHA_PREFIX.test(sha)) {
        throw new ReleaseInputError(`--to ${ref} is neither a recorded release id nor a git sha (7 to 40 hex characters); ${known(candidates)}`);
    }
    const matches = candidates.filter((c) => c.sha.toLowerCase().startsWith(sha));
    if (matches.length === 0) throw new ReleaseInputError(`no recorded release has the id or sha ${ref}; ${known(candidates)}`);
    const commits = [...new Set(matches.map((m) => m.sha.toLowerCase()))];
    if (commits.length > 1) {
        const listed = commits.map((c) => `${c} (${matches.filter((m) => m.sha.toLowerCase() === c).map((m) => m.releaseId).join(", ")})`);
        throw new ReleaseInputError(`--to ${ref} is ambiguous: it prefixes the sha of ${commits.length} released commits: ${listed.join("; ")}; give more of the sha or a release id`);
    }
    const [newest, ...older] = rollbackCandidates(matches, undefined);
    return { set: newest, matchedBy: "sha", sameSha: older.map((m) => m.releaseId) };
}

function imagesKey(set: ReleasedSet): string {
    return JSON.stringify(Object.entries(set.images).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Whether a recorded rollback left `set`: it is a release some rollback rolled back from, or runs the same images
 * as one (a rollback restores an older release's images under a new id, and rolling back from that id condemns
 * the older release too). `rollback` without --to never returns to such a release.
 */
function leftByRollback(candidates: readonly ReleasedSet[]): (set: ReleasedSet) => boolean {
    const ids = new Set(candidates.flatMap((c) => (c.rolledBackFrom ? [c.rolledBackFrom] : [])));
    const images = new Set(candidates.filter((c) => ids.has(c.releaseId)).map(imagesKey));
    return (set) => ids.has(set.releaseId) || images.has(imagesKey(set));
}

/**
 * `rollback` without --to: when the stack does not run the released set (a release that needs attention), the
 * released set itself; otherwise the newest recorded release older than the released set whose images differ
 * from what the stack runs (so a re-recorded identical set is passed over) and that no rollback rolled back
 * from (so a second rollback goes further back instead of returning to the bad release). None:
 * ReleaseInputError (exit 3).
 */
export function previousRelease(
    candidates: readonly ReleasedSet[],
    released: ReleasedSet,
    applied: Record<string, string>,
    stackName: string,
): { set: ReleasedSet; why: string } {
    const differs = (set: ReleasedSet) => Object.keys(applied).some((s) => set.images[s] !== undefined && set.images[s] !== applied[s]);
    if (differs(released)) return { set: released, why: `stack ${stackName} does not run the released set: returning to the current release ${describe(released)}` };
    const left = leftByRollback(candidates);
    const index = candidates.findIndex((c) => c.releaseId === released.releaseId);
    const older = candidates.slice(index + 1).filter(differs);
    const at = older.findIndex((c) => !left(c));
    const before = at === -1 ? undefined : older[at];
    const passed = (at === -1 ? older : older.slice(0, at)).map((c) => c.releaseId);
    const skipped = passed.length > 0 ? ` (passing over ${passed.join(", ")}: a rollback left them)` : "";
    if (!before) {
        throw new ReleaseInputError(
            `stack ${stackName} runs release ${describe(released)} and no earlier recorded release has other images${skipped}: there is nothing to roll back to${passed.length > 0 ? " (name one with --to to return to it anyway)" : ""}`,
        );
    }
    return { set: before, why: `rolling back from the current release ${describe(released)} to the release before it: ${describe(before)}${skipped}` };
}
