// What a rollback restores (F13): the previous digests of exactly the services a release changed, or, for
// `rollback --to`, the image set of an earlier verified release.
import type { ReleasedSet } from "../ports";
import type { ReleasePlan } from "./release";
import type { ReleaseRecord } from "./report";

export interface RollbackPlan {
    /** service → digest to put back. */
    restore: Record<string, string>;
    /** Services that cannot be put back, with why; any entry makes the outcome NEEDS_ATTENTION. */
    impossible: { service: string; why: string }[];
    /** berth:images for the rollback update. */
    images: Record<string, string>;
    /** The state the release ends in when the rollback update and its verification succeed. */
    stateIfRestored: "ROLLED_BACK" | "NEEDS_ATTENTION";
}

export function planRollback(plan: ReleasePlan, released: ReleasedSet | undefined): RollbackPlan {
    const restore: Record<string, string> = {};
    const impossible: RollbackPlan["impossible"] = [];
    for (const name of plan.toRoll) {
        const previous = released?.images[name];
        if (previous) restore[name] = previous;
        else impossible.push({ service: name, why: "never released before: there is no previous image to return to; it keeps running this release's image" });
    }
    // Services outside the release keep what they run; never-released ones keep this release's image.
    const images = { ...plan.imagesAfter, ...restore };
    return { restore, impossible, images, stateIfRestored: impossible.length > 0 ? "NEEDS_ATTENTION" : "ROLLED_BACK" };
}

/** `rollback --to`: return to the image set of `record` (a RELEASED record) from the set running now. */
export function rollbackToRecord(record: ReleaseRecord, current: ReleasedSet | undefined): RollbackPlan {
    if (record.state !== "RELEASED") {
        throw new Error(`release ${record.id} ended ${record.state}; only a RELEASED release can be returned to`);
    }
    const now = current?.images ?? {};
    const restore: Record<string, string> = {};
    for (const [service, digest] of Object.entries(record.imagesNow)) if (now[service] !== digest) restore[service] = digest;
    const impossible = Object.keys(now)
        .filter((s) => !(s in record.imagesNow))
        .map((service) => ({ service, why: `did not exist in release ${record.id}; it keeps its current image` }));
    return { restore, impossible, images: { ...now, ...restore }, stateIfRestored: impossible.length > 0 ? "NEEDS_ATTENTION" : "ROLLED_BACK" };
}

/** Finds the record `rollback --to` names: a release id, a full sha or a sha prefix of ≥ 7 (newest RELEASED wins). */
export function findRecord(records: readonly ReleaseRecord[], ref: string): ReleaseRecord {
    const byId = records.find((r) => r.id === ref);
    if (byId) return byId;
    const bySha = records.filter((r) => r.state === "RELEASED" && ref.length >= 7 && r.sha.startsWith(ref)).sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
    if (bySha.length > 0) return bySha[0];
    const known = records.filter((r) => r.state === "RELEASED").map((r) => r.id);
    throw new Error(`no released release ${ref}; released: ${known.length > 0 ? known.join(", ") : "none"}`);
}
