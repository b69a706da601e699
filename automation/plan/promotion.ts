// Promotion (`deploy --promote-from <stack>[:<release id | sha prefix>]`): which verified release of the source
// stack to take, what to refuse, and the release plan for the target — the source's digests, copied by digest into
// the target's repositories where they differ, nothing built. Pure.
import type { ReleasedSet, ReleaseOutcome, StackHistoryEntry } from "../ports";
import { ReleaseInputError } from "./errors";
import type { EnvironmentOutputs } from "./outputs";
import { changedLevels, completeImages, makeReleaseId, planMigration, PlanInputError, type PromotedFrom, type ReleasePlan, type ServicePlan } from "./release";
import { rollbackCandidates } from "./rollbackTarget";

export interface PromoteFrom {
    stack: string;
    /** A release id (`rel-` prefix accepted) or a git sha prefix of ≥ 7 hex characters; absent: the latest verified release. */
    ref?: string;
}

const STACK = /^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/;
const SHA_PREFIX = /^[0-9a-f]{7,40}$/;
const RELEASE_ID = /^\d{8}-\d{6}-[0-9a-f]{7}$/;
const LISTED = 10;

/** `dev`, `dev:20260314-091502-1a2b3c4` or `dev:1a2b3c4`. */
export function parsePromoteFrom(value: string): PromoteFrom {
    const colon = value.indexOf(":");
    const stack = (colon === -1 ? value : value.slice(0, colon)).trim();
    const ref = colon === -1 ? undefined : value.slice(colon + 1).trim();
    if (!STACK.test(stack)) throw new PlanInputError(`--promote-from ${value}: name the source stack, optionally with a release (dev, dev:<release id>, dev:<sha prefix>)`);
    if (ref === "") throw new PlanInputError(`--promote-from ${value}: nothing after the colon; give a release id or a sha prefix, or only the stack for its latest verified release`);
    return { stack, ...(ref ? { ref } : {}) };
}

function describe(set: ReleasedSet): string {
    return `${set.releaseId} (sha ${set.sha.slice(0, 12)}, released ${set.releasedAt})`;
}

function known(stack: string, candidates: readonly ReleasedSet[]): string {
    if (candidates.length === 0) return `no release is recorded on stack ${stack}`;
    const more = candidates.length > LISTED ? ` and ${candidates.length - LISTED} older` : "";
    return `verified releases of ${stack}, newest first: ${candidates.slice(0, LISTED).map(describe).join(", ")}${more}`;
}

export interface SourceInput {
    from: PromoteFrom;
    /** The source stack's history of verified releases (ReleaseStorePort.listReleases) and its released set. */
    history: readonly ReleasedSet[];
    released: ReleasedSet | undefined;
    /** The source stack's outcome history (ReleaseStorePort.listOutcomes): names the state a refused release ended in. */
    outcomes?: readonly ReleaseOutcome[];
    /** Why the outcome history could not be read: said in a refusal that had to do without it. */
    outcomesProblem?: string;
    /** The source stack's Pulumi update history: how far a release got that the outcome history does not name. */
    updates: readonly StackHistoryEntry[];
}

export interface SourceRelease {
    set: ReleasedSet;
    why: string;
}

/** The release id a berth update message names (`berth <id>`, `berth <id>: migration task definition`). */
const UPDATE_MESSAGE = /^berth (\d{8}-\d{6}-([0-9a-f]{7}))(?::|$)/;

/**
 * The source release: without a ref, the source's released set (its latest verified release; a release that
 * needs attention never replaced it). With one, that recorded release. Refused (ReleaseInputError, exit 3): a
 * release a rollback rolled back from, and a release that did not end RELEASED — the outcome history names the
 * state it ended in; for a release it does not name (older than it, or pushed out), the source's update history
 * says how far the release got.
 */
