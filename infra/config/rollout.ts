// How each service rolls out: rolling, or one of ECS's traffic-shifting strategies (blue/green, canary, linear)
// with their knobs, checked against the ECS API's ranges and against what traffic shifting needs (a route that
// fits one ALB listener rule). Pure; resolveService calls it with the profile.
import type { RawService } from "./schema";
import { COMMON_DEFAULTS, type Profile } from "./profiles";
import { chunkPatterns } from "./routes";
import type { Add } from "./errors";
import { hintFrom } from "./suggest";
import type { RolloutSettings, RolloutStrategy } from "./settings";

export const STRATEGIES: readonly RolloutStrategy[] = ["rolling", "blueGreen", "canary", "linear"];

/** ECS API ranges (CreateService deploymentConfiguration; DeploymentLifecycleHook timeoutConfiguration). */
export const ROLLOUT_LIMITS = {
    bakeMinutes: { min: 0, max: 1440 },
    pauseMinutes: { min: 1, max: 20160 },
    canaryPercent: { min: 0.1, max: 100 },
    linearStepPercent: { min: 3, max: 100 },
} as const;

/** ECS's own words for the strategy in deploymentConfiguration.strategy. */
export const ECS_STRATEGY: Record<RolloutStrategy, string> = { rolling: "ROLLING", blueGreen: "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" };

export function shiftsTraffic(strategy: RolloutStrategy): boolean {
    return strategy !== "rolling";
}

type Range = { min: number; max: number };

function inRange(value: number | undefined, range: Range, integer: boolean): boolean {
    return value === undefined || (value >= range.min && value <= range.max && (!integer || Number.isInteger(value)));
}

