// The release plan: which services changed (build-context digest vs the released set), what to build or
// reuse, in which order they roll (F11), whether the migration runs (F02), and what to record (F06).
import { createHash } from "crypto";
import { rolloutLevels } from "../../infra/config/graph";
import { RELEASED_TAG_PREFIX } from "../../infra/naming";
import type { ReleasedSet } from "../ports";
import { EnvironmentOutputs, repositoryName } from "./outputs";
import { IMAGE_DIGEST as DIGEST } from "../../infra/contracts/releasedSet";

/** Bad input (flags, sha): the CLI maps it to exit code 3. */
export class PlanInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanInputError";
    }
}

export type ChangeReason = "context changed" | "never released" | "unchanged" | "not selected" | "promoted";
/** `copy`: a promotion takes the source release's image, copied by digest into this stack's repository when missing. */
export type ImageAction = "build" | "reuse-tag" | "copy" | "none";

/** The release a promotion takes its images from. */
export interface PromotedFrom {
    stack: string;
    releaseId: string;
    sha: string;
}

export interface ServicePlan {
    name: string;
    changed: boolean;
    reason: ChangeReason;
    contextDigest: string;
    /** The released image this service runs before the release, when there is one. */
    previousDigest?: string;
    action: ImageAction;
    /** Known before building when the tag already exists (reuse-tag); filled in by withDigests otherwise. */
    digest?: string;
}

export interface MigrationPlan {
    runs: boolean;
    service?: string;
    why: string;
}

export interface ReleaseTag {
    service: string;
    repositoryName: string;
    tag: string;
    digest?: string;
}

export interface ReleasePlan {
    releaseId: string;
    sha: string;
    /** The immutable tag every image of this release is pushed under: the git sha (F06). */
    imageTag: string;
    services: ServicePlan[];
    /** Changed services, catalogue order. */
    toRoll: string[];
    /** Changed services by rollout level; a level waits for the levels before it (F11). */
    levels: string[][];
    migration: MigrationPlan;
    /** berth:images for the rollout update: released digests overlaid with this release's digests. */
    imagesAfter: Record<string, string>;
    /** Changed services whose digest is known only after their build and push. */
    awaitingDigests: string[];
    /** ECR tags to add once the release is verified: `rel-<release id>` on every image of the released set. */
    releaseTags: ReleaseTag[];
    nothingToDo: boolean;
    counts: { builds: number; reused: number; rollouts: number };
    /** Set by a promotion (`deploy --promote-from`): the source release; nothing is built. */
    promotedFrom?: PromotedFrom;
}

export interface ReleaseInput {
    sha: string;
    /** Epoch milliseconds at the start of the release. */
    time: number;
    outputs: EnvironmentOutputs;
    released: ReleasedSet | undefined;
    /** service → current build-context digest (infra/buildContext.ts). */
    contextDigests: Record<string, string>;
    /** service → digest already in the repository under the plan's image tag (imageTagFor). */
    existingTags: Record<string, string>;
    /** --allow-dirty with uncommitted changes: images get a tag of their own (imageTagFor), never the sha's. */
    dirty?: boolean;
    /** --services: restricts the release; dependencies are not added. */
    only?: readonly string[];
    skipMigration?: boolean;
}

const SHA = /^[0-9a-f]{40}$/;

/**
 * The tag images of this release are pushed under: the git sha for a clean tree; for a dirty one (--allow-dirty)
 * `<sha>-dirty-<12 hex of a digest over every service's build-context digest>`, so a dirty build never shares the
 * sha's tag (and its reuse) with a clean build, and the same dirty tree reuses its own images. 40 + 7 + 12 = 59
 * characters, within ECR's 128.
 */
export function imageTagFor(sha: string, dirtyContexts?: Record<string, string>): string {
    if (!dirtyContexts) return sha;
    const canonical = Object.keys(dirtyContexts)
        .sort()
        .map((name) => `${name}=${dirtyContexts[name]}`)
        .join("\n");
    return `${sha}-dirty-${createHash("sha256").update(canonical).digest("hex").slice(0, 12)}`;
}

