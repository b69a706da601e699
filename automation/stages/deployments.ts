// The rollout watch: while a stack update rolls services, follow each one's ECS service deployment, answer its
// PAUSE hooks (green tested through the test route; a canary judged by its 5xx ratio) with ContinueServiceDeployment,
// and, once any deployment of the release fails, send every other one still running forward back to blue at once
// (StopServiceDeployment ROLLBACK). Interrupted, it stops answering: the hook's own timeout action rolls back.
import { actionFor, decidedBy, describeDecision, DeploymentTimeline, isRollingBack, isStoppable, isTerminal, judgeCanary, judgeGreen, nextStep, type BerthActions, type HookCheck, type RolloutRecord, type Verdict } from "../plan/deployments";
import { engineWaitsFor, type EnvironmentOutputs, type RolloutOutputs } from "../plan/outputs";
import { doubledMinutes, trafficSteps } from "../../infra/config/rollout";
import type { SmokeResult } from "../plan/verify";
import type { LifecycleHookDetail, ServiceDeploymentSnapshot } from "../ports";
import type { StageContext } from "./types";
import { isAbort, message } from "./util";
import { smoke, smokeUrl } from "./verify";

export interface WatchRequest {
    outputs: EnvironmentOutputs;
    services: string[];
    /** The version green must report at the test route; undefined (a restore) asks for 200 only. */
    expectVersion?: string;
    /** Once one deployment fails, stop the others that still run forward (the release's rollback). */
    rollBackReleaseOnFailure: boolean;
    /**
     * Whether the engine has started on a service (its progress events): its deployment is only looked for from
     * then on, so a 12-service release does not list every service's deployments every poll.
     */
    hasStarted?: (service: string) => boolean;
    /**
     * Whether the engine's operation on a service ended well (ECS accepted the update): a traffic-shifting service the
     * engine does not wait for (outputs `rollout.engineWaits` false) then has a deployment that the watch must find
     * and follow to its end, however long after the update returned.
     */
    isAccepted?: (service: string) => boolean;
}

/** Deployments created this long before the update started still count (clock skew between here and AWS). */
const CREATED_SLACK_MS = 60_000;
/** How long the watch keeps following deployments that are still rolling back once the update has returned. */
const SETTLE_MS = 15 * 60_000;

interface Watched {
    service: string;
    arn?: string;
    snapshot?: ServiceDeploymentSnapshot;
    timeline: DeploymentTimeline;
    actions: BerthActions;
    answered: Set<string>;
    /** PAUSE hooks berth answered at PRE_PRODUCTION_TRAFFIC_SHIFT (one per production step). */
    stepPausesAnswered: number;
    record: RolloutRecord;
    canaryCheckedAt?: number;
    /** The dependencies its hook was last held for (logged once per change). */
    heldFor?: string;
}

export class RolloutWatch {
    private readonly watched = new Map<string, Watched>();
    private readonly since: number;
    private loop?: Promise<void>;
    private stopping = false;
    private readonly wake = new AbortController();
    private releaseFailed?: string;

    constructor(
        private readonly ctx: StageContext,
        private readonly request: WatchRequest,
    ) {
        this.since = ctx.deps.clock.now() - CREATED_SLACK_MS;
        for (const service of request.services) {
            const rollout = request.outputs.services[service].rollout;
            this.watched.set(service, {
                service,
                timeline: new DeploymentTimeline(),
                actions: { answers: [], stopped: false },
                answered: new Set(),
                stepPausesAnswered: 0,
                record: { strategy: rollout.strategy, bakeMinutes: rollout.bakeMinutes },
            });
        }
    }

    start(): this {
        this.loop = this.run();
        return this;
    }

