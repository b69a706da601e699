// `deploy --dry-run` after planning: prints the exact request each mutating stage would send (build, the
// prepare update, RunTask, the rollout update, ECR tags, the released set, the outcome) and ends with "DRY RUN OK".
import type { EnvironmentOutputs } from "../plan/outputs";
import type { ReleasePlan } from "../plan/release";
import type { ImageCopy } from "../plan/promotion";
import type { ReleaseRecord } from "../plan/report";
import type { ReleasedSet } from "../ports";
import { outcomesParameter } from "../adapters/releaseStore";
import { buildRequest } from "./build";
import { migrationRequest } from "./migrate";
import { imagesBefore, type Run } from "./record";
import type { StageContext } from "./types";

export interface DryRunOptions {
    projectDir: string;
    stackName: string;
    parallel: number;
    /** A promotion's image copies (nothing is built then). */
    copies?: ImageCopy[];
}

export function dryRun(ctx: StageContext, run: Run, plan: ReleasePlan, outputs: EnvironmentOutputs, released: ReleasedSet | undefined, options: DryRunOptions): ReleaseRecord {
    const log = ctx.deps.progress;
    const placeholder = (s: string) => `<digest pushed for ${s}>`;
    const after = { ...plan.imagesAfter };
    for (const s of plan.awaitingDigests) after[s] = placeholder(s);
    for (const s of plan.services.filter((x) => x.action === "build")) {
        const req = buildRequest(plan, outputs, options.projectDir, s.name);
        log(`[dry-run] would build ${JSON.stringify(req)} and push ${req.imageRef}`);
    }
    for (const c of options.copies ?? []) log(`[dry-run] would copy ${c.from}@${c.digest} to ${c.to} by digest (registry API), unless it is there already, and verify the digest (${c.service})`);
    const before = imagesBefore(plan);
    if (plan.migration.runs) {
        const owner = plan.migration.service!;
        log(`[dry-run] would set berth:images = ${JSON.stringify(before)}`);
        log(`[dry-run] would set berth:migrationImage = ${after[owner]} (the new image of ${owner}, for the migration task definition only)`);
        log(`[dry-run] would update stack ${options.stackName}: the migration task definition and any pending infrastructure change; no service changes`);
        const m = outputs.migration!;
        log(`[dry-run] would RunTask ${JSON.stringify(migrationRequest(m, `<migration task definition registered by that update; now ${m.taskDefinitionArn}>`, plan.releaseId))}`);
    }
    log(`[dry-run] would set berth:images = ${JSON.stringify(after)}${plan.migration.runs ? " and remove berth:migrationImage" : ""}`);
    log(`[dry-run] would update stack ${options.stackName} (parallel ${options.parallel}), rolling ${plan.levels.map((l) => l.join(" + ")).join(" → ")}`);
    for (const t of plan.releaseTags) log(`[dry-run] would tag ${t.repositoryName}@${t.digest ?? placeholder(t.service)} as ${t.tag}`);
    log(`[dry-run] would write the released set (${outputs.releasedImagesParameter}) with images ${JSON.stringify(after)}`);
    log(`[dry-run] would add the run's final state to the outcome history (${outcomesParameter(outputs.releasedImagesParameter)})`);
    run.stage(options.copies ? "copy" : "build", "skipped", "dry run");
    log("DRY RUN OK");
    return run.finish("NOTHING_TO_DO", released?.images ?? before, `dry run: nothing was changed; ${plan.counts.rollouts} service(s) would roll`);
}
