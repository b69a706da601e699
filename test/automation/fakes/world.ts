// Faithful in-memory fakes of every port over one shared world, with a virtual clock and fault injection.
// The fake stack behaves like infra/program.ts: `up` applies berth:images (falling back to what is applied) and
// berth:migrationImage (the migration task definition alone takes it; otherwise it follows its owner service),
// registers a new task definition revision per changed family, starts an ECS deployment per changed service
// in rollout-level order, and emits the engine events the real engine would for those resources.
import { createHash } from "crypto";
import {
    BuildFailedError,
    BuildRequest,
    Clock,
    Deployment,
    EcsPort,
    EngineEvent,
    HookAction,
    HttpPort,
    LifecycleHookDetail,
    ImageBuilderPort,
    LoadBalancerPort,
    LogPage,
    LogsPort,
    MetricsPort,
    RegistryPort,
    ReleasedSet,
    ReleaseOutcome,
    ReleaseStorePort,
    RunTaskRequest,
    RunTaskResult,
    ServiceDeploymentBrief,
    ServiceDeploymentSnapshot,
    ServiceDeploymentStatus,
    ServiceStatus,
    SourcePort,
    StackLockedError,
    StackPort,
    StackUpdateOptions,
    TargetGroupErrors,
    TargetHealth,
    TaskStatus,
    UpdateResult,
} from "../../../automation/ports";
import { serializeOutcomes } from "../../../infra/contracts/releaseOutcomes";
import { AWS_RETRY, awsCall, nameCall, retryLine, type AwsCall } from "../../../automation/adapters/aws";

export const abortError = () => Object.assign(new Error("The operation was aborted"), { name: "AbortError" });

export class FakeClock implements Clock {
    sleeps = 0;
    constructor(public t = Date.UTC(2026, 2, 14, 9, 15, 2)) {}
    now(): number {
        return this.t;
    }
    async sleep(ms: number, signal?: AbortSignal): Promise<void> {
        if (signal?.aborted) throw abortError();
        this.sleeps++;
        this.t += ms;
        await new Promise<void>((r) => setImmediate(r));
        if (signal?.aborted) throw abortError();
    }
}

export interface Faults {
    /** The next N attempts of ECS describe calls (services and tasks) are throttled (ThrottlingException). */
    throttleDescribes?: number;
    /**
     * AWS calls by IAM action (e.g. "ecs:DescribeServices", "elasticloadbalancing:DescribeTargetHealth",
     * "ssm:PutParameter") throttled on every attempt from now on: the SDK client gives up after its attempts with
     * the last ThrottlingException, which is what the stages see.
     */
    throttleAlways?: string[];
    /** AWS calls (IAM action) that fail at once with this SDK-shaped error (credentials, permissions, network). */
    awsError?: Record<string, Error>;
    buildFails?: Record<string, string[]>;
    migration?: { exitCode?: number; cannotStart?: "failures" | "stopped"; neverStops?: boolean; logLines?: string[] };
    /** Services whose new image never reaches steady state: the provider's waitForSteadyState fails the update. */
    neverStabilises?: string[];
    /** Services whose new deployment the ECS circuit breaker rolls back while the update "succeeds". */
    circuitBreaker?: string[];
    /** Services whose new tasks fail ALB health checks (and get replaced, one failed task per 30 s). */
    unhealthyTargets?: string[];
    /** Services whose new image answers 503 through the ALB. */
    smoke5xx?: string[];
    /** Any update that puts a service back on its original image fails. */
    rollbackUpFails?: boolean;
    /** Every preview/up throws StackLockedError. */
    locked?: boolean;
    /** Aborted by the fake engine after the first service of an update rolled. */
    abortMidRollout?: AbortController;
    /**
     * SSM reads lag writes by up to this long: a read soon after a write may still return the previous released
     * set and history (the next command of a pipeline runs seconds after the last one wrote).
     */
    ssmReadLagMs?: number;
    /** Registry write fails (released set). */
    storeWriteFails?: boolean;
    /** The outcome history's write fails with this error message (its released set and history unaffected). */
    outcomeWriteFails?: string;
    /** Reading the outcome history fails with this error message (a corrupt or foreign value, a denied read). */
    outcomeReadFails?: string;
    /** Blue/green services whose deployment alarm fires this long into BAKE_TIME: ECS rolls them back (alarm). */
    alarmInBake?: Record<string, number>;
    /** Canary services whose green revision answers this share of requests with 5xx (CloudWatch sees it a minute late). */
    canary5xx?: Record<string, number>;
}

interface FakeTd {
    arn: string;
    family: string;
    image: string;
}

interface FakeService {
    name: string;
    serviceName: string;
    family: string;
    targetGroupArn?: string;
    url?: string;
    desired: number;
    originalImage: string;
    deployments: FakeDeployment[];
}

/**
 * One ECS deployment. `completedAt`: when it reached COMPLETED (the older ones then drain); `drainingSince`: when
 * its tasks started draining (ALB deregistration delay) — until `deregistrationMs` later it is still ACTIVE with
 * running tasks, as on ECS.
 */
type FakeDeployment = Deployment & { startedAt: number; image: string; kind: "normal" | "stuck" | "unhealthy" | "breaker" | "bluegreen"; completedAt?: number; drainingSince?: number };

/**
 * One ECS *service deployment* (ListServiceDeployments / DescribeServiceDeployments) over the legacy deployment it
 * drives. ROLLING ones follow their legacy deployment; BLUE_GREEN / CANARY / LINEAR ones walk the lifecycle stages
 * over virtual minutes: a PAUSE hook waits AWAITING_ACTION until ContinueServiceDeployment or its timeout (whose
 * action rolls back), bake keeps blue beside green, an alarm during bake rolls back, and a rollback takes its time
 * through ROLLBACK_REQUESTED and ROLLBACK_IN_PROGRESS.
 */
export interface FakeServiceDeployment {
    arn: string;
    service: string;
    createdAt: number;
    strategy: "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR";
    status: ServiceDeploymentStatus;
    statusReason?: string;
    stage?: string;
    stageSince: number;
    hooks: (LifecycleHookDetail & { stage: string })[];
    /** stage → PAUSE hook timeout (minutes), from the service's rollout outputs. */
    pauses: Map<string, number>;
    bakeMinutes: number;
    canary?: { percent: number; bakeMinutes: number };
    linear?: { stepPercent: number; intervalMinutes: number };
    alarmNames: string[];
    triggeredAlarms: string[];
    finishedAt?: number;
    rollback?: { reason: string; startedAt: number };
    legacy: FakeDeployment;
    /** It deploys an image the service did not run before the scenario (faults only hit new images). */
    isNew: boolean;
    /** The deployment that served before this one (blue). */
    blue?: FakeDeployment;
    /** Calls berth made on it, in order. */
    calls: string[];
}