    /**
     * The update returned: keep answering until every blue/green, canary or linear deployment has ended — the engine
     * goes on once ECS accepted such an update (waitForSteadyState false), so their hooks, traffic moves and bakes
     * mostly run after it returned, and verification must not start before they end —, follow rollbacks under way,
     * all bounded; then hand back the records. A deployment the engine started that did not end in time (or was never
     * found) is recorded as such, which fails the release. `updateFailed`: the engine failed, so every deployment of
     * the release still running forward goes back to blue (its held hooks answered ROLLBACK). Interrupted: one last
     * look, no answers.
     */
    async finish(options: { updateFailed?: string } = {}): Promise<Record<string, RolloutRecord>> {
        this.stopping = true;
        this.wake.abort();
        await this.loop;
        const interrupted = this.ctx.signal?.aborted === true;
        if (options.updateFailed && !interrupted && this.request.rollBackReleaseOnFailure) await this.rollBackRelease(options.updateFailed).catch((error: unknown) => this.ctx.log(`rollout watch: ${message(error)}`));
        const deadline = this.ctx.deps.clock.now() + SETTLE_MS + this.longestOwnWaitMs();
        let open: Watched[] = [];
        for (;;) {
            await this.poll({ answer: !interrupted }).catch((error: unknown) => this.ctx.log(`rollout watch: ${message(error)}`));
            open = [...this.watched.values()].filter((w) => this.isOpen(w));
            if (interrupted || open.length === 0) break;
            if (this.ctx.deps.clock.now() >= deadline) {
                for (const w of open) this.giveUp(w);
                break;
            }
            await this.ctx.deps.clock.sleep(this.ctx.timing.pollMs);
        }
        const now = this.ctx.deps.clock.now();
        const records: Record<string, RolloutRecord> = {};
        for (const w of this.watched.values()) {
            if (interrupted) this.noteInterrupted(w);
            records[w.service] = { ...w.record, ...this.durations(w, now) };
        }
        return records;
    }

    /**
     * Still to follow once the update returned: a rollback under way; a blue/green, canary or linear deployment not
     * ended; or one the engine started (ECS accepted the update) whose deployment was not found yet. A rolling
     * deployment still running forward (the provider stopped waiting) is verify's to judge.
     */
    private isOpen(w: Watched): boolean {
        if (w.snapshot) return isRollingBack(w.snapshot.status) || (w.record.strategy !== "rolling" && !isTerminal(w.snapshot.status));
        return w.record.strategy !== "rolling" && !engineWaitsFor(this.request.outputs.services[w.service].rollout) && this.request.isAccepted?.(w.service) === true;
    }

    /** The deadline passed: what is still open is recorded as unfinished (not SUCCESSFUL), which fails the release. */
    private giveUp(w: Watched): void {
        if (!w.snapshot) {
            w.record.status = "NOT_FOUND";
            w.record.decision = "berth found no ECS deployment for the accepted update";
            this.ctx.log(`${w.service}: no deployment found for the update ECS accepted; berth stops looking`);
            return;
        }
        if (isTerminal(w.snapshot.status)) return;
        w.record.status = w.snapshot.status;
        w.record.decision = `berth stopped watching at ${w.snapshot.lifecycleStage ?? "an unknown stage"} (its own time is up)`;
        this.ctx.log(`${w.service}: deployment still ${w.snapshot.status} at ${w.snapshot.lifecycleStage ?? "?"}; berth stops watching it`);
    }

    /** The longest a watched deployment may rightly take on its own: its hooks' timeouts (a step pause per step), steps and bake. */
    private longestOwnWaitMs(): number {
        const minutes = this.request.services.map((s) => {
            const r = this.request.outputs.services[s].rollout;
            const invocations = (stage: string) => (stage === "PRE_PRODUCTION_TRAFFIC_SHIFT" ? trafficSteps(r) : 1);
            return doubledMinutes(r) + r.pauseHooks.reduce((n, h) => n + h.timeoutMinutes * invocations(h.stage), 0);
        });
        return Math.max(0, ...minutes) * 60_000;
    }

    /**
     * F11 for blue/green: a dependent's production traffic moves only after every dependency rolling in this release
     * has moved its own (bake under way, or done). Where the engine already waited, this holds at once; where the
     * program lets the engine go on at the traffic move, berth holds the dependent's test hook until it does.
     */
    private waitingFor(service: string): string[] {
        const deps = this.request.outputs.services[service].waitsFor.filter((d) => this.watched.has(d));
        return deps.filter((d) => {
            const snapshot = this.watched.get(d)!.snapshot;
            if (!snapshot) return true;
            return !(snapshot.status === "SUCCESSFUL" || snapshot.lifecycleStage === "BAKE_TIME" || snapshot.lifecycleStage === "CLEAN_UP");
        });
    }

