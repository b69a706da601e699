// The stages of a promotion (`deploy --promote-from <stack>[:<release>]`) that replace resolve and build: read the
// source stack and its verified releases, plan the target from the chosen release (plan/promotion.ts), then bring
// each image into the target's repositories by digest. The rest of the release (migrate, rollout, verify, rollback,
// record) is the deploy's own.
import { StackOutputsError, parseStackOutputs, type EnvironmentOutputs } from "../plan/outputs";
import { chooseSourceRelease, planPromotion, type ImageCopy, type PromoteFrom } from "../plan/promotion";
import { PlanInputError, type ReleasePlan } from "../plan/release";
import type { PromotionPort, ReleasedSet } from "../ports";
import { checkTree, readOutputs } from "./resolve";
import { ReleaseInputError, type StageContext } from "./types";
import { isAbort, message } from "./util";

export interface PromotionResolved {
    outputs: EnvironmentOutputs;
    released: ReleasedSet | undefined;
    plan: ReleasePlan;
    copies: ImageCopy[];
}

export interface PromoteOptions {
    promoteFrom: PromoteFrom;
    stackName: string;
    services?: string[];
    allowDirty: boolean;
    skipMigration: boolean;
}

function promotionPort(ctx: StageContext): PromotionPort {
    if (!ctx.deps.promotion) throw new Error("deploy --promote-from needs the promotion ports (compose them with promoteFrom)");
    return ctx.deps.promotion;
}

/** Reads both stacks and plans the target from the source release. Only reads. */
export async function resolvePromotion(ctx: StageContext, options: PromoteOptions): Promise<PromotionResolved> {
    const { deps } = ctx;
    const from = options.promoteFrom;
    if (from.stack === options.stackName) throw new ReleaseInputError(`--promote-from ${from.stack} names the stack being deployed; promote from another stack`);
    // No build, but the program that runs the update is this checkout's: the same clean-tree rule as a release.
    await checkTree(ctx, options.allowDirty, (head) => `the infrastructure program would not match commit ${head.slice(0, 12)}`);
    const outputs = await readOutputs(ctx);
    const released = await deps.store.readReleased();
    const source = await promotionPort(ctx).readSource(from.stack);
    let sourceOutputs: EnvironmentOutputs;
    try {
        sourceOutputs = parseStackOutputs(source.outputs);
    } catch (error) {
        if (error instanceof StackOutputsError) throw new ReleaseInputError(`the outputs of the source stack ${from.stack} are unusable: ${error.message}`);
        throw error;
    }
    const chosen = chooseSourceRelease({
        from,
        history: source.history,
        released: source.released,
        outcomes: source.outcomes,
        ...(source.outcomesProblem ? { outcomesProblem: source.outcomesProblem } : {}),
        updates: source.updates,
    });
    ctx.log(chosen.why);
    try {
        const promotion = planPromotion({
            source: { stack: from.stack, set: chosen.set, outputs: sourceOutputs },
            target: outputs,
            targetReleased: released,
            time: deps.clock.now(),
            ...(options.services ? { only: options.services } : {}),
            skipMigration: options.skipMigration,
        });
        if (promotion.notInSource.length > 0) ctx.log(`${promotion.notInSource.join(", ")}: not in release ${chosen.set.releaseId} of ${from.stack}; they keep their current image`);
        if (promotion.notInTarget.length > 0) ctx.log(`${promotion.notInTarget.join(", ")} of ${from.stack} are not in this stack's catalogue: not promoted`);
        return { outputs, released, plan: promotion.plan, copies: promotion.copies };
    } catch (error) {
        if (error instanceof PlanInputError) throw new ReleaseInputError(error.message);
        throw error;
    }
}

export type CopyOutcome = { ok: true; lines: string[] } | { ok: false; service: string; reason: string; interrupted: boolean };

/** Brings every image over, one after the other (the registry is the bottleneck, not berth); the first failure stops. */
export async function copyImages(ctx: StageContext, copies: ImageCopy[]): Promise<CopyOutcome> {
    const port = promotionPort(ctx);
    const lines: string[] = [];
    for (const c of copies) {
        try {
            // Retries (reads, a broken upload session) live in the registry adapter.
            const result = await port.images.copy(c, ctx.signal);
            const line = `${c.service} ${c.digest}: ${result.detail}`;
            ctx.log(line);
            lines.push(line);
        } catch (error) {
            const interrupted = isAbort(error, ctx.signal);
            return { ok: false, service: c.service, reason: interrupted ? "interrupted" : `copying ${c.digest} from ${c.from} to ${c.to} failed: ${message(error)}`, interrupted };
        }
    }
    return { ok: true, lines };
}