/** `20260314-091502-1a2b3c4` (UTC time, short sha): sortable, unique per commit and second, a valid ECR tag. */
export function makeReleaseId(time: number, sha: string): string {
    const iso = new Date(time).toISOString(); // 2026-03-14T09:15:02.123Z
    const stamp = `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
    return `${stamp}-${sha.slice(0, 7)}`;
}

/**
 * The services each changed service must wait for among the changed ones. Edges through unchanged services
 * count: the engine still orders B after A when B waits for an unchanged C that waits for A.
 */
export function changedLevels(outputs: EnvironmentOutputs, changed: readonly string[]): string[][] {
    const rolling = new Set(changed);
    const reach = (name: string, seen: Set<string>): void => {
        for (const dep of outputs.services[name]?.waitsFor ?? []) {
            if (seen.has(dep)) continue;
            seen.add(dep);
            reach(dep, seen);
        }
    };
    const edges = new Map<string, string[]>();
    for (const name of changed) {
        const seen = new Set<string>();
        reach(name, seen);
        edges.set(name, [...seen].filter((d) => rolling.has(d)).sort());
    }
    return changed.length === 0 ? [] : rolloutLevels(edges);
}

function selected(outputs: EnvironmentOutputs, only: readonly string[] | undefined): Set<string> {
    const known = Object.keys(outputs.services);
    if (only === undefined) return new Set(known);
    const unknown = only.filter((s) => !known.includes(s));
    if (unknown.length > 0) {
        throw new PlanInputError(`--services names ${unknown.join(", ")}, not in this stack's catalogue; known services: ${known.join(", ")}`);
    }
    if (only.length === 0) throw new PlanInputError(`--services is empty; known services: ${known.join(", ")}`);
    return new Set(only);
}

function classify(name: string, isSelected: boolean, contextDigest: string, released: ReleasedSet | undefined): Pick<ServicePlan, "changed" | "reason" | "previousDigest"> {
    const previousDigest = released?.images[name];
    if (!isSelected) return { changed: false, reason: "not selected", previousDigest };
    if (previousDigest === undefined) return { changed: true, reason: "never released", previousDigest };
    // A released image without a recorded context cannot be proven current: rebuild it.
    if (released?.contexts[name] !== contextDigest) return { changed: true, reason: "context changed", previousDigest };
    return { changed: false, reason: "unchanged", previousDigest };
}

export function planRelease(input: ReleaseInput): ReleasePlan {
    const { outputs, released } = input;
    if (!SHA.test(input.sha)) throw new PlanInputError(`${JSON.stringify(input.sha)} is not a full git sha (40 lower-case hex digits)`);
    const names = Object.keys(outputs.services);
    const chosen = selected(outputs, input.only);
    const missing = names.filter((n) => !input.contextDigests[n]);
    if (missing.length > 0) throw new PlanInputError(`no build-context digest for ${missing.join(", ")}`);
    for (const [svc, digest] of Object.entries(input.existingTags)) {
        if (!DIGEST.test(digest)) throw new PlanInputError(`existing tag ${input.sha} of ${svc} has no sha256 digest (${digest})`);
    }

    const services: ServicePlan[] = names.map((name) => {
        const contextDigest = input.contextDigests[name];
        const verdict = classify(name, chosen.has(name), contextDigest, released);
        const existing = input.existingTags[name];
        const action: ImageAction = !verdict.changed ? "none" : existing ? "reuse-tag" : "build";
        return {
            name,
            ...verdict,
            contextDigest,
            action,
            ...(action === "reuse-tag" ? { digest: existing } : {}),
        };
    });
    const toRoll = services.filter((s) => s.changed).map((s) => s.name);
    const releaseId = makeReleaseId(input.time, input.sha);
    const plan: ReleasePlan = {
        releaseId,
        sha: input.sha,
        imageTag: imageTagFor(input.sha, input.dirty ? input.contextDigests : undefined),
        services,
        toRoll,
        levels: changedLevels(outputs, toRoll),
        migration: planMigration(outputs, toRoll, input.skipMigration ?? false),
        imagesAfter: {},
        awaitingDigests: [],
        releaseTags: [],
        nothingToDo: toRoll.length === 0,
        counts: {
            builds: services.filter((s) => s.action === "build").length,
            reused: services.filter((s) => s.action === "reuse-tag").length,
            rollouts: toRoll.length,
        },
    };
    return completeImages(plan, outputs, released);
}