export function resolveRolloutSettings(s: RawService, at: (k: string) => string, profile: Profile, add: Add): RolloutSettings {
    const raw = s.rollout ?? {};
    const routes = s.routes ?? [];
    const defaults = COMMON_DEFAULTS.rollout;
    const key = (k: string) => at(`rollout.${k}`);

    let strategy: RolloutStrategy = routes.length > 0 ? profile.routedStrategy : "rolling";
    if (raw.strategy !== undefined) {
        if ((STRATEGIES as readonly string[]).includes(raw.strategy)) strategy = raw.strategy as RolloutStrategy;
        else add(key("strategy"), `"${raw.strategy}" is not a rollout strategy: use ${STRATEGIES.join(", ")}${hintFrom(raw.strategy, [...STRATEGIES])}`);
    }

    const minutes = (k: string, value: number | undefined, range: Range, what: string) => {
        if (!inRange(value, range, true)) add(key(k), `${value} is outside ${what}: ECS takes whole minutes from ${range.min} to ${range.max}`);
    };
    minutes("bakeMinutes", raw.bakeMinutes, ROLLOUT_LIMITS.bakeMinutes, "the bake time ECS allows (bakeTimeInMinutes)");
    minutes("testTimeoutMinutes", raw.testTimeoutMinutes, ROLLOUT_LIMITS.pauseMinutes, "the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days)");
    minutes("productionPauseMinutes", raw.productionPauseMinutes, ROLLOUT_LIMITS.pauseMinutes, "the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days)");
    minutes("stepPauseMinutes", raw.stepPauseMinutes, ROLLOUT_LIMITS.pauseMinutes, "the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days)");
    minutes("canary.bakeMinutes", raw.canary?.bakeMinutes, ROLLOUT_LIMITS.bakeMinutes, "the canary bake time ECS allows (canaryBakeTimeInMinutes)");
    minutes("linear.intervalMinutes", raw.linear?.intervalMinutes, ROLLOUT_LIMITS.bakeMinutes, "the step interval ECS allows (stepBakeTimeInMinutes)");
    const percent = raw.canary?.percent;
    if (percent !== undefined && (!inRange(percent, ROLLOUT_LIMITS.canaryPercent, false) || Math.abs(percent * 10 - Math.round(percent * 10)) > 1e-9)) {
        add(key("canary.percent"), `${percent} is not a canary share ECS takes: use a multiple of 0.1 from 0.1 to 100 (percent of production traffic)`);
    }
    const step = raw.linear?.stepPercent;
    if (!inRange(step, ROLLOUT_LIMITS.linearStepPercent, false)) {
        add(key("linear.stepPercent"), `${step} is outside the linear step ECS allows: 3 to 100 percent of production traffic per step`);
    }

    if (shiftsTraffic(strategy)) {
        if (routes.length === 0) {
            add(key("strategy"), `${strategy} needs routes: ECS shifts traffic between two target groups behind an ALB listener rule, and this service has none; add routes or use strategy: rolling`);
        } else {
            const rules = chunkPatterns(routes).length;
            if (rules > 1) {
                add(key("strategy"), `${strategy} needs the service's routes in one ALB listener rule (ECS moves one production rule), but its ${routes.length} path patterns need ${rules} rules (an ALB condition holds 3, F08); merge them into at most 3 patterns with wildcards or use strategy: rolling`);
            }
        }
    } else {
        const knobs = (["bakeMinutes", "testTimeoutMinutes", "productionPauseMinutes", "stepPauseMinutes", "canary", "linear", "switching"] as const).filter((k) => raw[k] !== undefined);
        for (const k of knobs) add(key(k), "applies to blueGreen, canary and linear rollouts; this service rolls (strategy: rolling): remove it or choose a traffic-shifting strategy");
    }
    if (strategy !== "canary" && raw.canary !== undefined && shiftsTraffic(strategy)) add(key("canary"), `applies to strategy: canary only (this service uses ${strategy})`);
    if (strategy !== "linear" && raw.linear !== undefined && shiftsTraffic(strategy)) add(key("linear"), `applies to strategy: linear only (this service uses ${strategy})`);
    if (strategy === "blueGreen" && raw.stepPauseMinutes !== undefined) {
        add(key("stepPauseMinutes"), "applies to strategy: canary or linear only (ECS pauses before each of their production traffic steps); blueGreen moves production in one step: remove it, or use productionPauseMinutes to pause once all production is on green");
    }

    return {
        strategy,
        bakeMinutes: raw.bakeMinutes ?? defaults.bakeMinutes,
        testTimeoutMinutes: raw.testTimeoutMinutes ?? defaults.testTimeoutMinutes,
        productionPauseMinutes: raw.productionPauseMinutes,
        stepPauseMinutes: strategy === "canary" || strategy === "linear" ? raw.stepPauseMinutes : undefined,
        canary: strategy === "canary" ? { percent: percent ?? defaults.canary.percent, bakeMinutes: raw.canary?.bakeMinutes ?? defaults.canary.bakeMinutes } : undefined,
        linear: strategy === "linear" ? { stepPercent: step ?? defaults.linear.stepPercent, intervalMinutes: raw.linear?.intervalMinutes ?? defaults.linear.intervalMinutes } : undefined,
        testHeader: defaults.testHeader,
        switching: raw.switching ?? false,
    };
}

/**
 * How many production traffic steps ECS makes: one for blue/green, the canary share then the rest, or linear steps
 * up to 100% (the last one may be smaller). ECS invokes PRE_PRODUCTION_TRAFFIC_SHIFT hooks before each step.
 */
export function trafficSteps(r: { strategy: RolloutStrategy; linear?: { stepPercent: number } }): number {
    if (!shiftsTraffic(r.strategy)) return 0;
    if (r.strategy === "canary") return 2;
    if (r.strategy === "linear" && r.linear) return Math.ceil(100 / r.linear.stepPercent);
    return 1;
}

/**
 * Minutes a traffic-shifting deployment keeps both revisions running once green is up, not counting the time
 * the driver takes to test green: canary bake or linear steps, then the bake. Rolling: 0.
 */
export function doubledMinutes(r: Pick<RolloutSettings, "strategy" | "bakeMinutes" | "canary" | "linear">): number {
    if (!shiftsTraffic(r.strategy)) return 0;
    const shift = r.canary ? r.canary.bakeMinutes : r.linear ? (trafficSteps(r) - 1) * r.linear.intervalMinutes : 0;
    return shift + r.bakeMinutes;
}