    private durations(w: Watched, now: number): Pick<RolloutRecord, "testTrafficMs" | "bakeMs"> {
        const testTrafficMs = w.timeline.testTrafficMs(now);
        const bakeMs = w.timeline.bakeMs(now);
        return { ...(testTrafficMs === undefined ? {} : { testTrafficMs }), ...(bakeMs === undefined ? {} : { bakeMs }) };
    }

    private noteInterrupted(w: Watched): void {
        // A hook berth left unanswered: still waiting, or already timed out by the time of this last look.
        const waiting = w.snapshot?.hooks.find((h) => (h.status === "AWAITING_ACTION" || h.status === "TIMED_OUT") && !w.answered.has(h.hookId));
        if (!waiting) return;
        w.record.leftWaiting = { hookId: waiting.hookId, ...(waiting.expiresAt === undefined ? {} : { expiresAt: new Date(waiting.expiresAt).toISOString() }), timeoutAction: waiting.timeoutAction ?? "ROLLBACK" };
        const at = waiting.expiresAt === undefined ? "when it times out" : `at ${new Date(waiting.expiresAt).toISOString()}`;
        this.ctx.log(`interrupted: berth no longer answers ${w.service}'s PAUSE hook; ECS takes its timeout action (${waiting.timeoutAction ?? "ROLLBACK"}) ${at}`);
    }

    private async run(): Promise<void> {
        const signal = this.ctx.signal ? AbortSignal.any([this.ctx.signal, this.wake.signal]) : this.wake.signal;
        while (!this.stopping && !this.ctx.signal?.aborted) {
            try {
                await this.poll({ answer: true });
            } catch (error) {
                if (isAbort(error, this.ctx.signal)) return;
                // A failed look is retried at the next poll: the update goes on either way, the hook's timeout bounds it.
                this.ctx.log(`rollout watch: ${message(error)} — looking again in ${Math.round(this.ctx.timing.pollMs / 1000)}s`);
            }
            try {
                await this.ctx.deps.clock.sleep(this.ctx.timing.pollMs, signal);
            } catch {
                return;
            }
        }
    }

    private async poll(options: { answer: boolean }): Promise<void> {
        const { deps } = this.ctx;
        const { outputs } = this.request;
        for (const w of this.watched.values()) {
            if (w.arn || !(this.request.hasStarted?.(w.service) ?? true)) continue;
            const found = await deps.ecs.listServiceDeployments(outputs.clusterName, outputs.services[w.service].serviceName, { createdAfter: this.since });
            if (found.length === 0) continue;
            w.arn = found[0].arn;
            w.record.deploymentArn = w.arn;
            this.ctx.log(`${w.service}: ${w.record.strategy} deployment ${w.arn.slice(w.arn.lastIndexOf("/") + 1)} started`);
        }
        const open = [...this.watched.values()].filter((w) => w.arn && !(w.snapshot && isTerminal(w.snapshot.status)));
        if (open.length === 0) return;
        const snapshots = new Map((await deps.ecs.describeServiceDeployments(open.map((w) => w.arn!))).map((s) => [s.arn, s]));
        for (const w of open) {
            const snapshot = snapshots.get(w.arn!);
            if (!snapshot) continue;
            const now = deps.clock.now();
            const before = w.snapshot;
            w.snapshot = snapshot;
            w.timeline.observe(snapshot, now);
            if (before?.lifecycleStage !== snapshot.lifecycleStage && snapshot.lifecycleStage) this.ctx.log(`${w.service}: ${snapshot.lifecycleStage.toLowerCase().replace(/_/g, " ")}`);
            const rollout = outputs.services[w.service].rollout;
            const step = nextStep(snapshot, rollout, w.answered, w.stepPausesAnswered);
            if (step.kind === "finished" || step.kind === "rolling-back") {
                this.settle(w, snapshot);
                if (step.outcome !== "SUCCESSFUL" && this.request.rollBackReleaseOnFailure) await this.rollBackRelease(`${w.service} ${step.outcome.toLowerCase().replace(/_/g, " ")}`);
                continue;
            }
            if (step.kind === "hook" && options.answer && !this.ctx.signal?.aborted) await this.answer(w, snapshot, step.hook, step.stage, step.check);
            else if (options.answer && w.record.strategy === "canary" && !hasStepPause(rollout) && snapshot.lifecycleStage === "PRODUCTION_TRAFFIC_SHIFT") await this.watchCanary(w, snapshot);
        }
    }