export function chooseSourceRelease(input: SourceInput): SourceRelease {
    const { from } = input;
    const candidates = rollbackCandidates(input.history, input.released);
    if (!from.ref) {
        if (!input.released) throw new ReleaseInputError(`nothing has been released on stack ${from.stack} yet: there is nothing to promote`);
        return { set: input.released, why: `promoting the latest verified release of ${from.stack}: ${describe(input.released)}` };
    }
    const ref = from.ref.trim();
    const id = ref.startsWith("rel-") ? ref.slice(4) : ref;
    let set = candidates.find((c) => c.releaseId === id);
    let matchedBy = "release id";
    if (!set && RELEASE_ID.test(id)) throw new ReleaseInputError(notReleased(input, id));
    if (!set) {
        const sha = ref.toLowerCase();
        if (!SHA_PREFIX.test(sha)) throw new ReleaseInputError(`--promote-from ${from.stack}:${ref} is neither a release id nor a git sha (7 to 40 hex characters); ${known(from.stack, candidates)}`);
        const matches = candidates.filter((c) => c.sha.toLowerCase().startsWith(sha));
        const commits = [...new Set(matches.map((m) => m.sha.toLowerCase()))];
        if (commits.length > 1) {
            const listed = commits.map((c) => `${c} (${matches.filter((m) => m.sha.toLowerCase() === c).map((m) => m.releaseId).join(", ")})`);
            throw new ReleaseInputError(`--promote-from ${from.stack}:${ref} is ambiguous: it prefixes the sha of ${commits.length} released commits: ${listed.join("; ")}; give more of the sha or a release id`);
        }
        set = matches[0];
        matchedBy = "sha";
    }
    if (!set) throw new ReleaseInputError(notReleased(input, id));
    const rolledBack = candidates.find((c) => c.rolledBackFrom === set!.releaseId);
    if (rolledBack) {
        throw new ReleaseInputError(
            `release ${describe(set)} of stack ${from.stack} did not stay released: rollback ${rolledBack.releaseId} rolled ${from.stack} back from it (ROLLED_BACK); promote a release that stayed released — ${known(from.stack, candidates.filter((c) => !candidates.some((r) => r.rolledBackFrom === c.releaseId)))}`,
        );
    }
    return { set, why: `promoting release ${describe(set)} of ${from.stack}, matched by ${matchedBy}` };
}

/** Why `ref` (a release id or sha prefix) names no verified release: the state its run ended in, when recorded. */
function notReleased(input: SourceInput, ref: string): string {
    const { stack } = input.from;
    const candidates = rollbackCandidates(input.history, input.released);
    const byId = (input.outcomes ?? []).filter((o) => o.releaseId === ref);
    const matched = byId.length > 0 ? byId : SHA_PREFIX.test(ref) ? (input.outcomes ?? []).filter((o) => o.sha.startsWith(ref)) : [];
    const mine = [...matched].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
    if (mine.length === 0) return fromUpdates(input, ref, candidates);
    const commits = [...new Set(mine.map((o) => o.sha))];
    if (commits.length > 1) {
        const listed = commits.map((c) => `${c} (${mine.filter((o) => o.sha === c).map((o) => `${o.releaseId} ${o.state}`).join(", ")})`);
        return `--promote-from ${stack}:${ref} is ambiguous: it prefixes the sha of ${commits.length} commits whose runs did not end RELEASED: ${listed.join("; ")}; none can be promoted — ${known(stack, candidates)}`;
    }
    // The last run of that release, or of that commit.
    const [last, ...earlier] = mine;
    const what = last.command === "rollback" ? "rollback" : "release";
    const summary = last.summary ? `: ${last.summary}` : "";
    const others = earlier.length > 0 ? ` (the last of ${mine.length} runs of sha ${last.sha.slice(0, 12)}; before it: ${earlier.map((o) => `${o.releaseId} ${o.state}`).join(", ")})` : "";
    if (last.state === "RELEASED") {
        // Recorded RELEASED, yet not among the verified releases read: SSM reads can lag a write by a few seconds.
        return `${what} ${last.releaseId} of stack ${stack} ended RELEASED at ${last.finishedAt}, but it is not in the verified releases read from SSM yet (reads can lag a write); try again in a minute — ${known(stack, candidates)}`;
    }
    return `${what} ${last.releaseId} of stack ${stack} ended ${last.state} at ${last.finishedAt}${summary}${others}; only a release that ended RELEASED can be promoted — ${known(stack, candidates)}`;
}

/**
 * No outcome of `ref` is recorded (a release from before the outcome history, pushed out of it, or its write
 * failed): the wording of the update history, which cannot tell the state apart.
 */