export function planMigration(outputs: EnvironmentOutputs, toRoll: readonly string[], skip: boolean): MigrationPlan {
    const migration = outputs.migration;
    if (!migration) return { runs: false, why: "no migration configured" };
    const service = migration.service;
    if (!toRoll.includes(service)) return { runs: false, service, why: `${service} is not changing` };
    if (skip) return { runs: false, service, why: "--skip-migration" };
    return { runs: true, service, why: `${service} is changing` };
}

export function completeImages(plan: ReleasePlan, outputs: EnvironmentOutputs, released: ReleasedSet | undefined): ReleasePlan {
    const imagesAfter: Record<string, string> = { ...(released?.images ?? {}) };
    // A released set may name a service the catalogue no longer has: it is not ours to set.
    for (const name of Object.keys(imagesAfter)) if (!outputs.services[name]) delete imagesAfter[name];
    const awaitingDigests: string[] = [];
    for (const s of plan.services) {
        if (!s.changed) continue;
        if (s.digest) imagesAfter[s.name] = s.digest;
        else {
            delete imagesAfter[s.name];
            awaitingDigests.push(s.name);
        }
    }
    const tag = `${RELEASED_TAG_PREFIX}${plan.releaseId}`;
    const releaseTags = plan.services
        .filter((s) => s.changed || imagesAfter[s.name] !== undefined)
        .map((s) => ({ service: s.name, repositoryName: repositoryName(outputs.services[s.name].repositoryUrl), tag, digest: imagesAfter[s.name] }));
    return { ...plan, imagesAfter, awaitingDigests, releaseTags };
}

/** The plan once builds have pushed: every changed service's digest known. Throws on a missing or odd digest. */
export function withDigests(plan: ReleasePlan, digests: Record<string, string>): ReleasePlan {
    const missing = plan.awaitingDigests.filter((s) => !digests[s]);
    if (missing.length > 0) throw new Error(`no pushed digest for ${missing.join(", ")}`);
    for (const s of plan.awaitingDigests) {
        if (!DIGEST.test(digests[s])) throw new Error(`pushed digest of ${s} is not sha256:<64 hex> (${digests[s]})`);
    }
    const services = plan.services.map((s) => (plan.awaitingDigests.includes(s.name) ? { ...s, digest: digests[s.name] } : s));
    const imagesAfter = { ...plan.imagesAfter };
    for (const s of plan.awaitingDigests) imagesAfter[s] = digests[s];
    const releaseTags = plan.releaseTags.map((t) => ({ ...t, digest: imagesAfter[t.service] }));
    return { ...plan, services, imagesAfter, awaitingDigests: [], releaseTags };
}

/** The released set to write after a verified release (the program reads it on the next `pulumi up`). */
export function releasedSetAfter(plan: ReleasePlan, released: ReleasedSet | undefined, releasedAt: number): ReleasedSet {
    if (plan.awaitingDigests.length > 0) throw new Error(`digests still unknown for ${plan.awaitingDigests.join(", ")}`);
    const contexts: Record<string, string> = {};
    for (const name of Object.keys(plan.imagesAfter)) {
        const s = plan.services.find((x) => x.name === name);
        const ctx = s?.changed ? s.contextDigest : released?.contexts[name];
        if (ctx) contexts[name] = ctx;
    }
    return {
        version: 1,
        releaseId: plan.releaseId,
        sha: plan.sha,
        releasedAt: new Date(releasedAt).toISOString(),
        images: { ...plan.imagesAfter },
        contexts,
        ...(plan.promotedFrom ? { promotedFrom: plan.promotedFrom } : {}),
    };
}