const STRATEGIES: Record<string, FakeServiceDeployment["strategy"]> = { rolling: "ROLLING", blueGreen: "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" };
/** How long each lifecycle stage takes when nothing holds it (virtual ms); hooks and bake add theirs. */
const STAGE_MS: Record<string, number> = {
    PRE_SCALE_UP: 5_000,
    SCALE_UP: 40_000,
    POST_SCALE_UP: 5_000,
    TEST_TRAFFIC_SHIFT: 10_000,
    POST_TEST_TRAFFIC_SHIFT: 5_000,
    PRODUCTION_TRAFFIC_SHIFT: 10_000,
    POST_PRODUCTION_TRAFFIC_SHIFT: 5_000,
    BAKE_TIME: 0,
    CLEAN_UP: 10_000,
};
const STAGES = Object.keys(STAGE_MS);
const stageIndex = (stage: string | undefined) => (stage === undefined ? -1 : STAGES.indexOf(stage));
const TERMINAL = new Set(["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]);
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400 } });

/** ECS's own rule, written out here rather than imported, so the fake does not agree with a wrong driver: 0.5 × desired, within [3, 200]. */
const breakerThreshold = (desired: number) => Math.min(200, Math.max(3, Math.ceil(desired / 2)));

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const imageDigest = (ref: string) => ref.slice(ref.indexOf("@") + 1);

export class World {
    readonly clock = new FakeClock();
    readonly faults: Faults = {};
    readonly outputs: any;
    readonly services = new Map<string, FakeService>();
    readonly tds = new Map<string, FakeTd>();
    readonly revisions = new Map<string, number>();
    /** digest → the GIT_SHA it was built from (what /health reports). */
    readonly versions = new Map<string, string>();
    readonly tags = new Map<string, Map<string, string>>();
    readonly tasks = new Map<string, { startedAt: number; taskDefinition: string }>();
    readonly runTasks: RunTaskRequest[] = [];
    readonly builds: BuildRequest[] = [];
    readonly addedTags: { repo: string; digest: string; tag: string }[] = [];
    released: ReleasedSet | undefined;
    readonly releasedWrites: ReleasedSet[] = [];
    /** The history of verified releases (SSM `releases/<id>`), keyed by release id like the parameter names. */
    readonly history = new Map<string, ReleasedSet>();
    /** The outcome history (SSM `outcomes/recent`) as the last write left it, newest first, bounded like the adapter's. */
    outcomes: ReleaseOutcome[] = [];
    /** Every outcome berth recorded, in order (also those bounding later pushed out). */
    readonly outcomeWrites: ReleaseOutcome[] = [];
    readonly stabiliseMs = 40_000;
    /** The target group's deregistration delay: old tasks keep serving (draining) this long after a deployment completes. */
    readonly deregistrationMs = 20_000;
    readonly migrationMs = 25_000;
    /** Every service deployment, oldest first. */
    readonly serviceDeployments: FakeServiceDeployment[] = [];

    constructor(rawOutputs: Record<string, unknown>, readonly oldSha = "0".repeat(40)) {
        this.outputs = JSON.parse(JSON.stringify(rawOutputs));
        for (const [name, o] of Object.entries<any>(this.outputs.services)) {
            const image = imageDigest(o.image);
            this.tds.set(o.taskDefinitionArn, { arn: o.taskDefinitionArn, family: o.taskDefinitionFamily, image });
            this.revisions.set(o.taskDefinitionFamily, 1);
            this.versions.set(image, oldSha);
            this.services.set(name, {
                name,
                serviceName: o.serviceName,
                family: o.taskDefinitionFamily,
                targetGroupArn: o.targetGroupArn,
                url: o.url,
                desired: 2,
                originalImage: image,
                deployments: [
                    { id: `ecs-svc/${name}-0`, status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: o.taskDefinitionArn, desiredCount: 2, runningCount: 2, failedTasks: 0, startedAt: 0, image, kind: "normal" },
                ],
            });
        }
        const m = this.outputs.migration;
        if (m) {
            const owner = this.outputs.services[m.service];
            this.tds.set(m.taskDefinitionArn, { arn: m.taskDefinitionArn, family: m.taskDefinitionFamily, image: imageDigest(owner.image) });
            this.revisions.set(m.taskDefinitionFamily, 1);
        }
    }

    serviceNames(): string[] {
        return Object.keys(this.outputs.services);
    }

    /** The digest ECS actually runs (the PRIMARY deployment's image). */
    running(service: string): string {
        return this.primary(service).image;
    }

    primary(service: string) {
        this.settle(service);
        return this.services.get(service)!.deployments.find((d) => d.status === "PRIMARY")!;
    }

    registerTd(family: string, image: string): string {
        const rev = (this.revisions.get(family) ?? 0) + 1;
        this.revisions.set(family, rev);
        const arn = `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${rev}`;
        this.tds.set(arn, { arn, family, image });
        return arn;
    }

    deploy(service: string, taskDefinition: string, image: string): void {
        const s = this.services.get(service)!;
        this.settle(service);
        for (const d of s.deployments) d.status = "ACTIVE";
        const isNew = image !== s.originalImage;
        const f = this.faults;
        const rollout = this.outputs.services[service].rollout ?? { strategy: "rolling", bakeMinutes: 0, pauseHooks: [], alarmNames: [] };
        const strategy = STRATEGIES[rollout.strategy] ?? "ROLLING";
        const blue = s.deployments.find((d) => d.rolloutState === "COMPLETED");
        const kind =
            strategy !== "ROLLING"
                ? "bluegreen"
                : !isNew
                  ? "normal"
                  : f.neverStabilises?.includes(service)
                    ? "stuck"
                    : f.unhealthyTargets?.includes(service)
                      ? "unhealthy"
                      : f.circuitBreaker?.includes(service)
                        ? "breaker"
                        : "normal";
        const now = this.clock.now();
        const legacy: FakeDeployment = { id: `ecs-svc/${service}-${now}`, status: "PRIMARY", rolloutState: "IN_PROGRESS", taskDefinition, desiredCount: s.desired, runningCount: 0, failedTasks: 0, startedAt: now, image, kind };
        s.deployments.unshift(legacy);
        this.serviceDeployments.push({
            arn: `arn:aws:ecs:eu-west-1:123456789012:service-deployment/berth-dev-cluster/${s.serviceName}/sd${this.serviceDeployments.length + 1}x${now}`,
            service,
            createdAt: now,
            strategy,
            status: "PENDING",
            stageSince: now,
            hooks: [],
            pauses: new Map((rollout.pauseHooks as { stage: string; timeoutMinutes: number }[]).map((h) => [h.stage, h.timeoutMinutes])),
            bakeMinutes: rollout.bakeMinutes,
            ...(rollout.canary ? { canary: rollout.canary } : {}),
            ...(rollout.linear ? { linear: rollout.linear } : {}),
            alarmNames: rollout.alarmNames,
            triggeredAlarms: [],
            legacy,
            isNew,
            ...(blue ? { blue } : {}),
            calls: [],
        });
    }

    /** The newest service deployment of a service. */
    latestServiceDeployment(service: string): FakeServiceDeployment | undefined {
        return [...this.serviceDeployments].reverse().find((d) => d.service === service);
    }

