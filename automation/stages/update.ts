// Stack updates (stages 3, 5, 7): one update with berth:images (and berth:migrationImage for stage 3) as its config, with live per-service progress from engine
// events (never scraped text), and report what the engine said. Interruption is the engine's graceful stop.
// With `watch`, the rollout watch follows each service's ECS deployment while the update runs and answers its hooks.
import type { RolloutRecord } from "../plan/deployments";
import { ProgressTracker } from "../plan/events";
import { StackLockedError, UpdateResult } from "../ports";
import { RolloutWatch, type WatchRequest } from "./deployments";
import type { StageContext } from "./types";
import { isAbort, message } from "./util";

/** service → what the rollout watch saw and did (only for an update with `watch`). */
export type Rollouts = Record<string, RolloutRecord>;

export type UpdateOutcome =
    | { kind: "done"; result: UpdateResult; tracker: ProgressTracker; failedServices: string[]; rollouts?: Rollouts }
    | { kind: "interrupted"; tracker: ProgressTracker; rollouts?: Rollouts }
    | { kind: "locked"; error: StackLockedError }
    | { kind: "error"; error: Error; rollouts?: Rollouts };

export interface UpdateRequest {
    images: Record<string, string>;
    /**
     * berth:migrationImage: only the migration task definition takes this digest (the prepare update, F02);
     * undefined removes the key, so the migration follows its owner service again.
     */
    migrationImage?: string;
    /** Services expected to roll (for the progress tracker). */
    services: string[];
    parallel?: number;
    message: string;
    /** Follow and steer the ECS deployments of `watch.services` (default: `services`) while the update runs. */
    watch?: Omit<WatchRequest, "services"> & { services?: string[] };
}

export async function stackUpdate(ctx: StageContext, request: UpdateRequest): Promise<UpdateOutcome> {
    const { deps } = ctx;
    const tracker = new ProgressTracker(request.services);
    const failedServices: string[] = [];
    const watched = request.watch?.services ?? request.services;
    const stateOf = (service: string) => tracker.snapshot(deps.clock.now() / 1000).find((p) => p.service === service)?.state;
    const hasStarted = (service: string) => stateOf(service) !== "waiting";
    const isAccepted = (service: string) => stateOf(service) === "stable";
    const watch = request.watch && watched.length > 0 ? new RolloutWatch(ctx, { hasStarted, isAccepted, ...request.watch, services: watched }).start() : undefined;
    const rollouts = async (updateFailed?: string) => (watch ? { rollouts: await watch.finish({ updateFailed }) } : {});
    try {
        const options = {
            config: { images: request.images, ...(request.migrationImage === undefined ? {} : { migrationImage: request.migrationImage }) },
            signal: ctx.signal,
            parallel: request.parallel,
            message: request.message,
            onEvent: (event: Parameters<ProgressTracker["consume"]>[0]) => {
                const line = tracker.consume(event);
                if (line) ctx.log(line);
            },
        };
        const result = await deps.stack.up(options);
        for (const p of tracker.snapshot(deps.clock.now() / 1000)) if (p.state === "failed") failedServices.push(p.service);
        // Traffic-shifting deployments the engine did not wait for may still run: a failed update sends them back.
        const failed = result.result === "succeeded" ? undefined : `the stack update ${result.result}${failedServices.length > 0 ? ` (${failedServices.join(", ")})` : ""}`;
        return { kind: "done", result, tracker, failedServices, ...(await rollouts(failed)) };
    } catch (error) {
        const watched = await rollouts(isAbort(error, ctx.signal) ? undefined : `the stack update failed: ${message(error)}`);
        if (isAbort(error, ctx.signal)) return { kind: "interrupted", tracker, ...watched };
        if (error instanceof StackLockedError) return { kind: "locked", error };
        ctx.log(`stack update failed: ${message(error)}`);
        return { kind: "error", error: error instanceof Error ? error : new Error(String(error)), ...watched };
    }
}
