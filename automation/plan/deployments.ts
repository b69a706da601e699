// Pure reading of one ECS service deployment (DescribeServiceDeployments) for the rollout watch: what to do next
// (wait, answer a PAUSE hook, nothing while it bakes), the verdicts berth gives at a hook (green through the test
// route; a canary's 5xx ratio), the outcome, who decided it, and the per-service timeline the report prints.
// Outcomes always come from the deployment's status, for every strategy — never from task counts.
import type { HookAction, LifecycleHookDetail, ServiceDeploymentSnapshot } from "../ports";
import { engineWaitsFor, type RolloutOutputs } from "./outputs";
import { versionMatches, type SmokeResult } from "./verify";

export const TERMINAL_STATUSES = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"] as const;
export const ROLLING_BACK_STATUSES = ["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"] as const;
export type DeploymentOutcome = (typeof TERMINAL_STATUSES)[number] | (typeof ROLLING_BACK_STATUSES)[number];

/** Who decided a deployment's outcome. */
export type Decider = "berth-test" | "berth-canary" | "berth-rollback" | "alarm" | "circuit-breaker" | "hook-timeout" | "ecs";

export const DECIDER_LABELS: Readonly<Record<Decider, string>> = {
    "berth-test": "berth's test",
    "berth-canary": "berth's canary check",
    "berth-rollback": "berth's release rollback",
    alarm: "an alarm",
    "circuit-breaker": "ECS circuit breaker",
    "hook-timeout": "hook timeout",
    ecs: "ECS",
};

/** Stages at which production traffic is (partly) on green: a canary pause there is judged by its 5xx ratio. */
const PRODUCTION_STAGES = new Set(["PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME"]);
const TEST_STAGES = new Set(["TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"]);

/**
 * What berth judges at a hook: green through the test route ("test"); the 5xx ratio of the target groups with
 * production partly on green ("canary"); or, at the step pause before a canary's or linear deployment's first
 * production step, that green already passed its test ("first-step": nothing new to judge, no production on green).
 */
export type HookCheck = "test" | "canary" | "first-step";

export type DeploymentStep =
    | { kind: "waiting"; stage?: string }
    | { kind: "hook"; hook: LifecycleHookDetail; stage: string; check: HookCheck }
    | { kind: "baking"; stage: "BAKE_TIME" }
    | { kind: "rolling-back"; outcome: DeploymentOutcome }
    | { kind: "finished"; outcome: DeploymentOutcome };