    /** How long a stage holds a deployment when no hook waits there. */
    private stageMs(d: FakeServiceDeployment, stage: string): number {
        if (stage === "BAKE_TIME") return d.bakeMinutes * 60_000;
        if (stage === "PRODUCTION_TRAFFIC_SHIFT" && d.canary) return STAGE_MS[stage] + d.canary.bakeMinutes * 60_000;
        if (stage === "PRODUCTION_TRAFFIC_SHIFT" && d.linear) return Math.ceil(100 / d.linear.stepPercent) * d.linear.intervalMinutes * 60_000;
        return STAGE_MS[stage];
    }

    private enter(d: FakeServiceDeployment, stage: string, at: number): void {
        d.stage = stage;
        d.stageSince = at;
        const timeout = d.pauses.get(stage);
        if (timeout !== undefined) {
            d.hooks.push({ hookId: `ecs-pause-${d.hooks.length + 1}${d.arn.slice(-6)}`, targetType: "PAUSE", status: "AWAITING_ACTION", expiresAt: at + timeout * 60_000, timeoutAction: "ROLLBACK", stage });
        }
    }

    private startRollback(d: FakeServiceDeployment, at: number, reason: string): void {
        d.status = "ROLLBACK_REQUESTED";
        d.rollback = { reason, startedAt: at };
        d.statusReason = reason;
    }

    /** Walks one blue/green-style deployment forward to `now`, like ECS's controller would have. */
    private advanceServiceDeployment(d: FakeServiceDeployment, now: number): void {
        for (let guard = 0; guard < 100 && !TERMINAL.has(d.status); guard++) {
            if (d.status === "PENDING") {
                d.status = "IN_PROGRESS";
                this.enter(d, "PRE_SCALE_UP", d.createdAt);
                continue;
            }
            if (d.status === "ROLLBACK_REQUESTED") {
                const at = d.rollback!.startedAt + 5_000;
                if (now < at) return;
                d.status = "ROLLBACK_IN_PROGRESS";
                continue;
            }
            if (d.status === "ROLLBACK_IN_PROGRESS") {
                // Blue still runs: traffic goes back at once, green's tasks drain.
                const at = d.rollback!.startedAt + 20_000;
                if (now < at) return;
                d.status = "ROLLBACK_SUCCESSFUL";
                d.finishedAt = at;
                return;
            }
            if (d.status === "STOP_REQUESTED" || d.status !== "IN_PROGRESS") return;
            const stage = d.stage!;
            const hook = d.hooks.find((h) => h.stage === stage && (h.status === "AWAITING_ACTION" || h.status === "SUCCEEDED" || h.status === "IN_PROGRESS"));
            if (hook?.status === "AWAITING_ACTION") {
                if (now < hook.expiresAt!) return;
                hook.status = "TIMED_OUT";
                this.startRollback(d, hook.expiresAt!, "The lifecycle hook timed out and its timeout action is ROLLBACK.");
                continue;
            }
            if (stage === "BAKE_TIME") {
                const after = d.isNew ? this.faults.alarmInBake?.[d.service] : undefined;
                if (after !== undefined && now >= d.stageSince + after && d.stageSince + after < d.stageSince + this.stageMs(d, stage)) {
                    d.triggeredAlarms = d.alarmNames.length > 0 ? [d.alarmNames[0]] : ["alarm"];
                    this.startRollback(d, d.stageSince + after, `CloudWatch alarm ${d.triggeredAlarms[0]} is in ALARM.`);
                    continue;
                }
            }
            // A hook answered CONTINUE lets the stage end a few seconds after the answer.
            const endsAt = hook ? Math.max(d.stageSince, (hook as { answeredAt?: number }).answeredAt ?? d.stageSince) + 5_000 : d.stageSince + this.stageMs(d, stage);
            if (now < endsAt) return;
            const next = STAGES[stageIndex(stage) + 1];
            if (next === undefined) {
                d.status = "SUCCESSFUL";
                d.finishedAt = endsAt;
                return;
            }
            this.enter(d, next, endsAt);
        }
    }

    /** ROLLING service deployments mirror their legacy deployment: COMPLETED → SUCCESSFUL, a breaker rollback → ROLLBACK_*. */
    private mirrorRolling(d: FakeServiceDeployment, s: FakeService): void {
        if (TERMINAL.has(d.status)) return;
        d.status = "IN_PROGRESS";
        if (d.legacy.rolloutState === "COMPLETED") {
            d.status = "SUCCESSFUL";
            d.finishedAt = d.legacy.completedAt;
        } else if (d.legacy.rolloutState === "FAILED") {
            const rollback = s.deployments.find((x) => x.id.endsWith("-rollback") && x.startedAt >= d.legacy.startedAt);
            d.rollback = { reason: d.legacy.rolloutStateReason ?? "circuit breaker", startedAt: d.legacy.drainingSince ?? this.clock.now() };
            d.statusReason = d.rollback.reason;
            d.status = rollback?.rolloutState === "COMPLETED" ? "ROLLBACK_SUCCESSFUL" : "ROLLBACK_IN_PROGRESS";
            if (d.status === "ROLLBACK_SUCCESSFUL") d.finishedAt = rollback!.completedAt;
        }
    }

    /** The DescribeServiceDeployments view of `d` now. */
    describeServiceDeployment(d: FakeServiceDeployment): ServiceDeploymentSnapshot {
        this.settle(d.service);
        const breaker = d.strategy === "ROLLING" && d.legacy.kind === "breaker";
        return {
            arn: d.arn,
            status: d.status,
            ...(d.statusReason ? { statusReason: d.statusReason } : {}),
            createdAt: d.createdAt,
            startedAt: d.createdAt,
            ...(d.finishedAt !== undefined ? { finishedAt: d.finishedAt } : {}),
            updatedAt: this.clock.now(),
            targetServiceRevisionArn: `${d.arn}/revision`,
            ...(d.stage ? { lifecycleStage: d.stage } : {}),
            hooks: d.hooks.map(({ stage: _stage, ...h }) => ({ ...h })).map((h) => {
                delete (h as { answeredAt?: number }).answeredAt;
                return h;
            }),
            strategy: d.strategy,
            bakeTimeInMinutes: d.bakeMinutes,
            ...(d.rollback ? { rollback: { ...d.rollback } } : {}),
            circuitBreaker: { status: breaker && d.legacy.rolloutState === "FAILED" ? "TRIGGERED" : "MONITORING", failureCount: d.legacy.failedTasks, threshold: breakerThreshold(d.legacy.desiredCount) },
            alarms: { status: d.triggeredAlarms.length > 0 ? "TRIGGERED" : d.alarmNames.length > 0 ? "MONITORING" : "DISABLED", alarmNames: [...d.alarmNames], triggeredAlarmNames: [...d.triggeredAlarms] },
        };
    }

