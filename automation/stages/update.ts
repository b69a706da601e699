// Stack updates (stages 3, 5, 7): one update with berth:images (and berth:migrationImage for stage 3) as its config, with live per-service progress from engine
// events (never scraped text), and report what the engine said. Interruption is the engine's graceful stop.
import { ProgressTracker } from "../plan/events";
import { StackLockedError, UpdateResult } from "../ports";
import type { StageContext } from "./types";
import { isAbort, message } from "./util";

export type UpdateOutcome =
    | { kind: "done"; result: UpdateResult; tracker: ProgressTracker; failedServices: string[] }
    | { kind: "interrupted"; tracker: ProgressTracker }
    | { kind: "locked"; error: StackLockedError }
    | { kind: "error"; error: Error };

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
}

export async function stackUpdate(ctx: StageContext, request: UpdateRequest): Promise<UpdateOutcome> {
    const { deps } = ctx;
    const tracker = new ProgressTracker(request.services);
    const failedServices: string[] = [];
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
        return { kind: "done", result, tracker, failedServices };
    } catch (error) {
        if (isAbort(error, ctx.signal)) return { kind: "interrupted", tracker };
        if (error instanceof StackLockedError) return { kind: "locked", error };
        ctx.log(`stack update failed: ${message(error)}`);
        return { kind: "error", error: error instanceof Error ? error : new Error(String(error)) };
    }
}