    /**
     * While a canary's first share of production traffic is on green (its canary bake), judge the 5xx ratio once a
     * minute (ALB metrics are per minute); a failing canary is stopped before the rest of the traffic moves. Only
     * without a step pause: with one, berth judges the whole canary window at the pause before the rest moves, so a
     * cold start's first errors are weighed against the window rather than stopping the canary in its first minute.
     */
    private async watchCanary(w: Watched, snapshot: ServiceDeploymentSnapshot): Promise<void> {
        const now = this.ctx.deps.clock.now();
        if (w.canaryCheckedAt !== undefined && now - w.canaryCheckedAt < 60_000) return;
        if (now - (w.timeline.firstSeen.get("PRODUCTION_TRAFFIC_SHIFT") ?? now) < 60_000) return;
        w.canaryCheckedAt = now;
        const verdict = await this.canaryVerdict(w);
        w.record.canary = { stage: "PRODUCTION_TRAFFIC_SHIFT", action: actionFor(verdict), ok: verdict.ok, detail: verdict.detail, at: new Date(now).toISOString() };
        if (verdict.ok) return;
        this.ctx.log(`${w.service}: canary check failed (${verdict.detail}) → stopping the deployment before the rest of the traffic moves (StopServiceDeployment ROLLBACK)`);
        w.actions.answers.push({ hookId: "", action: "ROLLBACK", check: "canary" });
        try {
            await this.ctx.deps.ecs.stopServiceDeployment(snapshot.arn);
        } catch (error) {
            this.ctx.log(`${w.service}: StopServiceDeployment was refused: ${message(error)}`);
        }
        if (this.request.rollBackReleaseOnFailure) await this.rollBackRelease(`${w.service} failed its canary check`);
    }

    private settle(w: Watched, snapshot: ServiceDeploymentSnapshot): void {
        if (w.record.status === snapshot.status) return;
        const decider = decidedBy(snapshot, w.actions);
        w.record.status = snapshot.status;
        w.record.decidedBy = decider;
        w.record.decision = describeDecision(snapshot, decider);
        this.ctx.log(`${w.service}: deployment ${snapshot.status} — decided by ${w.record.decision}`);
    }

    private async answer(w: Watched, snapshot: ServiceDeploymentSnapshot, hook: LifecycleHookDetail, stage: string, check: HookCheck): Promise<void> {
        const blockers = this.releaseFailed ? [] : this.waitingFor(w.service);
        if (blockers.length > 0) {
            const key = blockers.join(",");
            if (w.heldFor !== key) this.ctx.log(`${w.service}: holding its ${stage} hook until ${blockers.join(", ")} moved production traffic (F11)`);
            w.heldFor = key;
            return;
        }
        const verdict = this.releaseFailed ? { ok: false, detail: `the release is rolling back (${this.releaseFailed})` } : await this.verdictFor(w, check);
        if (this.ctx.signal?.aborted) return;
        const action = actionFor(verdict);
        w.answered.add(hook.hookId);
        if (stage === "PRE_PRODUCTION_TRAFFIC_SHIFT") w.stepPausesAnswered += 1;
        w.actions.answers.push({ hookId: hook.hookId, action, check });
        const result = { stage, action, ok: verdict.ok, detail: verdict.detail, at: new Date(this.ctx.deps.clock.now()).toISOString() };
        if (check === "canary") w.record.canary = result;
        else if (check === "test" || !w.record.test) w.record.test = result;
        this.ctx.log(`${w.service}: ${CHECK_NAMES[check]} at ${stage} ${verdict.ok ? "passed" : "failed"} (${verdict.detail}) → ${action}`);
        try {
            await this.ctx.deps.ecs.continueServiceDeployment(snapshot.arn, hook.hookId, action);
        } catch (error) {
            // The hook stopped waiting meanwhile (timed out, or the deployment rolled back): its status tells the outcome.
            this.ctx.log(`${w.service}: ContinueServiceDeployment ${action} was refused: ${message(error)}`);
            w.record.answerRefused = message(error);
        }
        if (!verdict.ok && this.request.rollBackReleaseOnFailure) await this.rollBackRelease(`${w.service} failed ${check === "canary" ? "its canary check" : "its test"}`);
    }