    /**
     * ContinueServiceDeployment as ECS answers it: the hook must be AWAITING_ACTION and the deployment IN_PROGRESS
     * (developer guide, "Continuing service deployments"); otherwise a client error. The docs list
     * InvalidParameterException and ClientException without saying which a stale hook gets: the fake throws
     * InvalidParameterException, and the driver must treat any refusal the same way.
     */
    continueDeployment(arn: string, hookId: string, action: HookAction): void {
        const d = this.serviceDeployments.find((x) => x.arn === arn);
        if (!d) throw awsError("ServiceDeploymentNotFoundException", `The service deployment ${arn} does not exist.`);
        this.settle(d.service);
        d.calls.push(`continue ${action} ${hookId}`);
        const hook = d.hooks.find((h) => h.hookId === hookId);
        if (!hook) throw awsError("InvalidParameterException", `The lifecycle hook ${hookId} does not exist on the service deployment.`);
        if (hook.status !== "AWAITING_ACTION" || d.status !== "IN_PROGRESS") {
            throw awsError("InvalidParameterException", `The lifecycle hook ${hookId} is ${hook.status} and the service deployment is ${d.status}: only a hook in AWAITING_ACTION of an IN_PROGRESS deployment can be continued.`);
        }
        const now = this.clock.now();
        if (action === "CONTINUE") {
            hook.status = "SUCCEEDED";
            (hook as { answeredAt?: number }).answeredAt = now;
        } else {
            hook.status = "FAILED";
            this.startRollback(d, now, "The deployment was rolled back by ContinueServiceDeployment with action ROLLBACK.");
        }
    }

    /** StopServiceDeployment ROLLBACK: any deployment still running forward goes back to blue; a finished one cannot. */
    stopDeployment(arn: string): void {
        const d = this.serviceDeployments.find((x) => x.arn === arn);
        if (!d) throw awsError("ServiceDeploymentNotFoundException", `The service deployment ${arn} does not exist.`);
        this.settle(d.service);
        d.calls.push("stop ROLLBACK");
        if (d.status === "ROLLBACK_REQUESTED" || d.status === "ROLLBACK_IN_PROGRESS" || d.status === "STOP_REQUESTED") return;
        if (TERMINAL.has(d.status)) throw awsError("ConflictException", `The service deployment is ${d.status} and cannot be stopped.`);
        for (const h of d.hooks) if (h.status === "AWAITING_ACTION") h.status = "FAILED";
        this.startRollback(d, this.clock.now(), "The deployment was stopped with StopServiceDeployment ROLLBACK.");
    }

    /** Which image answers a request: green once test (or production) traffic reached it and it was not rolled back. */
    servingImage(service: string, viaTestRoute: boolean): string {
        const d = this.latestServiceDeployment(service);
        if (!d || d.strategy === "ROLLING") return this.running(service);
        this.settle(service);
        const rolledBack = d.status.startsWith("ROLLBACK") || d.status === "STOPPED";
        if (rolledBack || TERMINAL.has(d.status)) return this.running(service);
        const reached = stageIndex(d.stage) >= stageIndex(viaTestRoute ? "TEST_TRAFFIC_SHIFT" : "PRODUCTION_TRAFFIC_SHIFT");
        return reached ? d.legacy.image : (d.blue?.image ?? this.running(service));
    }

    /**
     * Advances a service's deployments to where virtual time has brought them, like ECS: a new deployment starts its
     * tasks over `stabiliseMs`, then COMPLETES; the older deployments keep their tasks while those drain for
     * `deregistrationMs`, and only then disappear. A circuit-breaker deployment ("breaker") loses one task start
     * every 30 s; at the breaker's threshold it turns FAILED (and stays listed, ACTIVE, while it drains) and ECS
     * starts its own rollback: a new PRIMARY deployment of the last COMPLETED task definition, which takes its
     * own `stabiliseMs` — minutes of mixed state, never an instant swap.
     */
    settle(service: string): void {
        const s = this.services.get(service)!;
        const now = this.clock.now();
        for (const d of this.serviceDeployments) if (d.service === service && d.strategy !== "ROLLING") this.advanceServiceDeployment(d, now);
        for (const d of this.serviceDeployments) {
            if (d.service !== service || d.strategy === "ROLLING" || d.legacy.kind !== "bluegreen" || d.legacy.rolloutState !== "IN_PROGRESS") continue;
            const p = d.legacy;
            if (stageIndex(d.stage) >= stageIndex("SCALE_UP")) p.runningCount = Math.min(p.desiredCount, Math.floor(((now - p.startedAt) / this.stabiliseMs) * p.desiredCount));
            if (d.status === "SUCCESSFUL") {
                // Blue is scaled down at CLEAN_UP: it drains from green's completion.
                p.rolloutState = "COMPLETED";
                p.runningCount = p.desiredCount;
                p.completedAt = d.finishedAt;
                for (const x of s.deployments) if (x !== p && x.drainingSince === undefined) x.drainingSince = d.finishedAt;
            } else if (d.status === "ROLLBACK_SUCCESSFUL") {
                // Blue never stopped serving: it is PRIMARY again at once, green drains.
                p.rolloutState = "FAILED";
                p.rolloutStateReason = d.rollback?.reason ?? "rolled back";
                p.status = "ACTIVE";
                p.drainingSince = d.finishedAt;
                if (d.blue) {
                    d.blue.status = "PRIMARY";
                    d.blue.drainingSince = undefined;
                }
            }
        }
        for (let changed = true; changed; ) {
            changed = false;
            const p = s.deployments.find((d) => d.status === "PRIMARY")!;
            if (p.rolloutState === "IN_PROGRESS" && p.kind === "breaker") {
                const threshold = breakerThreshold(p.desiredCount);
                const failedAt = p.startedAt + threshold * 30_000;
                p.failedTasks = Math.min(threshold, Math.floor((now - p.startedAt) / 30_000));
                if (now >= failedAt) {
                    const last = s.deployments.find((d) => d !== p && d.rolloutState === "COMPLETED");
                    p.rolloutState = "FAILED";
                    p.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
                    p.status = "ACTIVE";
                    p.drainingSince = failedAt;
                    if (last) {
                        for (const d of s.deployments) if (d.status === "PRIMARY") d.status = "ACTIVE";
                        s.deployments.unshift({ ...last, id: `ecs-svc/${service}-${failedAt}-rollback`, status: "PRIMARY", rolloutState: "IN_PROGRESS", runningCount: 0, failedTasks: 0, startedAt: failedAt, kind: "normal", completedAt: undefined, drainingSince: undefined });
                    } else {
                        p.status = "PRIMARY"; // a first deployment has nothing to roll back to: it stays FAILED
                    }
                    changed = true;
                    continue;
                }
            }
            if (p.rolloutState === "IN_PROGRESS" && p.kind === "unhealthy") p.failedTasks = Math.floor((now - p.startedAt) / 30_000);
            if (p.rolloutState === "IN_PROGRESS" && p.kind === "normal") {
                const doneAt = p.startedAt + this.stabiliseMs;
                if (now >= doneAt) {
                    p.rolloutState = "COMPLETED";
                    p.runningCount = p.desiredCount;
                    p.completedAt = doneAt;
                    for (const d of s.deployments) if (d !== p && d.drainingSince === undefined) d.drainingSince = doneAt;
                    changed = true;
                } else {
                    p.runningCount = Math.min(p.desiredCount, Math.floor(((now - p.startedAt) / this.stabiliseMs) * p.desiredCount));
                }
            }
        }
        for (const d of this.serviceDeployments) if (d.service === service && d.strategy === "ROLLING") this.mirrorRolling(d, s);
        s.deployments = s.deployments.filter((d) => d.status === "PRIMARY" || d.drainingSince === undefined || now < d.drainingSince + this.deregistrationMs);
        for (const d of s.deployments) if (d.status !== "PRIMARY" && d.kind === "breaker") d.runningCount = 0;
    }

