// Stage 1 of a release: sha and dirty check, outputs, released set, context digests, existing tags,
// then the pure plan. Only reads; a locked stack is found here by a preview, before anything is built.
import * as path from "path";
import { parseStackOutputs, repositoryName, StackOutputsError, EnvironmentOutputs } from "../plan/outputs";
import { planRelease, PlanInputError, ReleasePlan } from "../plan/release";
import type { ReleasedSet } from "../ports";
import { ReleaseInputError, StageContext } from "./types";

export async function readOutputs(ctx: StageContext): Promise<EnvironmentOutputs> {
    const raw = await ctx.deps.stack.outputs();
    try {
        return parseStackOutputs(raw);
    } catch (error) {
        if (error instanceof StackOutputsError) throw new ReleaseInputError(error.message);
        throw error;
    }
}

export interface Resolved {
    sha: string;
    outputs: EnvironmentOutputs;
    released: ReleasedSet | undefined;
    plan: ReleasePlan;
}

export interface ResolveOptions {
    projectDir: string;
    services?: string[];
    allowDirty: boolean;
    skipMigration: boolean;
}

/** The commit and its uncommitted paths; a dirty tree is refused unless --allow-dirty. */
export async function checkTree(ctx: StageContext, allowDirty: boolean, why: (sha: string) => string): Promise<{ sha: string; dirty: string[] }> {
    const sha = await ctx.deps.source.headSha();
    const dirty = await ctx.deps.source.dirtyPaths();
    if (dirty.length > 0 && !allowDirty) {
        throw new ReleaseInputError(`the working tree has uncommitted changes, so ${why(sha)}:\n${dirty.map((p) => `  - ${p}`).join("\n")}\ncommit or stash them, or pass --allow-dirty`);
    }
    if (dirty.length > 0) ctx.log(`warning: releasing a dirty tree (--allow-dirty): ${dirty.join(", ")}`);
    return { sha, dirty };
}

export async function resolveRelease(ctx: StageContext, options: ResolveOptions): Promise<Resolved> {
    const { deps } = ctx;
    const { sha, dirty } = await checkTree(ctx, options.allowDirty, (head) => `the images would not match commit ${head.slice(0, 12)} (F06)`);
    const outputs = await readOutputs(ctx);
    const released = await deps.store.readReleased();
    const contextDigests: Record<string, string> = {};
    for (const [name, svc] of Object.entries(outputs.services)) {
        contextDigests[name] = deps.contextDigest(path.resolve(options.projectDir, svc.buildContext), svc.dockerfile);
    }
    const input = { sha, time: deps.clock.now(), outputs, released, contextDigests, only: options.services, skipMigration: options.skipMigration, dirty: dirty.length > 0 };
    let plan: ReleasePlan;
    try {
        const first = planRelease({ ...input, existingTags: {} });
        // An image whose tag already exists in the immutable repository is reused, not rebuilt (F06). A dirty tree
        // looks up its own tag (<sha>-dirty-<contexts>), never the clean build of the sha.
        const existingTags: Record<string, string> = {};
        const tag = first.imageTag;
        if (tag !== sha) ctx.log(`dirty tree: images are tagged ${tag}, not ${sha.slice(0, 12)}`);
        for (const name of first.toRoll) {
            const repo = repositoryName(outputs.services[name].repositoryUrl);
            const found = await deps.registry.digestOf(repo, tag);
            if (found) existingTags[name] = found;
        }
        plan = planRelease({ ...input, existingTags });
    } catch (error) {
        if (error instanceof PlanInputError) throw new ReleaseInputError(error.message);
        throw error;
    }
    return { sha, outputs, released, plan };
}

/** A preview of the stack as configured now: fails fast with StackLockedError when another update holds the stack (before any build). */
export async function previewStack(ctx: StageContext): Promise<void> {
    await ctx.deps.stack.preview({ signal: ctx.signal, message: "berth: release preflight" });
}

export function planLines(plan: ReleasePlan): string[] {
    const p = plan.promotedFrom;
    const lines = [
        p
            ? `release ${plan.releaseId} of ${plan.sha.slice(0, 12)}, promoted from stack ${p.stack} release ${p.releaseId}: ${plan.counts.rollouts} to roll (nothing to build)`
            : `release ${plan.releaseId} of ${plan.sha.slice(0, 12)}: ${plan.counts.rollouts} to roll (${plan.counts.builds} to build, ${plan.counts.reused} reused)`,
    ];
    const how = (s: ReleasePlan["services"][number]) => (s.action === "reuse-tag" ? `reuse ${plan.imageTag.slice(0, 12)} (${s.digest})` : s.action === "copy" ? `copy ${s.digest}` : "build");
    for (const s of plan.services) {
        if (!s.changed) continue;
        lines.push(`  ${s.name}: ${s.reason}, ${how(s)}`);
    }
    const unchanged = plan.services.filter((s) => !s.changed).map((s) => s.name);
    if (unchanged.length > 0) lines.push(`  unchanged: ${unchanged.join(", ")}`);
    if (plan.levels.length > 0) lines.push(`  rollout order: ${plan.levels.map((l) => l.join(" + ")).join(" → ")}`);
    lines.push(`  migration: ${plan.migration.runs ? "runs" : "does not run"} (${plan.migration.why})`);
    return lines;
}