export function isTerminal(status: string): boolean {
    return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function isRollingBack(status: string): boolean {
    return (ROLLING_BACK_STATUSES as readonly string[]).includes(status);
}

/** A deployment ECS still runs forward: StopServiceDeployment ROLLBACK takes it back to blue at once. */
export function isStoppable(snapshot: ServiceDeploymentSnapshot): boolean {
    return snapshot.status === "PENDING" || snapshot.status === "IN_PROGRESS";
}

/**
 * What the watch does next for one deployment. `answered`: hook ids berth already answered (ECS may still show
 * them AWAITING_ACTION for a poll or two after ContinueServiceDeployment).
 */
export function nextStep(snapshot: ServiceDeploymentSnapshot, rollout: Pick<RolloutOutputs, "strategy">, answered: ReadonlySet<string>, stepPausesAnswered = 0): DeploymentStep {
    const status = snapshot.status;
    if (isTerminal(status)) return { kind: "finished", outcome: status as DeploymentOutcome };
    if (isRollingBack(status)) return { kind: "rolling-back", outcome: status as DeploymentOutcome };
    const stage = snapshot.lifecycleStage;
    // A hook carries no stage of its own: an AWAITING_ACTION hook waits at the deployment's current stage.
    const hook = snapshot.hooks.find((h) => h.targetType === "PAUSE" && h.status === "AWAITING_ACTION" && !answered.has(h.hookId));
    if (hook && status === "IN_PROGRESS") {
        const at = stage ?? "UNKNOWN";
        return { kind: "hook", hook, stage: at, check: hookCheck(at, rollout.strategy, snapshot, stepPausesAnswered) };
    }
    if (stage === "BAKE_TIME") return { kind: "baking", stage };
    return stage === undefined ? { kind: "waiting" } : { kind: "waiting", stage };
}

/**
 * The check for a hook waiting at `stage`. PRE_PRODUCTION_TRAFFIC_SHIFT of a canary or linear deployment comes once
 * per production step: the first time (berth answered none there yet and ECS reports no production weight on green)
 * nothing has moved; every later time production is partly on green and its 5xx ratio decides. The weight alone is
 * not trusted (ECS calls it a snapshot that may lag), nor is the count alone (a watch may start late).
 */
export function hookCheck(stage: string, strategy: RolloutOutputs["strategy"], snapshot: Pick<ServiceDeploymentSnapshot, "targetTraffic">, stepPausesAnswered: number): HookCheck {
    const steps = strategy === "canary" || strategy === "linear";
    if (steps && stage === "PRE_PRODUCTION_TRAFFIC_SHIFT") return stepPausesAnswered === 0 && !((snapshot.targetTraffic?.production ?? 0) > 0) ? "first-step" : "canary";
    return strategy === "canary" && PRODUCTION_STAGES.has(stage) ? "canary" : "test";
}

export interface Verdict {
    ok: boolean;
    detail: string;
}

/** Green through the test route: every response 200 and, where the body says, this release's version. */
export function judgeGreen(results: readonly SmokeResult[], sha: string): Verdict {
    if (results.length === 0) return { ok: false, detail: "nothing was tested" };
    const problems: string[] = [];
    for (const r of results) {
        if (r.status === undefined) problems.push(`${r.url}: ${r.error ?? "no response"}`);
        else if (r.status !== 200) problems.push(`${r.url}: ${r.status}`);
        else if (r.version === undefined) problems.push(`${r.url}: no version in the body`);
        else if (!versionMatches(r.version, sha)) problems.push(`${r.url}: version ${r.version.slice(0, 12)}, expected ${sha.slice(0, 12)}`);
    }
    if (problems.length > 0) return { ok: false, detail: problems.join("; ") };
    return { ok: true, detail: `${results.map((r) => r.url).join(", ")} 200 on ${sha.slice(0, 12)}` };
}

/** A 5xx ratio above this on the canary's window rolls it back. */
export const CANARY_MAX_5XX_RATIO = 0.01;
/** Fewer requests than this in the window prove nothing either way: the check passes and says so. */
export const CANARY_MIN_REQUESTS = 20;

/**
 * The canary's target 5xx ratio, per target group. ECS alternates which of the service's two target groups is green
 * from one deployment to the next, so both are judged: a group above the ratio fails the canary (a blue group failing
 * while green takes traffic is no reason to move the rest of the traffic either).
 */
export function judgeCanary(groups: readonly { targetGroupArn: string; requests: number; errors5xx: number }[], maxRatio = CANARY_MAX_5XX_RATIO, minRequests = CANARY_MIN_REQUESTS): Verdict {
    const requests = groups.reduce((n, g) => n + g.requests, 0);
    const failing = groups.filter((g) => g.requests > 0 && g.errors5xx / g.requests > maxRatio);
    // `arn:…:targetgroup/<name>/<id>` → `<name>`
    const name = (arn: string) => arn.split("/").slice(-2, -1)[0] ?? arn;
    const pct = (g: { requests: number; errors5xx: number }) => `${((g.errors5xx / Math.max(1, g.requests)) * 100).toFixed(1)}%`;
    if (failing.length > 0) {
        return { ok: false, detail: failing.map((g) => `${name(g.targetGroupArn)} 5xx ${pct(g)} of ${g.requests} requests (limit ${(maxRatio * 100).toFixed(1)}%)`).join("; ") };
    }
    if (requests < minRequests) return { ok: true, detail: `${requests} requests in the canary window: too few to judge` };
    const errors = groups.reduce((n, g) => n + g.errors5xx, 0);
    return { ok: true, detail: `5xx ${pct({ requests, errors5xx: errors })} of ${requests} requests` };
}

export function actionFor(verdict: Verdict): HookAction {
    return verdict.ok ? "CONTINUE" : "ROLLBACK";
}

/** What berth did to one deployment, for deciding who decided. */
export interface BerthActions {
    /** Hooks berth answered, in order. */
    answers: { hookId: string; action: HookAction; check: HookCheck }[];
    /** berth stopped the deployment with ROLLBACK (whole-release rollback). */
    stopped: boolean;
}

/** Who decided a finished (or rolling-back) deployment: berth's own actions first, then what ECS reports. */
export function decidedBy(snapshot: ServiceDeploymentSnapshot, actions: BerthActions): Decider {
    if (snapshot.status === "SUCCESSFUL") {
        const continued = actions.answers.filter((a) => a.action === "CONTINUE");
        if (continued.length === 0) return "ecs";
        return continued[continued.length - 1].check === "canary" ? "berth-canary" : "berth-test";
    }
    if (actions.stopped) return "berth-rollback";
    const rolledBack = actions.answers.find((a) => a.action === "ROLLBACK");
    if (rolledBack) return rolledBack.check === "canary" ? "berth-canary" : "berth-test";
    if ((snapshot.alarms?.triggeredAlarmNames.length ?? 0) > 0 || snapshot.alarms?.status === "TRIGGERED") return "alarm";
    if (snapshot.circuitBreaker?.status === "TRIGGERED") return "circuit-breaker";
    if (snapshot.hooks.some((h) => h.status === "TIMED_OUT")) return "hook-timeout";
    return "ecs";
}

/** One sentence on who decided and why, from the deployment's own reasons. */
export function describeDecision(snapshot: ServiceDeploymentSnapshot, decider: Decider): string {
    const reason = snapshot.rollback?.reason ?? snapshot.statusReason;
    switch (decider) {
        case "alarm":
            return `${DECIDER_LABELS.alarm} (${(snapshot.alarms?.triggeredAlarmNames ?? []).join(", ") || "triggered"})`;
        case "hook-timeout":
            return "the PAUSE hook timed out (its timeout action rolled back)";
        default:
            return reason && decider === "ecs" ? `${DECIDER_LABELS.ecs}: ${reason}` : DECIDER_LABELS[decider];
    }
}

/** First time the watch saw each stage of a deployment (epoch ms), and when it finished. */
export class DeploymentTimeline {
    readonly firstSeen = new Map<string, number>();
    finishedAt?: number;

    observe(snapshot: ServiceDeploymentSnapshot, now: number): void {
        const stage = snapshot.lifecycleStage;
        if (stage && !this.firstSeen.has(stage)) this.firstSeen.set(stage, now);
        if (this.finishedAt === undefined && (isTerminal(snapshot.status) || isRollingBack(snapshot.status))) this.finishedAt = snapshot.finishedAt ?? snapshot.stoppedAt ?? now;
    }

    private first(stages: Iterable<string>): number | undefined {
        const times = [...stages].map((s) => this.firstSeen.get(s)).filter((t): t is number => t !== undefined);
        return times.length === 0 ? undefined : Math.min(...times);
    }

    /** From the test-traffic shift to the production shift (or the end): how long green took test traffic only. */
    testTrafficMs(now: number): number | undefined {
        const from = this.first(TEST_STAGES);
        if (from === undefined) return undefined;
        return (this.first(PRODUCTION_STAGES) ?? this.finishedAt ?? now) - from;
    }

    /** How long the deployment was seen in BAKE_TIME (blue kept beside green with production traffic on green). */
    bakeMs(now: number): number | undefined {
        const from = this.firstSeen.get("BAKE_TIME");
        if (from === undefined) return undefined;
        return (this.first(["CLEAN_UP"]) ?? this.finishedAt ?? now) - from;
    }
}

/** One hook answer berth gave: where, what it found, what it told ECS. */
export interface HookVerdict {
    stage: string;
    action: HookAction;
    ok: boolean;
    detail: string;
    /** ISO time of the answer. */
    at: string;
}

/** What the rollout watch saw and did for one service: the report's strategy columns. */
export interface RolloutRecord {
    strategy: RolloutOutputs["strategy"];
    bakeMinutes: number;
    deploymentArn?: string;
    /** The deployment's last status (SUCCESSFUL, ROLLBACK_SUCCESSFUL, …; IN_PROGRESS when berth stopped looking; NOT_FOUND when no deployment was found for an update ECS accepted). */
    status?: string;
    decidedBy?: Decider;
    /** One sentence naming who decided and why. */
    decision?: string;
    /** berth's test of green through the test route. */
    test?: HookVerdict;
    /** berth's canary check (5xx ratio) before the rest of the traffic moved. */
    canary?: HookVerdict;
    testTrafficMs?: number;
    bakeMs?: number;
    /** berth stopped this deployment inside its bake time (the release rolled back). */
    stoppedInBake?: boolean;
    /** ContinueServiceDeployment was refused (the hook no longer waited): ECS's message. */
    answerRefused?: string;
    /** berth was interrupted while this hook waited: ECS takes its timeout action at expiresAt. */
    leftWaiting?: { hookId: string; expiresAt?: string; timeoutAction: string };
}

/** What a release would do with one service's deployment: the preview's runtime plan columns. */
export interface RolloutPlan {
    strategy: RolloutOutputs["strategy"];
    /** How long green takes test traffic only: until berth's test answers its hook, at most the hook's timeout. */
    testTraffic: string;
    /** What berth checks before production traffic moves. */
    verdict: string;
    bake: string;
    /** Who can decide the outcome. */
    decidedBy: string;
}

const STRATEGY_NAMES: Readonly<Record<RolloutOutputs["strategy"], string>> = { rolling: "rolling", blueGreen: "blue/green", canary: "canary", linear: "linear" };

export function strategyName(strategy: RolloutOutputs["strategy"]): string {
    return STRATEGY_NAMES[strategy];
}

/** Pure: the runtime plan of one service's deployment from its rollout outputs. */
export function planRollout(rollout: RolloutOutputs, healthCheckPath: string): RolloutPlan {
    const deciders: string[] = [];
    const testHook = rollout.pauseHooks.find((h) => h.stage === "POST_TEST_TRAFFIC_SHIFT");
    const alarms = rollout.alarmNames.length > 0 ? [`${rollout.alarmNames.length} alarm${rollout.alarmNames.length === 1 ? "" : "s"}`] : [];
    if (rollout.strategy === "rolling") {
        return { strategy: "rolling", testTraffic: "—", verdict: "— (judged after the rollout by verify)", bake: "—", decidedBy: ["ECS circuit breaker", ...alarms].join(", ") };
    }
    const route = rollout.testTraffic ? `\`${rollout.testTraffic.header}: ${rollout.testTraffic.value}\`` : "no test route";
    const testTraffic = testHook ? `until berth's test answers (hook times out after ${testHook.timeoutMinutes} min → ROLLBACK)` : "no pause: ECS moves on at once";
    let verdict = testHook ? `${healthCheckPath} 200 on this release's sha via ${route}` : "none before production traffic";
    const stepHook = rollout.pauseHooks.find((h) => h.stage === "PRE_PRODUCTION_TRAFFIC_SHIFT");
    const fivexx = `5xx ≤ ${(CANARY_MAX_5XX_RATIO * 100).toFixed(0)}%`;
    if (rollout.strategy === "canary" && rollout.canary) verdict += `; then ${rollout.canary.percent}% canary for ${rollout.canary.bakeMinutes} min, ${fivexx}${stepHook ? " judged at the pause before the rest moves" : ""}`;
    if (rollout.strategy === "linear" && rollout.linear) verdict += `; then ${rollout.linear.stepPercent}% steps every ${rollout.linear.intervalMinutes} min${stepHook ? `, ${fivexx} judged at the pause before each step` : ""}`;
    if (testHook) deciders.push("berth's test");
    if (rollout.strategy === "canary" || stepHook) deciders.push("berth's canary check");
    deciders.push(...alarms.map((a) => `${a} during bake`), "ECS circuit breaker");
    // Whether later services wait for this bake: only a rolling dependent keeps the engine waiting (rollout.ts engineWait).
    const waits = engineWaitsFor(rollout);
    const dependents = rollout.rollingDependents ?? [];
    const overlap = !waits ? "; dependents go on once production moved" : dependents.length > 0 ? `; the engine waits through it for rolling ${dependents.join(", ")}` : "";
    const bake = rollout.bakeMinutes > 0 ? `${rollout.bakeMinutes} min (blue kept, double tasks${overlap})` : "none";
    return { strategy: rollout.strategy, testTraffic, verdict, bake, decidedBy: deciders.join(", ") };
}