    status(service: string): ServiceStatus {
        this.settle(service);
        const s = this.services.get(service)!;
        const p = s.deployments.find((d) => d.status === "PRIMARY")!;
        const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
        return {
            serviceName: s.serviceName,
            status: "ACTIVE",
            desiredCount: s.desired,
            runningCount: Math.min(running, s.desired),
            pendingCount: p.rolloutState === "COMPLETED" ? 0 : p.desiredCount - p.runningCount,
            taskDefinition: p.taskDefinition,
            deployments: s.deployments.map(({ id, status, rolloutState, rolloutStateReason, taskDefinition, desiredCount, runningCount, failedTasks }) => ({
                id,
                status,
                rolloutState,
                ...(rolloutStateReason ? { rolloutStateReason } : {}),
                taskDefinition,
                desiredCount,
                runningCount,
                failedTasks,
            })),
        };
    }

    /** Human progress lines the AWS clients' retry lines go to (composeReleaseDeps wires them to stderr). */
    progress: (line: string) => void = () => undefined;

    /**
     * One AWS call as an SDK client built by adapters/aws.ts makes it: up to AWS_RETRY.maxAttempts attempts; before
     * each repeat of a throttled attempt the retry line, after the longest wait the SDK's backoff may choose (1 s ×
     * 2^n, at most 20 s: unkind) on the virtual clock. When every attempt is throttled the call fails with the last
     * ThrottlingException, its $metadata carrying the attempts, as the SDK's retry middleware leaves it
     * (test/automation/adapters/aws.test.ts pins that shape on the real client). Errors the SDK does not retry
     * (credentials, permissions) fail at once. Every error names the call's IAM action.
     */
    async aws<T>(clientName: string, commandName: string, fn: () => T): Promise<T> {
        const call: AwsCall = awsCall(clientName, commandName);
        const denied = this.faults.awsError?.[call.action];
        if (denied) throw nameCall(Object.assign(denied, { $metadata: { ...(denied as { $metadata?: object }).$metadata, attempts: 1, totalRetryDelay: 0 } }), call.action);
        let totalRetryDelay = 0;
        for (let attempt = 1; ; attempt++) {
            const describe = call.action === "ecs:DescribeServices" || call.action === "ecs:DescribeTasks";
            const throttled = this.faults.throttleAlways?.includes(call.action) || (describe && (this.faults.throttleDescribes ?? 0) > 0);
            if (!throttled) return fn();
            if (describe && (this.faults.throttleDescribes ?? 0) > 0) this.faults.throttleDescribes!--;
            const error = Object.assign(new Error("Rate exceeded"), {
                name: "ThrottlingException",
                $fault: "client",
                $metadata: { httpStatusCode: 400, attempts: attempt, totalRetryDelay },
            });
            if (attempt >= AWS_RETRY.maxAttempts) throw nameCall(error, call.action);
            const delayMs = Math.min(20_000, 1_000 * 2 ** (attempt - 1));
            await this.clock.sleep(delayMs);
            totalRetryDelay += delayMs;
            this.progress(retryLine(call, attempt + 1, AWS_RETRY.maxAttempts, error));
        }
    }
}

export class FakeEcs implements EcsPort {
    describeCalls = 0;
    constructor(private readonly w: World) {}
    async runTask(request: RunTaskRequest): Promise<RunTaskResult> {
        return this.w.aws("ECSClient", "RunTaskCommand", () => this.run(request));
    }
    private run(request: RunTaskRequest): RunTaskResult {
        this.w.runTasks.push(request);
        if (this.w.faults.migration?.cannotStart === "failures") return { failures: ["RESOURCE:FARGATE capacity unavailable"] };
        const arn = `arn:aws:ecs:eu-west-1:123456789012:task/berth-dev-cluster/${this.w.runTasks.length}abc`;
        this.w.tasks.set(arn, { startedAt: this.w.clock.now(), taskDefinition: request.taskDefinition });
        return { taskArn: arn };
    }
    async describeTask(cluster: string, taskArn: string): Promise<TaskStatus | undefined> {
        return this.w.aws("ECSClient", "DescribeTasksCommand", () => this.task(cluster, taskArn));
    }
    private task(_cluster: string, taskArn: string): TaskStatus | undefined {
        const t = this.w.tasks.get(taskArn);
        if (!t) return undefined;
        const f = this.w.faults.migration ?? {};
        const age = this.w.clock.now() - t.startedAt;
        if (f.cannotStart === "stopped" && age > 10_000) {
            return { taskArn, lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: pull access denied", containers: [{ name: "migrate", lastStatus: "STOPPED" }] };
        }
        if (f.neverStops || f.cannotStart || age < this.w.migrationMs) return { taskArn, lastStatus: age < 5_000 ? "PROVISIONING" : "RUNNING", containers: [{ name: "migrate" }] };
        return { taskArn, lastStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [{ name: "migrate", exitCode: f.exitCode ?? 0, lastStatus: "STOPPED" }] };
    }
    async describeServices(_cluster: string, serviceNames: string[]): Promise<ServiceStatus[]> {
        this.describeCalls++;
        return this.w.aws("ECSClient", "DescribeServicesCommand", () => [...this.w.services.values()].filter((s) => serviceNames.includes(s.serviceName)).map((s) => this.w.status(s.name)));
    }
    async listServiceDeployments(_cluster: string, serviceName: string, options: { createdAfter?: number; status?: ServiceDeploymentStatus[] } = {}): Promise<ServiceDeploymentBrief[]> {
        return this.w.aws("ECSClient", "ListServiceDeploymentsCommand", () => {
            const service = [...this.w.services.values()].find((s) => s.serviceName === serviceName);
            if (!service) throw Object.assign(new Error("Service not found."), { name: "ServiceNotFoundException" });
            return this.w.serviceDeployments
                .filter((d) => d.service === service.name && (options.createdAfter === undefined || d.createdAt >= options.createdAfter))
                .map((d) => this.w.describeServiceDeployment(d))
                .filter((d) => !options.status || options.status.includes(d.status as ServiceDeploymentStatus))
                .map(({ arn, status, statusReason, createdAt, finishedAt, targetServiceRevisionArn }) => ({ arn, status, ...(statusReason ? { statusReason } : {}), createdAt, ...(finishedAt !== undefined ? { finishedAt } : {}), targetServiceRevisionArn }))
                .reverse();
        });
    }
    async describeServiceDeployments(arns: string[]): Promise<ServiceDeploymentSnapshot[]> {
        if (arns.length > 20) throw Object.assign(new Error("serviceDeploymentArns: at most 20"), { name: "InvalidParameterException" });
        return this.w.aws("ECSClient", "DescribeServiceDeploymentsCommand", () => this.w.serviceDeployments.filter((d) => arns.includes(d.arn)).map((d) => this.w.describeServiceDeployment(d)));
    }
    async continueServiceDeployment(arn: string, hookId: string, action: HookAction): Promise<void> {
        return this.w.aws("ECSClient", "ContinueServiceDeploymentCommand", () => this.w.continueDeployment(arn, hookId, action));
    }
    async stopServiceDeployment(arn: string): Promise<void> {
        return this.w.aws("ECSClient", "StopServiceDeploymentCommand", () => this.w.stopDeployment(arn));
    }
}

/**
 * CloudWatch's AWS/ApplicationELB sums for a target group, one request a second while a service takes traffic. Like
 * CloudWatch, the last minute is not there yet. Green always uses the alternate target group in this fake.
 */
export class FakeMetrics implements MetricsPort {
    readonly calls: { targetGroupArn: string; fromMs: number; toMs: number }[] = [];
    constructor(private readonly w: World) {}
    async targetGroupErrors(_loadBalancerArn: string, targetGroupArn: string, fromMs: number, toMs: number): Promise<TargetGroupErrors> {
        return this.w.aws("CloudWatchClient", "GetMetricDataCommand", () => {
            this.calls.push({ targetGroupArn, fromMs, toMs });
            const entry = Object.entries<any>(this.w.outputs.services).find(([, o]) => o.targetGroupArn === targetGroupArn || o.rollout?.alternateTargetGroupArn === targetGroupArn);
            if (!entry) return { requests: 0, errors5xx: 0 };
            const [service, o] = entry;
            const seen = Math.max(0, Math.min(toMs, this.w.clock.now() - 60_000) - fromMs);
            const requests = Math.floor(seen / 1000);
            const green = o.rollout?.alternateTargetGroupArn === targetGroupArn;
            const ratio = green && this.w.latestServiceDeployment(service)?.isNew ? (this.w.faults.canary5xx?.[service] ?? 0) : 0;
            return { requests, errors5xx: Math.round(requests * ratio) };
        });
    }
}

export class FakeElb implements LoadBalancerPort {
    constructor(private readonly w: World) {}
    async targetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
        return this.w.aws("ElasticLoadBalancingV2Client", "DescribeTargetHealthCommand", () => this.health(targetGroupArn));
    }
    private health(targetGroupArn: string): TargetHealth[] {
        const s = [...this.w.services.values()].find((x) => x.targetGroupArn === targetGroupArn);
        // This fake keeps every target in the service's own group; its alternate group exists and is empty.
        if (!s && Object.values<any>(this.w.outputs.services).some((o) => o.rollout?.alternateTargetGroupArn === targetGroupArn)) return [];
        if (!s) throw Object.assign(new Error(`no target group ${targetGroupArn}`), { name: "TargetGroupNotFoundException" });
        const st = this.w.status(s.name);
        const p = this.w.primary(s.name);
        const targets: TargetHealth[] = [];
        for (const d of s.deployments) {
            // Old tasks stay registered and healthy until a newer deployment completes; then they drain.
            for (let i = 0; i < d.runningCount; i++) targets.push({ targetId: `10.0.${d.id.length}.${i}`, port: 8080, state: d.drainingSince === undefined ? "healthy" : "draining" });
        }
        if (p.kind === "unhealthy") targets.push({ targetId: "10.0.9.9", port: 8080, state: "unhealthy", reason: "Target.ResponseCodeMismatch" });
        else if (st.pendingCount > 0) targets.push({ targetId: "10.0.9.8", port: 8080, state: "initial" });
        return targets;
    }
}

