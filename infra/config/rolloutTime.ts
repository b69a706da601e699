// How long one service takes to roll out, from its settings (F17): the model behind the program's
// critical-path-first declaration order and `npm run bench:rollout`. Pure.

/** The part of ServiceSettings the duration model reads (infra/config/settings.ts). */
export interface DurationInputs {
    routes: readonly string[];
    deregistrationDelaySeconds: number;
    stopTimeoutSeconds: number;
    healthCheck: { intervalSeconds: number; healthyThreshold: number; container?: { intervalSeconds: number } };
}

export interface DurationModel {
    /** Fargate provisioning + image pull (no image cache) + process start, seconds. */
    taskStartSeconds: number;
    /** ECS scheduler reaction and deployment bookkeeping, seconds. */
    schedulerSeconds: number;
    /** Time a well-behaved process needs after SIGTERM; capped by the service's stopTimeout. */
    shutdownSeconds: number;
}

export const DEFAULT_MODEL: DurationModel = { taskStartSeconds: 40, schedulerSeconds: 15, shutdownSeconds: 5 };

/**
 * duration = scheduler + taskStart + healthy + drain + stop, where
 *   healthy = max(routed ? healthyThreshold × interval : 0, container check ? its interval : 0)
 *             (the ALB wants `healthyThreshold` passing checks — conservative: FACTS says a new target may
 *             need only one; the grace period only masks failures and adds no time on a healthy start);
 *   drain   = routed ? deregistrationDelay : 0 (the old task leaves the target group before it stops);
 *   stop    = min(stopTimeout, shutdown).
 * minimumHealthyPercent 100 / maximumPercent 200 start every replacement at once, so desiredCount adds nothing.
 */
export function rolloutDuration(s: DurationInputs, model: DurationModel = DEFAULT_MODEL): number {
    const routed = s.routes.length > 0;
    const alb = routed ? s.healthCheck.healthyThreshold * s.healthCheck.intervalSeconds : 0;
    const container = s.healthCheck.container?.intervalSeconds ?? 0;
    const drain = routed ? s.deregistrationDelaySeconds : 0;
    return model.schedulerSeconds + model.taskStartSeconds + Math.max(alb, container) + drain + Math.min(s.stopTimeoutSeconds, model.shutdownSeconds);
}
