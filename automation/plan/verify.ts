// Pure verdicts over verification evidence (F07, F12, F13): ECS rollout state and counts, task definition
// identity, target health, HTTP smoke and reported version; and when waiting longer is pointless.
import type { Deployment, ServiceStatus, TargetHealth } from "../ports";

export interface SmokeResult {
    url: string;
    /** Final HTTP status after the stage's bounded retries; absent when no response came. */
    status?: number;
    error?: string;
    /** `version` from a /health body, when the service reports one. */
    version?: string;
}

export interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

export interface ServiceVerdict {
    service: string;
    ok: boolean;
    checks: Check[];
}

export interface VerifyInput {
    service: string;
    status: ServiceStatus | undefined;
    /** taskDefinitionArn from the stack outputs after the update: what berth registered. */
    expectedTaskDefinition: string;
    /** Undefined when the service has no target group (not routed). */
    targets?: TargetHealth[];
    smoke: SmokeResult[];
    sha: string;
}

/** `arn:…:task-definition/berth-dev-api:7` → `berth-dev-api:7`. */
export function taskDefinitionLabel(arn: string): string {
    return arn.slice(arn.lastIndexOf("/") + 1);
}

function primaryOf(status: ServiceStatus): Deployment | undefined {
    return status.deployments.find((d) => d.status === "PRIMARY");
}

/** A reported version matches the full sha or an unambiguous prefix of it (≥ 7 hex, as `git rev-parse --short`). */
export function versionMatches(reported: string, sha: string): boolean {
    return reported === sha || (reported.length >= 7 && sha.startsWith(reported));
}

export function verifyService(input: VerifyInput): ServiceVerdict {
    const { status } = input;
    const checks: Check[] = [];
    const expected = taskDefinitionLabel(input.expectedTaskDefinition);
    if (!status || status.status !== "ACTIVE") {
        checks.push({ name: "service active", ok: false, detail: status ? `service is ${status.status}` : "ECS does not know the service" });
        return { service: input.service, ok: false, checks };
    }
    const primary = primaryOf(status);
    checks.push(
        !primary
            ? { name: "deployment completed", ok: false, detail: "no PRIMARY deployment" }
            : {
                  name: "deployment completed",
                  ok: primary.rolloutState === "COMPLETED",
                  detail: `primary deployment ${primary.rolloutState ?? "has no rollout state (circuit breaker off?)"}${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}`,
              },
    );
    checks.push({
        name: "running = desired",
        ok: status.runningCount === status.desiredCount && status.pendingCount === 0 && status.desiredCount > 0,
        detail: `${status.runningCount} running, ${status.pendingCount} pending, ${status.desiredCount} desired`,
    });
    const others = status.deployments.filter((d) => d !== primary);
    checks.push({
        name: "no other deployment",
        ok: others.length === 0,
        detail: others.length === 0 ? "one deployment" : others.map((d) => `${d.status} ${taskDefinitionLabel(d.taskDefinition)} (${d.runningCount} running)`).join(", "),
    });
    const running = primary?.taskDefinition ?? status.taskDefinition;
    const same = running === input.expectedTaskDefinition && status.taskDefinition === input.expectedTaskDefinition;
    checks.push({
        name: "task definition",
        ok: same,
        detail: same
            ? `runs ${expected}`
            : `runs ${taskDefinitionLabel(running)}, the stack registered ${expected} — ECS rolled back or never took the update, whatever the stack update reported`,
    });
    if (input.targets !== undefined) checks.push(targetCheck(input.targets, status.desiredCount));
    if (input.smoke.length > 0) {
        const bad = input.smoke.filter((r) => r.status === undefined || r.status < 200 || r.status > 299);
        checks.push({
            name: "smoke",
            ok: bad.length === 0,
            detail: bad.length === 0 ? input.smoke.map((r) => `${r.url} ${r.status}`).join(", ") : bad.map((r) => `${r.url} ${r.status ?? r.error ?? "no response"}`).join(", "),
        });
        const versions = input.smoke.filter((r) => r.version !== undefined);
        if (versions.length > 0) {
            const wrong = versions.filter((r) => !versionMatches(r.version!, input.sha));
            checks.push({
                name: "version",
                ok: wrong.length === 0,
                detail: wrong.length === 0 ? `reports ${input.sha.slice(0, 12)}` : wrong.map((r) => `${r.url} reports ${r.version}, expected ${input.sha}`).join(", "),
            });
        }
    }
    return { service: input.service, ok: checks.every((c) => c.ok), checks };
}

/**
 * Every target that is not draining must be healthy, and at least `desired` of them. Draining targets are
 * the old tasks on their way out (deregistration delay) and do not fail a release that already completed.
 */
function targetCheck(targets: TargetHealth[], desired: number): Check {
    const live = targets.filter((t) => t.state !== "draining");
    const unhealthy = live.filter((t) => t.state !== "healthy");
    const healthy = live.length - unhealthy.length;
    if (unhealthy.length > 0) {
        return { name: "targets healthy", ok: false, detail: unhealthy.map((t) => `${t.targetId} ${t.state}${t.reason ? ` (${t.reason})` : ""}`).join(", ") };
    }
    return { name: "targets healthy", ok: healthy >= desired && healthy > 0, detail: `${healthy} healthy of ${desired} desired` };
}

/** ECS's circuit-breaker failure threshold: 0.5 × desired count rounded up, clamped to [3, 200]. */
export function circuitBreakerThreshold(desiredCount: number): number {
    return Math.min(200, Math.max(3, Math.ceil(0.5 * desiredCount)));
}

export interface Hopeless {
    hopeless: boolean;
    reason?: string;
}

/**
 * Whether verification should stop waiting. Decision (F13): stop at once when ECS has given up (deployment
 * FAILED, service inactive) or rolled back (the primary deployment no longer runs the registered task
 * definition); when the new deployment's failed tasks reach the circuit-breaker threshold (ECS is about to
 * roll back); and — so a one-task service does not cost three failed task starts — after a single failed
 * task once the stage's own checks (targets, smoke) have already failed. A task failure with all other
 * checks still pending keeps waiting: ECS replaces tasks lost to capacity or a slow image pull.
 */
export function isHopeless(status: ServiceStatus | undefined, expectedTaskDefinition: string, options: { ownChecksFailed?: boolean } = {}): Hopeless {
    if (!status) return { hopeless: true, reason: "ECS does not know the service" };
    if (status.status !== "ACTIVE") return { hopeless: true, reason: `service is ${status.status}` };
    const primary = primaryOf(status);
    if (!primary) return { hopeless: true, reason: "no PRIMARY deployment" };
    if (primary.rolloutState === "FAILED") return { hopeless: true, reason: `deployment FAILED${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}` };
    if (primary.taskDefinition !== expectedTaskDefinition) {
        return { hopeless: true, reason: `ECS rolled back to ${taskDefinitionLabel(primary.taskDefinition)} (registered ${taskDefinitionLabel(expectedTaskDefinition)})` };
    }
    const threshold = circuitBreakerThreshold(primary.desiredCount);
    if (primary.failedTasks >= threshold) return { hopeless: true, reason: `${primary.failedTasks} failed tasks reach the circuit-breaker threshold of ${threshold}` };
    if (primary.failedTasks >= 1 && options.ownChecksFailed) {
        return { hopeless: true, reason: `${primary.failedTasks} failed task(s) and the service's own checks failed` };
    }
    return { hopeless: false };
}
