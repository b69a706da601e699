// How long berth may hold a traffic-shifting service's test hook (F11): the engine goes on once ECS accepted a
// blue/green, canary or linear update, so a dependent's green is up while its dependencies' canary or linear steps
// still run, and its PAUSE hook waits for them — within its own testTimeoutMinutes, or it rolls back by itself. Pure.
import { shiftsTraffic } from "./rollout";
import type { Add } from "./errors";
import type { ServiceSettings } from "./settings";

/** Minutes left for green's scale-up and berth's test once the dependencies' traffic moves are counted. */
export const HOLD_MARGIN_MINUTES = 5;

/** Minutes a traffic-shifting deployment spends moving production traffic: a canary's bake, or linear's waits between steps. */
function shiftMinutes(s: ServiceSettings): number {
    if (s.rollout.canary) return s.rollout.canary.bakeMinutes;
    if (s.rollout.linear) return (Math.ceil(100 / s.rollout.linear.stepPercent) - 1) * s.rollout.linear.intervalMinutes;
    return 0;
}

/**
 * The longest chain of traffic-shifting dependencies whose traffic moves a service's test hook may wait for: only
 * dependencies the engine does not wait for (no rolling service waits for them) start alongside it. Minutes and the
 * chain, nearest dependency first. Services must have their waitsFor (resolveRollout) and no cycle.
 */
export function hookHold(name: string, services: readonly ServiceSettings[]): { minutes: number; chain: string[] } {
    const byName = new Map(services.map((s) => [s.name, s]));
    const engineGoesOn = (d: ServiceSettings) => shiftsTraffic(d.rollout.strategy) && !services.some((x) => !shiftsTraffic(x.rollout.strategy) && x.waitsFor.includes(d.name));
    const memo = new Map<string, { minutes: number; chain: string[] }>();
    const hold = (n: string, seen: Set<string>): { minutes: number; chain: string[] } => {
        if (memo.has(n)) return memo.get(n)!;
        let best = { minutes: 0, chain: [] as string[] };
        for (const dep of byName.get(n)?.waitsFor ?? []) {
            const d = byName.get(dep);
            if (!d || seen.has(dep) || !engineGoesOn(d)) continue;
            const upstream = hold(dep, new Set([...seen, dep]));
            const minutes = shiftMinutes(d) + upstream.minutes;
            if (minutes > best.minutes) best = { minutes, chain: [dep, ...upstream.chain] };
        }
        memo.set(n, best);
        return best;
    };
    return hold(name, new Set([name]));
}

/** A PAUSE timeout the dependencies' traffic moves could use up is refused, naming the chain and the fix. */
export function checkHookHolds(services: readonly ServiceSettings[], add: Add): void {
    services.forEach((s, i) => {
        if (!shiftsTraffic(s.rollout.strategy)) return;
        const { minutes, chain } = hookHold(s.name, services);
        if (minutes === 0 || minutes + HOLD_MARGIN_MINUTES <= s.rollout.testTimeoutMinutes) return;
        add(
            `services[${i}].rollout.testTimeoutMinutes`,
            `${s.rollout.testTimeoutMinutes} min can run out while berth holds ${s.name}'s test hook until ${chain.join(" ← ")} moved production traffic (their canary or linear steps take ${minutes} min, F11): ` +
                `set it to at least ${minutes + HOLD_MARGIN_MINUTES} or shorten those steps`,
        );
    });
}