export class FakeHttp implements HttpPort {
    readonly calls: string[] = [];
    constructor(private readonly w: World) {}
    /** Requests that carried a service's test-traffic header (reached green through the test listener rule). */
    readonly testCalls: string[] = [];
    async get(url: string, options: { headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
        this.calls.push(url);
        const owner = [...this.w.services.values()].filter((s) => s.url && url.startsWith(s.url)).sort((a, b) => b.url!.length - a.url!.length)[0];
        if (!owner) return { status: 404, body: "not found" };
        const test = this.w.outputs.services[owner.name].rollout?.testTraffic;
        const viaTestRoute = test !== undefined && options.headers?.[test.header] === test.value;
        if (viaTestRoute) this.testCalls.push(url);
        const image = this.w.servingImage(owner.name, viaTestRoute);
        if (image !== owner.originalImage && this.w.faults.smoke5xx?.includes(owner.name)) return { status: 503, body: "Service Unavailable" };
        return { status: 200, body: JSON.stringify({ service: owner.name, version: this.w.versions.get(image) ?? "unknown" }) };
    }
}

export class FakeLogs implements LogsPort {
    constructor(private readonly w: World) {}
    async read(logGroupName: string, logStreamName: string, nextToken?: string): Promise<LogPage> {
        return this.w.aws("CloudWatchLogsClient", "GetLogEventsCommand", () => this.page(logGroupName, logStreamName, nextToken));
    }
    private page(logGroupName: string, logStreamName: string, nextToken?: string): LogPage {
        if (logGroupName !== this.w.outputs.migration?.logGroupName || !logStreamName.startsWith("migrate/migrate/")) {
            throw Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" });
        }
        const lines = this.w.faults.migration?.logLines ?? ["applying 0042_orders.sql", "done"];
        const from = nextToken ? Number(nextToken) : 0;
        const out = lines.slice(from, from + 1).map((message, i) => ({ timestamp: this.w.clock.now() + i, message }));
        return { lines: out, nextToken: String(from + out.length) };
    }
}

export class FakeRegistry implements RegistryPort {
    constructor(private readonly w: World) {}
    async credentials() {
        return this.w.aws("ECRClient", "GetAuthorizationTokenCommand", () => ({ server: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", username: "AWS", password: "token" }));
    }
    async digestOf(repositoryName: string, tag: string): Promise<string | undefined> {
        return this.w.aws("ECRClient", "DescribeImagesCommand", () => this.w.tags.get(repositoryName)?.get(tag));
    }
    async addTag(repositoryName: string, digest: string, tag: string): Promise<void> {
        return this.w.aws("ECRClient", "PutImageCommand", () => this.tag(repositoryName, digest, tag));
    }
    private tag(repositoryName: string, digest: string, tag: string): void {
        const repo = this.w.tags.get(repositoryName) ?? new Map<string, string>();
        const existing = repo.get(tag);
        if (existing && existing !== digest) throw Object.assign(new Error(`tag ${tag} already exists (immutable)`), { name: "ImageTagAlreadyExistsException" });
        repo.set(tag, digest);
        this.w.tags.set(repositoryName, repo);
        this.w.addedTags.push({ repo: repositoryName, digest, tag });
    }
}

export class FakeBuilder implements ImageBuilderPort {
    logins = 0;
    readonly pushes: string[] = [];
    constructor(private readonly w: World) {}
    async login(): Promise<void> {
        this.logins++;
    }
    private serviceOf(imageRef: string): string {
        const repoUrl = imageRef.slice(0, imageRef.lastIndexOf(":"));
        return Object.entries<any>(this.w.outputs.services).find(([, o]) => o.repositoryUrl === repoUrl)![0];
    }
    async build(request: BuildRequest, signal?: AbortSignal): Promise<void> {
        this.w.builds.push(request);
        await this.w.clock.sleep(60_000, signal);
        const service = this.serviceOf(request.imageRef);
        const tail = this.w.faults.buildFails?.[service];
        if (tail) throw new BuildFailedError(`docker build of ${request.imageRef} failed (exit 1)`, tail);
    }
    async push(imageRef: string, signal?: AbortSignal): Promise<string> {
        await this.w.clock.sleep(10_000, signal);
        const service = this.serviceOf(imageRef);
        const digest = digestOf(imageRef);
        const build = this.w.builds.find((b) => b.imageRef === imageRef)!;
        this.w.versions.set(digest, build.buildArgs.GIT_SHA);
        const repo = this.w.outputs.services[service].repositoryUrl.replace(/^[^/]+\//, "");
        const tags = this.w.tags.get(repo) ?? new Map<string, string>();
        tags.set(imageRef.slice(imageRef.lastIndexOf(":") + 1), digest);
        this.w.tags.set(repo, tags);
        this.pushes.push(imageRef);
        return digest;
    }
}

export class FakeStore implements ReleaseStorePort {
    /** What reads could see before each write: a read within `faults.ssmReadLagMs` of a write may get it. */
    private readonly before: { at: number; released: ReleasedSet | undefined; history: ReleasedSet[]; outcomes: ReleaseOutcome[] }[] = [];
    constructor(private readonly w: World) {}
    /** The state a read sees now: with read lag, the one from before the writes of the last `ssmReadLagMs`. */
    private visible(): { released: ReleasedSet | undefined; history: ReleasedSet[]; outcomes: ReleaseOutcome[] } {
        const lag = this.w.faults.ssmReadLagMs ?? 0;
        const stale = this.before.find((b) => this.w.clock.now() - b.at < lag);
        return stale ?? { released: this.w.released, history: [...this.w.history.values()], outcomes: this.w.outcomes };
    }
    private snapshot(): void {
        this.before.push({ at: this.w.clock.now(), ...JSON.parse(JSON.stringify({ released: this.w.released, history: [...this.w.history.values()], outcomes: this.w.outcomes })) });
    }
    async readReleased() {
        return this.w.aws("SSMClient", "GetParameterCommand", () => {
            const { released } = this.visible();
            return released && JSON.parse(JSON.stringify(released));
        });
    }
    /** Like the SSM adapter: the history entry first (overwritten on a repeated id), then the released set. */
    async writeReleased(set: ReleasedSet) {
        await this.w.aws("SSMClient", "PutParameterCommand", () => undefined);
        if (this.w.faults.storeWriteFails) throw new Error("AccessDeniedException: ssm:PutParameter");
        this.snapshot();
        this.w.history.set(set.releaseId, JSON.parse(JSON.stringify(set)));
        this.w.releasedWrites.push(set);
        this.w.released = set;
    }
    async listReleases(): Promise<ReleasedSet[]> {
        const sets: ReleasedSet[] = await this.w.aws("SSMClient", "GetParametersByPathCommand", () => JSON.parse(JSON.stringify(this.visible().history)));
        return sets.sort((a, b) => b.releasedAt.localeCompare(a.releasedAt) || b.releaseId.localeCompare(a.releaseId));
    }
    async listOutcomes(): Promise<ReleaseOutcome[]> {
        return this.w.aws("SSMClient", "GetParameterCommand", () => {
            if (this.w.faults.outcomeReadFails) throw new Error(this.w.faults.outcomeReadFails);
            return JSON.parse(JSON.stringify(this.visible().outcomes));
        });
    }
    /**
     * Like the SSM adapter after its lost-update check: the entry joins what the parameter really holds (not the lagged
     * view), bounded and validated by the contract's own writer.
     */
    async recordOutcome(outcome: ReleaseOutcome): Promise<string[]> {
        await this.w.aws("SSMClient", "GetParameterCommand", () => undefined);
        await this.w.aws("SSMClient", "PutParameterCommand", () => undefined);
        if (this.w.faults.outcomeWriteFails) throw new Error(this.w.faults.outcomeWriteFails);
        const value = serializeOutcomes([outcome, ...this.w.outcomes]);
        this.snapshot();
        this.w.outcomes = (JSON.parse(value) as { outcomes: ReleaseOutcome[] }).outcomes;
        this.w.outcomeWrites.push(outcome);
        return [];
    }
}

export class FakeSource implements SourcePort {
    constructor(
        public sha: string,
        public dirty: string[] = [],
    ) {}
    async headSha() {
        return this.sha;
    }
    async dirtyPaths() {
        return this.dirty;
    }
}

const URN = (type: string, parent: string, name: string) => `urn:pulumi:dev::berth::${parent}$${type}::${name}`;
const TD = "aws:ecs/taskDefinition:TaskDefinition";
const SVC = "aws:ecs/service:Service";

/**
 * Like the real CLI, the fake reads the stack's config per operation: the config handed to the operation (the
 * adapter's `--config-file`), else the checked-in stack file, which holds no berth:images (`stackFile`, never
 * written by the fake: nothing berth does may edit it). `parallel` bounds how many services roll at once: with
 * `parallel` 1 the services of a level roll one after another, with more they overlap in virtual time.
 */
export class FakeStack implements StackPort {
    readonly name = "dev";
    /** The checked-in Pulumi.dev.yaml: berth never writes it. */
    readonly stackFile = "config:\n  aws:region: eu-west-1\n";
    /** The config of the last operation: berth:images (service → digest) as the program read it. */
    config: Record<string, string> = {};
    /** berth:migrationImage of the last operation (undefined: the key was absent). */
    migrationImage: string | undefined;
    /** What the engine last applied, per service and for the migration. */
    readonly applied: Record<string, string> = {};
    migrationApplied: string | undefined;
    readonly ups: { images: Record<string, string>; migrationImage?: string; parallel?: number; changed: string[]; result: string }[] = [];
    previews = 0;
    /** The most services that rolled at the same time in any update (bounded by `parallel`). */
    maxConcurrentRollouts = 0;
    private version = 10;

    constructor(private readonly w: World) {
        for (const s of w.serviceNames()) this.applied[s] = imageDigest(w.outputs.services[s].image);
        if (w.outputs.migration) this.migrationApplied = this.applied[w.outputs.migration.service];
    }

    async outputs() {
        return JSON.parse(JSON.stringify(this.w.outputs));
    }
    async preview(options: StackUpdateOptions): Promise<UpdateResult> {
        if (this.w.faults.locked) throw new StackLockedError("stack dev is locked: another update is in progress");
        this.previews++;
        let seq = 0;
        const emit = (urn: string, type: string) => options.onEvent?.({ sequence: seq++, timestamp: this.w.clock.now() / 1000, resourcePreEvent: { metadata: { op: "same", urn, type } } });
        for (const s of this.w.serviceNames()) emit(URN(TD, "berth:service:Service", `svc-${s}-task-definition`), TD);
        if (this.w.outputs.migration) emit(URN(TD, "berth:migration:Migration", "migration-task-definition"), TD);
        return { result: "succeeded", resourceChanges: { same: 1 } };
    }
    async up(options: StackUpdateOptions): Promise<UpdateResult> {
        return this.update(options);
    }
    async history() {
        return [];
    }

    private async update(options: StackUpdateOptions): Promise<UpdateResult> {
        const w = this.w;
        if (w.faults.locked) throw new StackLockedError("stack dev is locked: another update is in progress");
        if (options.signal?.aborted) throw abortError();
        let seq = 0;
        const start = w.clock.now() / 1000;
        const event = (e: Omit<EngineEvent, "sequence" | "timestamp">) => options.onEvent?.({ sequence: seq++, timestamp: w.clock.now() / 1000, ...e });
        // The program reads the config of this operation; the checked-in file holds no berth:images.
        this.config = { ...(options.config?.images ?? {}) };
        this.migrationImage = options.config?.migrationImage;
        const want = (s: string) => this.config[s] ?? this.applied[s];
        const migrationUrn = URN(TD, "berth:migration:Migration", "migration-task-definition");
        const record = {
            images: { ...this.config },
            ...(this.migrationImage ? { migrationImage: this.migrationImage } : {}),
            ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
            changed: [] as string[],
            result: "succeeded",
        };
        this.ups.push(record);
        const m = w.outputs.migration;
        const rollingBack = w.serviceNames().some((s) => want(s) !== this.applied[s] && want(s) === w.services.get(s)!.originalImage);
        if (w.faults.rollbackUpFails && rollingBack) {
            event({ diagnosticEvent: { message: "AccessDenied: ecs:UpdateService", severity: "error" } });
            record.result = "failed";
            return { result: "failed", updateId: String(++this.version), resourceChanges: {} };
        }
        // Like the program: berth:migrationImage wins for the migration task definition; without it the migration
        // follows its owner service.
        const migrationWant = m ? (this.migrationImage ?? want(m.service)) : undefined;
        if (m && migrationWant !== this.migrationApplied) {
            const meta = { op: "replace", urn: migrationUrn, type: TD };
            event({ resourcePreEvent: { metadata: meta } });
            const arn = w.registerTd(m.taskDefinitionFamily, migrationWant!);
            w.outputs.migration.taskDefinitionArn = arn;
            this.migrationApplied = migrationWant;
            event({ resOutputsEvent: { metadata: meta } });
            record.changed.push("migration");
        }
        let failed = false;
        const parallel = options.parallel ?? Number.POSITIVE_INFINITY;
        for (const level of w.outputs.rolloutLevels as string[][]) {
            const due = level.filter((s) => want(s) !== this.applied[s]);
            // The engine runs at most `parallel` resource operations at once; services of one level do not depend
            // on each other, so they overlap up to that bound.
            for (let i = 0; i < due.length && !failed; i += parallel) {
                const batch = due.slice(i, i + parallel);
                if (w.faults.abortMidRollout && record.changed.some((c) => c !== "migration")) w.faults.abortMidRollout.abort();
                if (options.signal?.aborted) {
                    event({ cancelEvent: {} });
                    throw abortError();
                }
                this.maxConcurrentRollouts = Math.max(this.maxConcurrentRollouts, batch.length);
                const urns = new Map<string, string>();
                for (const s of batch) {
                    const o = w.outputs.services[s];
                    const tdUrn = URN(TD, "berth:service:Service", `svc-${s}-task-definition`);
                    const svcUrn = URN(SVC, "berth:service:Service", `svc-${s}-service`);
                    urns.set(s, svcUrn);
                    event({ resourcePreEvent: { metadata: { op: "replace", urn: tdUrn, type: TD } } });
                    const arn = w.registerTd(o.taskDefinitionFamily, want(s));
                    event({ resOutputsEvent: { metadata: { op: "replace", urn: tdUrn, type: TD } } });
                    event({ resourcePreEvent: { metadata: { op: "update", urn: svcUrn, type: SVC } } });
                    w.deploy(s, arn, want(s));
                    o.taskDefinitionArn = arn;
                    o.image = `${o.repositoryUrl}@${want(s)}`;
                    this.applied[s] = want(s);
                    record.changed.push(s);
                }
                const stuck = batch.filter((s) => w.primary(s).kind === "stuck");
                // The provider's steady-state poll: a stuck service times out after 10 minutes, in small steps so that the
                // rollout watch's polls (and ECS) go on meanwhile, as they do beside a real engine.
                for (let waited = 0; waited < (stuck.length > 0 ? 600_000 : 5_000); waited += 5_000) await w.clock.sleep(5_000);
                // As the program sets waitForSteadyState (outputs rollout.engineWaits): a blue/green, canary or linear service
                // the engine waits for has an operation that lasts until its service deployment ends — hooks and bake
                // included — and a rollback fails it (terraform-provider-aws #43434); one it does not wait for ends once
                // ECS accepted the update (the provider's Update returns after UpdateService and an ACTIVE read). An
                // interrupted engine still lets in-flight operations finish.
                const waits = (s: string) => w.latestServiceDeployment(s)?.strategy !== "ROLLING" && w.outputs.services[s].rollout?.engineWaits !== false;
                const ended = new Map<string, FakeServiceDeployment>();
                for (;;) {
                    for (const s of batch) {
                        const d = w.latestServiceDeployment(s);
                        if (!d || !waits(s) || ended.has(s)) continue;
                        w.settle(s);
                        if (TERMINAL.has(d.status)) ended.set(s, d);
                    }
                    if (batch.every((s) => ended.has(s) || !waits(s))) break;
                    await w.clock.sleep(5_000);
                }
                for (const s of batch) {
                    const svcUrn = urns.get(s)!;
                    const d = ended.get(s);
                    if (d && d.status !== "SUCCESSFUL") {
                        event({ resOpFailedEvent: { metadata: { op: "update", urn: svcUrn, type: SVC }, status: 1, steps: 1 } });
                        event({ diagnosticEvent: { urn: svcUrn, message: `waiting for ECS service deployment ${d.arn}: ${d.status}: ${d.statusReason ?? ""}`, severity: "error" } });
                        failed = true;
                    } else if (stuck.includes(s)) {
                        event({ resOpFailedEvent: { metadata: { op: "update", urn: svcUrn, type: SVC }, status: 1, steps: 1 } });
                        event({ diagnosticEvent: { urn: svcUrn, message: "waiting for service to reach a steady state: timeout", severity: "error" } });
                        failed = true;
                    } else {
                        event({ resOutputsEvent: { metadata: { op: "update", urn: svcUrn, type: SVC } } });
                    }
                }
            }
            if (failed) break;
        }
        // A cancelled update whose in-flight operations have ended still ends as cancelled, failed operations or not.
        if (options.signal?.aborted) {
            record.result = "failed";
            event({ cancelEvent: {} });
            throw abortError();
        }
        const changes = record.changed.length;
        event({ summaryEvent: { maybeCorrupt: false, durationSeconds: w.clock.now() / 1000 - start, resourceChanges: changes > 0 ? { update: changes } : { same: 1 } } });
        record.result = failed ? "failed" : "succeeded";
        return { result: failed ? "failed" : "succeeded", updateId: String(++this.version), resourceChanges: changes > 0 ? { update: changes } : {} };
    }
}