    private async verdictFor(w: Watched, check: HookCheck): Promise<Verdict> {
        if (check === "canary") return this.canaryVerdict(w);
        // Before the first production step nothing has reached production: green's test already decided.
        if (check === "first-step" && w.record.test) return w.record.test.ok ? { ok: true, detail: "green passed its test; no production traffic on it yet" } : { ok: false, detail: `green failed its test (${w.record.test.detail})` };
        return this.testGreen(w.service);
    }

    /** Health through the test route with the test header: 200 on this release's version, retried a few polls. */
    private async testGreen(service: string): Promise<Verdict> {
        const svc = this.request.outputs.services[service];
        const testTraffic = svc.rollout.testTraffic;
        if (!svc.url || !testTraffic) return { ok: false, detail: "the stack outputs give no test route (url and rollout.testTraffic)" };
        const url = smokeUrl(svc.url, svc.healthCheckPath);
        let verdict: Verdict = { ok: false, detail: "not tested" };
        for (let attempt = 1; attempt <= this.ctx.timing.checkRetries; attempt++) {
            const result = await this.get(url, { [testTraffic.header]: testTraffic.value });
            verdict = this.request.expectVersion === undefined ? statusOnly(result) : judgeGreen([result], this.request.expectVersion);
            if (verdict.ok || this.ctx.signal?.aborted) return verdict;
            if (attempt < this.ctx.timing.checkRetries) await this.ctx.deps.clock.sleep(this.ctx.timing.pollMs, this.ctx.signal).catch(() => undefined);
        }
        return verdict;
    }

    private get(url: string, headers: Record<string, string>): Promise<SmokeResult> {
        return smoke(this.ctx, url, headers);
    }

    /** Both target groups' 5xx ratio since production traffic started moving to green. */
    private async canaryVerdict(w: Watched): Promise<Verdict> {
        const { outputs } = this.request;
        const svc = outputs.services[w.service];
        const groups = [svc.targetGroupArn, svc.rollout.alternateTargetGroupArn].filter((g): g is string => g !== undefined);
        if (groups.length === 0) return { ok: false, detail: "the stack outputs name no target group to judge the canary by" };
        const now = this.ctx.deps.clock.now();
        const from = ["PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"].map((s) => w.timeline.firstSeen.get(s)).find((t) => t !== undefined) ?? now - 5 * 60_000;
        try {
            const measured = await Promise.all(groups.map(async (targetGroupArn) => ({ targetGroupArn, ...(await this.ctx.deps.metrics.targetGroupErrors(outputs.loadBalancer.arn, targetGroupArn, from, now)) })));
            return judgeCanary(measured);
        } catch (error) {
            return { ok: false, detail: `the 5xx ratio could not be read: ${message(error)}` };
        }
    }

    /** The fastest safe path back: every deployment of this release still running forward goes back to blue now. */
    private async rollBackRelease(why: string): Promise<void> {
        if (this.releaseFailed) return;
        this.releaseFailed = why;
        for (const w of this.watched.values()) {
            if (!w.arn || !w.snapshot || !isStoppable(w.snapshot) || w.actions.answers.some((a) => a.action === "ROLLBACK")) continue;
            const inBake = w.snapshot.lifecycleStage === "BAKE_TIME";
            this.ctx.log(`${w.service}: ${why}; stopping its deployment${inBake ? " inside its bake time" : ""} — back to blue at once (StopServiceDeployment ROLLBACK)`);
            try {
                await this.ctx.deps.ecs.stopServiceDeployment(w.arn);
                w.actions.stopped = true;
                w.record.stoppedInBake = inBake;
            } catch (error) {
                this.ctx.log(`${w.service}: StopServiceDeployment was refused: ${message(error)}; the stack update restores it`);
            }
        }
    }
}

const CHECK_NAMES: Readonly<Record<HookCheck, string>> = { test: "test of green", canary: "canary check", "first-step": "check before the first production step" };

function hasStepPause(rollout: RolloutOutputs): boolean {
    return rollout.pauseHooks.some((h) => h.stage === "PRE_PRODUCTION_TRAFFIC_SHIFT");
}

function statusOnly(result: SmokeResult): Verdict {
    if (result.status === 200) return { ok: true, detail: `${result.url} 200` };
    return { ok: false, detail: `${result.url}: ${result.status ?? result.error ?? "no response"}` };
}
