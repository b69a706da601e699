// What a rollback restores (F13): the previous digests of exactly the services a release changed.
// (`rollback --to` resolves its target from the release history: automation/stages/rollbackTarget.ts.)
import type { ReleasedSet } from "../ports";
import type { ReleasePlan } from "./release";

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

