// What a rollback restores (F13): after a failed release, the previous digests of exactly the services it
// changed; for the `rollback` command, the images of an earlier release (chosen by plan/rollbackTarget.ts).
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


/** What the `rollback` command's update sets, for the services of the current catalogue. */
export interface RollbackToPlan {
    /** berth:images for the update: the source release's digest, or the current one for services it did not have. */
    images: Record<string, string>;
    /** service → build-context digest recorded with the restored set. */
    contexts: Record<string, string>;
    /** What the stack applies now, per service. */
    current: Record<string, string>;
    /** Services the source release did not have: they keep their current image. */
    kept: string[];
    /** Services of the source release no longer in the catalogue: not restored. */
    gone: string[];
    /** Services whose image the update changes. */
    changed: string[];
}

export function planRollbackTo(source: ReleasedSet, released: ReleasedSet | undefined, current: Record<string, string>): RollbackToPlan {
    const services = Object.keys(current);
    const images: Record<string, string> = {};
    const contexts: Record<string, string> = {};
    const kept: string[] = [];
    for (const s of services) {
        if (source.images[s]) {
            images[s] = source.images[s];
            if (source.contexts[s]) contexts[s] = source.contexts[s];
        } else {
            images[s] = current[s];
            kept.push(s);
            if (released?.images[s] === current[s] && released.contexts[s]) contexts[s] = released.contexts[s];
        }
    }
    const gone = Object.keys(source.images).filter((s) => !services.includes(s));
    const changed = services.filter((s) => images[s] !== current[s]);
    return { images, contexts, current, kept, gone, changed };
}

/** The release plan of a rollback update: no builds, no migration, every changed service back on the source's image. */
export function rollbackReleasePlan(releaseId: string, source: ReleasedSet, to: RollbackToPlan): ReleasePlan {
    const services = Object.keys(to.current);
    return {
        releaseId,
        sha: source.sha,
        imageTag: source.sha,
        services: services.map((name) => ({
            name,
            changed: to.changed.includes(name),
            reason: to.changed.includes(name) ? "context changed" : "unchanged",
            contextDigest: to.contexts[name] ?? "",
            previousDigest: to.current[name],
            action: "none" as const,
            digest: to.images[name],
        })),
        toRoll: to.changed,
        levels: [],
        migration: { runs: false, why: "rollback" },
        imagesAfter: to.images,
        awaitingDigests: [],
        releaseTags: [],
        nothingToDo: false,
        counts: { builds: 0, reused: 0, rollouts: to.changed.length },
    };
}

/** The plan of a rollback that changes no image: nothing rolls, nothing is recorded. */
export function noopRollbackPlan(source: ReleasedSet, current: Record<string, string>): ReleasePlan {
    const services = Object.keys(current);
    return {
        releaseId: source.releaseId,
        sha: source.sha,
        imageTag: source.sha,
        services: services.map((name) => ({ name, changed: false, reason: "unchanged", contextDigest: "", previousDigest: current[name], action: "none" as const, digest: current[name] })),
        toRoll: [],
        levels: [],
        migration: { runs: false, why: "rollback" },
        imagesAfter: current,
        awaitingDigests: [],
        releaseTags: [],
        nothingToDo: true,
        counts: { builds: 0, reused: 0, rollouts: 0 },
    };
}