function fromUpdates(input: SourceInput, ref: string, candidates: readonly ReleasedSet[]): string {
    const { stack } = input.from;
    const mine = input.updates.filter((u) => {
        const m = UPDATE_MESSAGE.exec(u.message ?? "");
        return m !== null && (m[1] === ref || (SHA_PREFIX.test(ref) && (ref.startsWith(m[2]) || m[2].startsWith(ref))));
    });
    if (mine.length === 0) return `no verified release of stack ${stack} has the id or sha ${ref}; ${known(stack, candidates)}`;
    const latest = mine[0];
    const id = UPDATE_MESSAGE.exec(latest.message!)![1];
    const outcome =
        latest.result === "succeeded"
            ? `its last update (${JSON.stringify(latest.message)}, Pulumi update ${latest.version}) succeeded, but it was never recorded as verified`
            : `its last update (${JSON.stringify(latest.message)}, Pulumi update ${latest.version}) ${latest.result}`;
    const kept = input.outcomes?.length ?? 0;
    const why = input.outcomesProblem
        ? `the outcome history could not be read: ${input.outcomesProblem}`
        : kept === 0
          ? `no outcome history is recorded on ${stack}: a release from before berth kept one`
          : `the outcome history of ${stack} (its last ${kept} run${kept === 1 ? "" : "s"}) does not name it: a release older than that, or one whose outcome could not be written`;
    return `release ${id} of stack ${stack} did not end RELEASED (it ended ROLLED_BACK, FAILED_BEFORE_CHANGE, NEEDS_ATTENTION or INTERRUPTED; ${why}): ${outcome}; only a verified release can be promoted — ${known(stack, candidates)}`;
}

/** One image to bring into the target stack's repository, by digest. */
export interface ImageCopy {
    service: string;
    digest: string;
    /** Repository URLs (`<registry host>/<repository>`) from the two stacks' outputs. */
    from: string;
    to: string;
}

export interface PromotionPlan {
    plan: ReleasePlan;
    /** Changed services whose image must be brought over; services sharing one repository need none. */
    copies: ImageCopy[];
    /** Services of the target not in the source release: they keep their image. */
    notInSource: string[];
    /** Services of the source release the target's catalogue does not have: not promoted. */
    notInTarget: string[];
}

export interface PromotionInput {
    source: { stack: string; set: ReleasedSet; outputs: EnvironmentOutputs };
    target: EnvironmentOutputs;
    /** The target's released set (what runs there by berth's record). */
    targetReleased: ReleasedSet | undefined;
    time: number;
    only?: readonly string[];
    skipMigration?: boolean;
}

/**
 * The target's release plan from the source release: every selected service of the target's catalogue whose
 * digest in the source release differs from the target's released one rolls to that digest (reason "promoted",
 * action "copy"); the release takes the source's sha (the images were built from it, and `/health` reports it).
 */
export function planPromotion(input: PromotionInput): PromotionPlan {
    const { source, target, targetReleased } = input;
    const names = Object.keys(target.services);
    if (input.only) {
        const unknown = input.only.filter((s) => !names.includes(s));
        if (unknown.length > 0) throw new PlanInputError(`--services names ${unknown.join(", ")}, not in this stack's catalogue; known services: ${names.join(", ")}`);
    }
    const chosen = new Set(input.only ?? names);
    const notInSource = names.filter((n) => chosen.has(n) && source.set.images[n] === undefined);
    const notInTarget = Object.keys(source.set.images).filter((n) => !target.services[n]);
    const services: ServicePlan[] = names.map((name) => {
        const digest = source.set.images[name];
        const previousDigest = targetReleased?.images[name];
        const contextDigest = source.set.contexts[name] ?? "";
        if (!chosen.has(name)) return { name, changed: false, reason: "not selected", contextDigest, previousDigest, action: "none" };
        if (digest === undefined || digest === previousDigest) return { name, changed: false, reason: "unchanged", contextDigest, previousDigest, action: "none" };
        return { name, changed: true, reason: "promoted", contextDigest, previousDigest, action: "copy", digest };
    });
    const toRoll = services.filter((s) => s.changed).map((s) => s.name);
    const promotedFrom: PromotedFrom = { stack: source.stack, releaseId: source.set.releaseId, sha: source.set.sha };
    const base: ReleasePlan = {
        releaseId: makeReleaseId(input.time, source.set.sha),
        sha: source.set.sha,
        imageTag: source.set.sha,
        services,
        toRoll,
        levels: changedLevels(target, toRoll),
        migration: planMigration(target, toRoll, input.skipMigration ?? false),
        imagesAfter: {},
        awaitingDigests: [],
        releaseTags: [],
        nothingToDo: toRoll.length === 0,
        counts: { builds: 0, reused: 0, rollouts: toRoll.length },
        promotedFrom,
    };
    const plan = completeImages(base, target, targetReleased);
    const copies: ImageCopy[] = [];
    for (const name of toRoll) {
        const from = source.outputs.services[name]?.repositoryUrl;
        const to = target.services[name].repositoryUrl;
        // A source catalogue without the service (or one repository shared by both stacks): nothing to copy from elsewhere.
        if (from !== undefined && from !== to) copies.push({ service: name, digest: source.set.images[name], from, to });
    }
    return { plan, copies, notInSource, notInTarget };
}
