// The simulator's ECS and ALB over time: services with PRIMARY/ACTIVE deployments, tasks that walk
// PROVISIONING → PENDING → RUNNING → STOPPED, target groups whose targets go initial → healthy/unhealthy and
// drain for the deregistration delay, the deployment circuit breaker and ECS's own rollback; and ECS's native
// blue/green, canary and linear deployments: lifecycle stages, PAUSE hooks, test and production traffic moved
// on the listener rules between a service's two target groups, bake time, deployment alarms and rollback.
// State advances in one-second steps of the sim clock whenever anything reads or changes it.
import { randomBytes } from "node:crypto";
import { ListenerRules, globMatch, type ListenerRule } from "./alb";
import { CloudWatchModel } from "./cloudwatch";

export const ACCOUNT = "123456789012";

/** How a container behaves, read from its image's environment (SIM_BEHAVIOUR, SIM_MIGRATION, GIT_SHA). */
export interface Behaviour {
    /**
     * healthy | crash (exits 1 soon after start) | unhealthy (fails the ALB check) | cannot-start (image pull fails) |
     * smoke-5xx (healthy to the ALB check, 502 through the listener) | slow-start (a large image: PENDING for
     * slowPending) | degrades (like healthy for `degradeAfter` once running, then 502 through the listener while the
     * ALB check still passes: passes a test made early, fails under production traffic during bake)
     */
    kind: "healthy" | "crash" | "unhealthy" | "cannot-start" | "smoke-5xx" | "slow-start" | "degrades";
    /** A migration task: ok | fail (exit 1) | hang (never stops) | cannot-start. */
    migration: "ok" | "fail" | "hang" | "cannot-start";
    version?: string;
    /** Why the image could not be pulled, when it could not. */
    pullError?: string;
}

export interface ContainerDef {
    name: string;
    image: string;
    logGroup?: string;
    logStreamPrefix?: string;
}

export interface TaskDefinition {
    arn: string;
    family: string;
    revision: number;
    containers: ContainerDef[];
    behaviour: Behaviour;
    registeredAt: number;
}

export interface TargetGroupSpec {
    arn: string;
    intervalSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    deregistrationDelaySeconds: number;
    port: number;
    /** ALB path patterns routed to this group. */
    routes: string[];
}

interface Target {
    id: string;
    port: number;
    taskArn: string;
    registeredAt: number;
    state: "initial" | "healthy" | "unhealthy" | "draining";
    reason?: string;
    description?: string;
    drainingUntil?: number;
}

interface TargetGroup extends TargetGroupSpec {
    targets: Target[];
}

export interface Task {
    arn: string;
    cluster: string;
    taskDefinitionArn: string;
    deploymentId?: string;
    service?: string;
    group: string;
    startedBy?: string;
    createdAt: number;
    lastStatus: "PROVISIONING" | "PENDING" | "RUNNING" | "DEPROVISIONING" | "STOPPED";
    desiredStatus: "RUNNING" | "STOPPED";
    pendingAt?: number;
    startedAt?: number;
    stoppingAt?: number;
    stoppedAt?: number;
    stopCode?: string;
    stoppedReason?: string;
    exitCode?: number;
    containerReason?: string;
    ip: string;
    /** The target group the task registers in: its deployment's (a blue/green service's green group, or the service's). */
    targetGroupArn?: string;
    /** The task failed (counts toward its deployment's failedTasks). */
    failed?: boolean;
}

export interface Deployment {
    id: string;
    arn: string;
    status: "PRIMARY" | "ACTIVE";
    taskDefinition: string;
    desiredCount: number;
    createdAt: number;
    updatedAt: number;
    rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
    rolloutStateReason: string;
    failedTasks: number;
    /** ECS's own rollback deployment after a circuit-breaker trip. */
    rollbackOf?: string;
    failedAt?: number;
    /** Where this deployment's tasks register (blue/green: the group not serving production when it started). */
    targetGroupArn?: string;
}

export type Strategy = "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR";

export type LifecycleStage =
    | "RECONCILE_SERVICE"
    | "PRE_SCALE_UP"
    | "SCALE_UP"
    | "POST_SCALE_UP"
    | "TEST_TRAFFIC_SHIFT"
    | "POST_TEST_TRAFFIC_SHIFT"
    | "PRE_PRODUCTION_TRAFFIC_SHIFT"
    | "PRODUCTION_TRAFFIC_SHIFT"
    | "POST_PRODUCTION_TRAFFIC_SHIFT"
    | "BAKE_TIME"
    | "CLEAN_UP";

export interface LifecycleHookConfig {
    targetType: "PAUSE" | "AWS_LAMBDA";
    lifecycleStages: string[];
    timeoutInMinutes: number;
    action: "CONTINUE" | "ROLLBACK";
}

/** A service's deploymentConfiguration as UpdateService set it (the parts the simulator acts on). */
export interface DeploymentConfig {
    strategy: Strategy;
    bakeTimeInMinutes: number;
    canary?: { percent: number; bakeMinutes: number };
    linear?: { stepPercent: number; intervalMinutes: number };
    lifecycleHooks: LifecycleHookConfig[];
    alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
}

/** loadBalancers[].advancedConfiguration: what ECS needs to move traffic between the two target groups. */
export interface AdvancedLoadBalancer {
    alternateTargetGroupArn: string;
    productionListenerRule: string;
    testListenerRule?: string;
    roleArn: string;
}

export interface HookState {
    hookId: string;
    targetType: "PAUSE";
    status: "AWAITING_ACTION" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";
    expiresAt: number;
    timeoutAction: "CONTINUE" | "ROLLBACK";
    stage: LifecycleStage;
}

/** The moving parts of one blue/green, canary or linear deployment. */
export interface Lifecycle {
    config: DeploymentConfig;
    advanced: AdvancedLoadBalancer;
    stage: LifecycleStage;
    since: number;
    hooks: HookState[];
    blueTg: string;
    greenTg: string;
    /** Production weights (percent on green) step by step; the index of the step applied last. */
    steps: number[];
    step: number;
    testWeight: number;
    productionWeight: number;
    /** When ROLLBACK_REQUESTED turns into ROLLBACK_IN_PROGRESS. */
    rollbackAt?: number;
    /** When ROLLBACK_IN_PROGRESS began. */
    rolledBackAt?: number;
    triggeredAlarms: string[];
}

/** ServiceDeployment records (ListServiceDeployments / DescribeServiceDeployments). */
export interface ServiceDeploymentRecord {
    arn: string;
    service: string;
    cluster: string;
    deploymentId: string;
    taskDefinition: string;
    sourceTaskDefinition?: string;
    status: "PENDING" | "IN_PROGRESS" | "SUCCESSFUL" | "STOPPED" | "ROLLBACK_REQUESTED" | "ROLLBACK_IN_PROGRESS" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED";
    statusReason?: string;
    createdAt: number;
    startedAt: number;
    finishedAt?: number;
    rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
    /** When the circuit breaker marked the deployment FAILED. */
    failedAt?: number;
    updatedAt: number;
    stoppedAt?: number;
    /** The service revision being deployed, and the one it replaces. */
    revisionArn: string;
    sourceRevisionArn?: string;
    desiredCount: number;
    /** Set for BLUE_GREEN, CANARY and LINEAR deployments. */
    lifecycle?: Lifecycle;
    /** Set when the deployment has deployment alarms. */
    alarms?: DeploymentConfig["alarms"];
    /** Failed tasks of this deployment (the circuit breaker's failureCount). */
    failedTasks?: number;
    /** Alarms already in ALARM when the deployment started: they count once they have left ALARM and moved into it again. */
    alarmsAlreadyFiring?: string[];
}

export interface ServiceRevision {
    arn: string;
    serviceArn: string;
    cluster: string;
    taskDefinition: string;
    createdAt: number;
}

export interface Service {
    name: string;
    arn: string;
    cluster: string;
    desiredCount: number;
    deployments: Deployment[];
    targetGroupArn?: string;
    healthCheckGracePeriodSeconds: number;
    /** The task definition of the last deployment that COMPLETED: what the circuit breaker rolls back to. */
    lastCompleted?: string;
    records: ServiceDeploymentRecord[];
    config: DeploymentConfig;
    advanced?: AdvancedLoadBalancer;
    /** Which of the two target groups serves production now (blue/green swaps them with every deployment). */
    productionTg?: string;
}

/** Durations in sim seconds (documented in the README's simulator section). */
export const TIMING = {
    provisioning: 5,
    /** PENDING: ENI attachment, image pull (Fargate has no image cache), container start. */
    pending: 20,
    /** PENDING of a slow-start image (a large image pulled without a cache). */
    slowPending: 600,
    /** A crashing container runs this long before it exits 1. */
    crashAfter: 10,
    /** Migration tasks: how long a successful / failing migration runs once RUNNING. */
    migrationOk: 15,
    migrationFail: 8,
    /** ECS reacts to a tripped circuit breaker by starting the rollback deployment after this delay. */
    rollbackDelay: 30,
    /** A stopping container gets SIGTERM and exits well within its stop timeout. */
    stopping: 5,
    /** A blue/green lifecycle stage with nothing to wait for still takes this long (ECS's bookkeeping). */
    stage: 5,
    /** ECS rewriting a listener rule's forward action (test or production traffic moving). */
    trafficShift: 5,
    /** ROLLBACK_REQUESTED → ROLLBACK_IN_PROGRESS. */
    rollbackRequested: 5,
    /** A `degrades` container answers 502 this long after it started running. */
    degradeAfter: 240,
    /** Production requests per second the listener sends a service at 100% (background traffic for the metrics). */
    backgroundRps: 2,
};

export const ROLLING: DeploymentConfig = { strategy: "ROLLING", bakeTimeInMinutes: 0, lifecycleHooks: [] };

export interface LogEvent {
    timestamp: number;
    message: string;
    ingestionTime: number;
}

export class EcsModel {
    private readonly taskDefs = new Map<string, TaskDefinition>();
    private readonly revisions = new Map<string, number>();
    readonly services = new Map<string, Service>();
    readonly tasks = new Map<string, Task>();
    readonly targetGroups = new Map<string, TargetGroup>();
    readonly rules: ListenerRules;
    readonly cloudwatch: CloudWatchModel;
    readonly serviceRevisions = new Map<string, ServiceRevision>();
    private readonly trafficCarry = new Map<string, number>();
    /** logGroup → stream → events. */
    readonly logs = new Map<string, Map<string, LogEvent[]>>();
    private lastTick: number;
    private ipCounter = 10;

    constructor(
        readonly region: string,
        private readonly now: () => number,
    ) {
        this.lastTick = now();
        this.rules = new ListenerRules(region, ACCOUNT);
        this.cloudwatch = new CloudWatchModel(now);
    }

    // ---- registration and changes (called by the API layer)

    registerTaskDefinition(family: string, containers: ContainerDef[], behaviour: Behaviour): TaskDefinition {
        this.advance();
        const revision = (this.revisions.get(family) ?? 0) + 1;
        this.revisions.set(family, revision);
        const td: TaskDefinition = { arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:task-definition/${family}:${revision}`, family, revision, containers, behaviour, registeredAt: this.now() };
        this.taskDefs.set(td.arn, td);
        return td;
    }

    taskDefinition(ref: string): TaskDefinition | undefined {
        if (this.taskDefs.has(ref)) return this.taskDefs.get(ref);
        const tail = ref.slice(ref.lastIndexOf("/") + 1);
        const [family, rev] = tail.split(":");
        const revision = rev ? Number(rev) : this.revisions.get(family);
        return this.taskDefs.get(`arn:aws:ecs:${this.region}:${ACCOUNT}:task-definition/${family}:${revision}`);
    }

    /** A target group; with routes, also the listener rule that forwards those paths to it (priority in creation order). */
    createTargetGroup(spec: TargetGroupSpec): void {
        this.targetGroups.set(spec.arn, { ...spec, targets: [] });
        if (spec.routes.length > 0) this.rules.create({ priority: 10 * (this.rules.all().length + 1), paths: spec.routes, forward: [{ targetGroupArn: spec.arn, weight: 100 }] });
    }

    /** A service already running `taskDefinition` healthily (the harness's provisioned environment). */
    createService(cluster: string, name: string, taskDefinition: string, desiredCount: number, targetGroupArn?: string): Service {
        const at = this.now();
        const svc: Service = {
            name,
            arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:service/${cluster}/${name}`,
            cluster,
            desiredCount,
            deployments: [],
            ...(targetGroupArn ? { targetGroupArn } : {}),
            healthCheckGracePeriodSeconds: 30,
            lastCompleted: taskDefinition,
            records: [],
            config: ROLLING,
            ...(targetGroupArn ? { productionTg: targetGroupArn } : {}),
        };
        const d = this.newDeployment(svc, taskDefinition, "COMPLETED");
        svc.deployments.push(d);
        this.record(svc, d, undefined, "SUCCESSFUL", at);
        svc.records[0].finishedAt = at;
        this.services.set(this.key(cluster, name), svc);
        for (let i = 0; i < desiredCount; i++) {
            const task = this.newTask(cluster, taskDefinition, { service: svc, deployment: d });
            Object.assign(task, { lastStatus: "RUNNING", pendingAt: at, startedAt: at });
            const tg = task.targetGroupArn ? this.targetGroups.get(task.targetGroupArn) : undefined;
            tg?.targets.push({ id: task.ip, port: tg.port, taskArn: task.arn, registeredAt: at, state: "healthy" });
        }
        return svc;
    }

    service(cluster: string, name: string): Service | undefined {
        this.advance();
        const short = name.slice(name.lastIndexOf("/") + 1);
        return this.services.get(this.key(clusterName(cluster), short));
    }

    /**
     * UpdateService with a new task definition (or a forced new deployment): one new PRIMARY deployment. With a
     * BLUE_GREEN, CANARY or LINEAR strategy the deployment walks the lifecycle stages; the service's configuration
     * (strategy, hooks, alarms, advancedConfiguration) is what the call left it with.
     */
    updateService(svc: Service, taskDefinition: string, desiredCount?: number, config?: DeploymentConfig, loadBalancer?: { targetGroupArn: string; advanced?: AdvancedLoadBalancer }): Service {
        this.advance();
        if (desiredCount !== undefined) svc.desiredCount = desiredCount;
        if (config) svc.config = config;
        if (loadBalancer) {
            // ECS takes a loadBalancers block at its word: its targetGroupArn is production from now on. Sending the
            // declared pair again after a deployment swapped them makes green register in the live group
            // (terraform-provider-aws #45678) — which is why the program leaves the block to ECS once created.
            svc.targetGroupArn = loadBalancer.targetGroupArn;
            svc.productionTg = loadBalancer.targetGroupArn;
            if (loadBalancer.advanced) svc.advanced = loadBalancer.advanced;
        }
        const primary = svc.deployments.find((d) => d.status === "PRIMARY");
        const from = primary ? svc.records.find((r) => r.deploymentId === primary.id) : undefined;
        if (primary) primary.status = "ACTIVE";
        const d = this.newDeployment(svc, taskDefinition, "IN_PROGRESS");
        svc.deployments.unshift(d);
        this.record(svc, d, from?.revisionArn, "IN_PROGRESS", this.now());
        const record = svc.records[0];
        if (svc.config.alarms?.enable) {
            record.alarms = svc.config.alarms;
            // ECS fails a deployment when an alarm *moves* to ALARM: one still firing from before (the metric lags a
            // minute behind a rollback) does not fail the next deployment by being there.
            record.alarmsAlreadyFiring = this.cloudwatch.inAlarm(svc.config.alarms.alarmNames);
        }
        if (svc.config.strategy !== "ROLLING") {
            const a = svc.advanced!;
            const blueTg = svc.productionTg ?? svc.targetGroupArn!;
            const greenTg = blueTg === a.alternateTargetGroupArn ? svc.targetGroupArn! : a.alternateTargetGroupArn;
            d.targetGroupArn = greenTg;
            record.lifecycle = {
                config: svc.config,
                advanced: a,
                stage: "PRE_SCALE_UP",
                since: this.now(),
                hooks: [],
                blueTg,
                greenTg,
                steps: productionSteps(svc.config),
                step: -1,
                testWeight: 0,
                productionWeight: 0,
                triggeredAlarms: [],
            };
            // RECONCILE_SERVICE happens only when more than one revision is active (a deployment replaced mid-way).
            this.enterStage(svc, record, svc.deployments.filter((x) => x !== d).length > 1 ? "RECONCILE_SERVICE" : "PRE_SCALE_UP", this.now());
        }
        return svc;
    }

    /** ServiceDeployment records of every service. */
    serviceDeployment(arn: string): { svc: Service; record: ServiceDeploymentRecord } | undefined {
        for (const svc of this.services.values()) {
            const record = svc.records.find((r) => r.arn === arn);
            if (record) return { svc, record };
        }
        return undefined;
    }

    /**
     * ContinueServiceDeployment: answers a PAUSE hook. AWS rejects a deployment that is not IN_PROGRESS and a hook
     * that is not AWAITING_ACTION (timed out, already answered, or from another stage).
     */
    continueDeployment(arn: string, hookId: string, action: "CONTINUE" | "ROLLBACK"): void {
        this.advance();
        const found = this.serviceDeployment(arn);
        if (!found) throw new SimError("ServiceDeploymentNotFoundException", `The service deployment ${arn} does not exist.`);
        const { svc, record } = found;
        if (record.status !== "IN_PROGRESS") throw new SimError("InvalidParameterException", `The service deployment is in ${record.status} status. You can only continue a service deployment that is IN_PROGRESS.`);
        const hook = record.lifecycle?.hooks.find((h) => h.hookId === hookId);
        if (!hook) throw new SimError("InvalidParameterException", `The lifecycle hook ${hookId} was not found for the service deployment.`);
        if (hook.status !== "AWAITING_ACTION") throw new SimError("InvalidParameterException", `The lifecycle hook ${hookId} is in ${hook.status} status. You can only act on a hook that is AWAITING_ACTION.`);
        const at = this.now();
        record.updatedAt = at;
        if (action === "CONTINUE") {
            hook.status = "SUCCEEDED";
            return;
        }
        hook.status = "FAILED";
        this.requestRollback(svc, record, `The deployment was rolled back by ContinueServiceDeployment with action ROLLBACK on lifecycle hook ${hookId} at ${hook.stage}.`, at);
    }

    /** StopServiceDeployment with stopType ROLLBACK: the service goes back to the revision it ran before. */
    stopDeployment(arn: string, stopType: string): void {
        this.advance();
        const found = this.serviceDeployment(arn);
        if (!found) throw new SimError("ServiceDeploymentNotFoundException", `The service deployment ${arn} does not exist.`);
        if (stopType !== "ROLLBACK") throw new SimError("InvalidParameterException", `The stopType ${stopType} is not valid. Valid values: ROLLBACK.`);
        const { svc, record } = found;
        if (record.status !== "IN_PROGRESS" && record.status !== "PENDING") throw new SimError("ConflictException", `The service deployment is in ${record.status} status and cannot be stopped.`);
        const at = this.now();
        const reason = "The deployment was rolled back by StopServiceDeployment.";
        if (record.lifecycle) return this.requestRollback(svc, record, reason, at);
        const d = svc.deployments.find((x) => x.id === record.deploymentId && x.status === "PRIMARY");
        if (!d) return;
        // A rolling deployment: ECS rolls back to the last completed deployment as after a circuit-breaker trip.
        Object.assign(d, { rolloutState: "FAILED", rolloutStateReason: reason, failedAt: at, updatedAt: at });
        this.setRecord(svc, d, svc.lastCompleted ? "ROLLBACK_REQUESTED" : "STOPPED", at, reason);
    }

    runTask(cluster: string, taskDefinition: string, startedBy?: string): Task {
        this.advance();
        const td = this.taskDefinition(taskDefinition)!;
        return this.newTask(clusterName(cluster), td.arn, { startedBy, group: `family:${td.family}` });
    }

    task(_cluster: string, arn: string): Task | undefined {
        this.advance();
        const id = arn.slice(arn.lastIndexOf("/") + 1);
        return [...this.tasks.values()].find((t) => t.arn === arn || t.arn.endsWith(`/${id}`));
    }

    targetHealth(arn: string): Target[] | undefined {
        this.advance();
        return this.targetGroups.get(arn)?.targets;
    }

    /** The ALB listener: the target group the first matching rule forwards this request to (by weight). */
    route(path: string, headers: Record<string, string | string[] | undefined> = {}): { tg: TargetGroup; rule: ListenerRule } | undefined {
        this.advance();
        const hit = this.rules.match(path, headers);
        const tg = hit ? this.targetGroups.get(hit.targetGroupArn) : undefined;
        return tg ? { tg, rule: hit!.rule } : undefined;
    }

    /** Counts one request the listener served from `tg` (RequestCount, HTTPCode_Target_5XX_Count). */
    countRequest(targetGroupArn: string, status: number): void {
        const at = this.now();
        this.cloudwatch.add(targetGroupArn, "RequestCount", 1, at);
        if (status >= 500) this.cloudwatch.add(targetGroupArn, "HTTPCode_Target_5XX_Count", 1, at);
    }

    /** Whether a task answers requests through the listener with a 5xx at `at` (its behaviour and how long it has run). */
    answers5xx(task: Task, at = this.now()): boolean {
        const b = this.behaviourOf(task);
        return b.kind === "smoke-5xx" || (b.kind === "degrades" && task.startedAt !== undefined && at >= task.startedAt + TIMING.degradeAfter * 1000);
    }

    taskOfTarget(target: Target): Task | undefined {
        return this.tasks.get(target.taskArn);
    }

    behaviourOf(task: Task): Behaviour {
        return this.taskDefs.get(task.taskDefinitionArn)!.behaviour;
    }

    appendLog(group: string, stream: string, message: string, at = this.now()): void {
        const streams = this.logs.get(group) ?? new Map<string, LogEvent[]>();
        this.logs.set(group, streams);
        const events = streams.get(stream) ?? [];
        streams.set(stream, events);
        events.push({ timestamp: at, message, ingestionTime: at });
    }

    // ---- time

    /** Walks every second from the last tick to now. */
    advance(): void {
        const target = Math.floor(this.now() / 1000);
        let t = Math.floor(this.lastTick / 1000);
        while (t < target) {
            t += 1;
            this.step(t * 1000);
        }
        this.lastTick = Math.max(this.lastTick, target * 1000);
    }

    private step(at: number): void {
        for (const task of this.tasks.values()) this.stepTask(task, at);
        for (const tg of this.targetGroups.values()) this.stepTargets(tg, at);
        this.backgroundTraffic(at);
        this.cloudwatch.evaluate(at);
        for (const svc of this.services.values()) this.stepService(svc, at);
    }

    /** Production traffic on every production rule, for the metrics and alarms: backgroundRps split by weight. */
    private backgroundTraffic(at: number): void {
        for (const rule of this.rules.all()) {
            if (rule.header) continue;
            const total = rule.forward.reduce((s, f) => s + f.weight, 0);
            if (total === 0) continue;
            for (const f of rule.forward) {
                if (f.weight === 0) continue;
                const tg = this.targetGroups.get(f.targetGroupArn);
                const healthy = tg?.targets.filter((t) => t.state === "healthy") ?? [];
                if (healthy.length === 0) continue;
                const carry = (this.trafficCarry.get(f.targetGroupArn) ?? 0) + (TIMING.backgroundRps * f.weight) / total;
                const requests = Math.floor(carry);
                this.trafficCarry.set(f.targetGroupArn, carry - requests);
                if (requests === 0) continue;
                const failing = healthy.filter((t) => {
                    const task = this.tasks.get(t.taskArn);
                    return task !== undefined && this.answers5xx(task, at);
                }).length;
                this.cloudwatch.add(f.targetGroupArn, "RequestCount", requests, at);
                this.cloudwatch.add(f.targetGroupArn, "HTTPCode_Target_5XX_Count", Math.round((requests * failing) / healthy.length), at);
            }
        }
    }

    private stepTask(task: Task, at: number): void {
        const sec = (n: number) => n * 1000;
        const b = this.taskDefs.get(task.taskDefinitionArn)!.behaviour;
        const isMigration = !task.service;
        const cannotStart = b.pullError !== undefined || (isMigration ? b.migration === "cannot-start" : b.kind === "cannot-start");
        if (task.lastStatus === "PROVISIONING" && at >= task.createdAt + sec(TIMING.provisioning)) {
            task.lastStatus = "PENDING";
            task.pendingAt = at;
        } else if (task.lastStatus === "PENDING" && at >= task.pendingAt! + sec(b.kind === "slow-start" && !isMigration ? TIMING.slowPending : TIMING.pending)) {
            if (cannotStart) {
                this.stop(task, at, {
                    stopCode: "TaskFailedToStart",
                    stoppedReason:
                        b.pullError ??
                        `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${this.taskDefs.get(task.taskDefinitionArn)!.containers[0]?.image}: not found`,
                    failed: true,
                });
                return;
            }
            task.lastStatus = "RUNNING";
            task.startedAt = at;
            if (isMigration) this.migrationStarted(task);
            const tg = task.targetGroupArn ? this.targetGroups.get(task.targetGroupArn) : undefined;
            if (tg && task.desiredStatus === "RUNNING") tg.targets.push({ id: task.ip, port: tg.port, taskArn: task.arn, registeredAt: at, state: "initial", reason: "Elb.RegistrationInProgress", description: "Target registration is in progress" });
        } else if (task.lastStatus === "RUNNING") {
            if (isMigration) {
                const runFor = b.migration === "ok" ? TIMING.migrationOk : b.migration === "fail" ? TIMING.migrationFail : Infinity;
                if (at >= task.startedAt! + sec(runFor)) this.migrationStopped(task, at, b.migration === "ok" ? 0 : 1);
            } else if (b.kind === "crash" && at >= task.startedAt! + sec(TIMING.crashAfter)) {
                this.stop(task, at, { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode: 1, failed: true });
            }
        } else if (task.lastStatus === "DEPROVISIONING" && at >= task.stoppingAt! + sec(TIMING.stopping)) {
            task.lastStatus = "STOPPED";
            task.stoppedAt = at;
        }
    }

    private stepTargets(tg: TargetGroup, at: number): void {
        const interval = tg.intervalSeconds * 1000;
        for (const target of [...tg.targets]) {
            if (target.state === "draining") {
                if (at >= target.drainingUntil!) {
                    tg.targets.splice(tg.targets.indexOf(target), 1);
                    const task = this.tasks.get(target.taskArn);
                    if (task && task.lastStatus === "RUNNING") this.beginStop(task, at, 0);
                }
                continue;
            }
            const task = this.tasks.get(target.taskArn);
            if (!task || task.lastStatus !== "RUNNING") {
                tg.targets.splice(tg.targets.indexOf(target), 1);
                continue;
            }
            const b = this.behaviourOf(task);
            const checks = Math.floor((at - target.registeredAt) / interval);
            if (b.kind === "unhealthy") {
                if (checks >= tg.unhealthyThreshold) Object.assign(target, { state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [503]" });
            } else if (target.state === "initial" && checks >= tg.healthyThreshold) {
                Object.assign(target, { state: "healthy", reason: undefined, description: undefined });
            }
        }
    }

    private stepService(svc: Service, at: number): void {
        const primary = svc.deployments.find((d) => d.status === "PRIMARY")!;
        const record = svc.records.find((r) => r.deploymentId === primary.id);
        if (record?.lifecycle && (record.status === "IN_PROGRESS" || record.status === "ROLLBACK_REQUESTED")) return this.stepLifecycle(svc, primary, record, at);
        this.reapUnhealthy(svc, primary, at);
        // Circuit breaker (rollback enabled): threshold 0.5 × desired, clamped to [3, 200].
        if (primary.rolloutState === "IN_PROGRESS" && primary.failedTasks >= circuitBreakerThreshold(primary.desiredCount)) {
            primary.rolloutState = "FAILED";
            primary.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
            primary.failedAt = at;
            primary.updatedAt = at;
            this.setRecord(svc, primary, svc.lastCompleted ? "ROLLBACK_REQUESTED" : "IN_PROGRESS", at, "ECS deployment circuit breaker: tasks failed to start.");
        }
        if (primary.rolloutState === "FAILED") {
            // Without a completed deployment to return to (a first deployment), the service stays FAILED.
            if (svc.lastCompleted && at >= primary.failedAt! + TIMING.rollbackDelay * 1000) {
                primary.status = "ACTIVE";
                const rollback = this.newDeployment(svc, svc.lastCompleted, "IN_PROGRESS", at);
                rollback.rollbackOf = primary.id;
                svc.deployments.unshift(rollback);
                this.setRecord(svc, primary, "ROLLBACK_IN_PROGRESS", at);
                for (const t of this.live(primary)) this.beginStop(t, at, 143, { stoppedReason: "Scaling activity initiated by (deployment rollback)" });
            }
            return;
        }
        const ready = this.keepAtDesired(svc, primary, at);
        const old = svc.deployments.filter((d) => d !== primary);
        if (ready.length >= primary.desiredCount) {
            // The new tasks are in service: take the old ones out (draining first when behind a target group).
            for (const d of old) for (const t of this.live(d)) this.drainOrStop(t, at, `Scaling activity initiated by (deployment ${primary.id})`);
            this.removeFinished(svc, old, at);
            if (svc.deployments.length === 1 && primary.rolloutState === "IN_PROGRESS") {
                primary.rolloutState = "COMPLETED";
                primary.rolloutStateReason = "ECS deployment " + primary.id + " completed.";
                primary.updatedAt = at;
                svc.lastCompleted = primary.taskDefinition;
                this.setRecord(svc, primary, "SUCCESSFUL", at);
                if (primary.rollbackOf) {
                    const failed = svc.records.find((r) => r.deploymentId === primary.rollbackOf);
                    if (failed) Object.assign(failed, { status: "ROLLBACK_SUCCESSFUL", finishedAt: at, updatedAt: at });
                }
            }
        }
    }

    private live(d: Deployment): Task[] {
        return [...this.tasks.values()].filter((t) => t.deploymentId === d.id && t.lastStatus !== "STOPPED" && t.desiredStatus === "RUNNING");
    }

    /** The ELB health check fails a task once its grace period is over: ECS stops and replaces it. */
    private reapUnhealthy(svc: Service, d: Deployment, at: number): void {
        for (const t of this.live(d)) {
            const tg = t.targetGroupArn ? this.targetGroups.get(t.targetGroupArn) : undefined;
            const target = tg?.targets.find((x) => x.taskArn === t.arn);
            if (target?.state === "unhealthy" && at >= t.startedAt! + svc.healthCheckGracePeriodSeconds * 1000) {
                tg!.targets.splice(tg!.targets.indexOf(target), 1);
                this.beginStop(t, at, 143, { stopCode: "ServiceSchedulerInitiated", stoppedReason: `Task failed ELB health checks in (target-group ${tg!.arn})`, failed: true });
            }
        }
    }

    /** Keeps a deployment at its desired count (replacing failed tasks); returns its tasks that are in service. */
    private keepAtDesired(svc: Service, d: Deployment, at: number): Task[] {
        const running = this.live(d);
        for (let i = running.length; i < d.desiredCount; i++) this.newTask(svc.cluster, d.taskDefinition, { service: svc, deployment: d }, at);
        return running.filter((t) => {
            if (t.lastStatus !== "RUNNING") return false;
            const tg = t.targetGroupArn ? this.targetGroups.get(t.targetGroupArn) : undefined;
            return !tg || tg.targets.some((x) => x.taskArn === t.arn && x.state === "healthy");
        });
    }

    /** Drops deployments with no task left; a blue/green deployment that was rolling back has then rolled back. */
    private removeFinished(svc: Service, deployments: Deployment[], at: number): void {
        for (const d of deployments) {
            if ([...this.tasks.values()].some((t) => t.deploymentId === d.id && t.lastStatus !== "STOPPED")) continue;
            svc.deployments.splice(svc.deployments.indexOf(d), 1);
            const r = svc.records.find((x) => x.deploymentId === d.id);
            if (r?.lifecycle && r.status === "ROLLBACK_IN_PROGRESS") Object.assign(r, { status: "ROLLBACK_SUCCESSFUL", finishedAt: at, updatedAt: at });
        }
    }

    // ---- blue/green, canary and linear

    private stepLifecycle(svc: Service, green: Deployment, record: ServiceDeploymentRecord, at: number): void {
        const lc = record.lifecycle!;
        if (record.status === "ROLLBACK_REQUESTED") {
            if (at >= lc.rollbackAt!) this.beginRollback(svc, green, record, at);
            return;
        }
        // Deployment alarms, watched for the whole deployment (bake time included).
        if (record.alarms?.enable) {
            const firing = this.cloudwatch.inAlarm(record.alarms.alarmNames);
            record.alarmsAlreadyFiring = (record.alarmsAlreadyFiring ?? []).filter((n) => firing.includes(n));
            const fired = firing.filter((n) => !record.alarmsAlreadyFiring!.includes(n));
            if (fired.length > 0) {
                lc.triggeredAlarms = fired;
                if (record.alarms.rollback) return this.requestRollback(svc, record, `CloudWatch alarm(s) ${fired.join(", ")} in ALARM state.`, at);
            }
        }
        if (lc.stage === "SCALE_UP") {
            this.reapUnhealthy(svc, green, at);
            if (green.failedTasks >= circuitBreakerThreshold(green.desiredCount)) {
                Object.assign(green, { rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.", failedAt: at, updatedAt: at });
                return this.requestRollback(svc, record, "ECS deployment circuit breaker: tasks failed to start.", at);
            }
        }
        // PAUSE hooks of this stage: waiting, or timed out into their action.
        for (const hook of lc.hooks) {
            if (hook.status !== "AWAITING_ACTION" || at < hook.expiresAt) continue;
            hook.status = "TIMED_OUT";
            record.updatedAt = at;
            if (hook.timeoutAction === "ROLLBACK") return this.requestRollback(svc, record, `The lifecycle hook ${hook.hookId} at ${hook.stage} timed out; its timeout action is ROLLBACK.`, at);
        }
        if (lc.hooks.some((h) => h.status === "AWAITING_ACTION")) return;
        const elapsed = at - lc.since;
        switch (lc.stage) {
            case "SCALE_UP": {
                const ready = this.keepAtDesired(svc, green, at);
                if (ready.length >= green.desiredCount) this.enterStage(svc, record, "POST_SCALE_UP", at);
                return;
            }
            case "TEST_TRAFFIC_SHIFT":
                if (elapsed >= TIMING.trafficShift * 1000) this.enterStage(svc, record, "POST_TEST_TRAFFIC_SHIFT", at);
                return;
            case "PRODUCTION_TRAFFIC_SHIFT": {
                const last = lc.step === lc.steps.length - 1;
                const wait = TIMING.trafficShift * 1000 + (last ? 0 : stepBakeMinutes(lc.config) * 60_000);
                if (elapsed < wait) return;
                if (last) this.enterStage(svc, record, "POST_PRODUCTION_TRAFFIC_SHIFT", at);
                else this.enterStage(svc, record, this.hasHooks(lc, "PRE_PRODUCTION_TRAFFIC_SHIFT") ? "PRE_PRODUCTION_TRAFFIC_SHIFT" : "PRODUCTION_TRAFFIC_SHIFT", at);
                return;
            }
            case "BAKE_TIME":
                if (elapsed >= lc.config.bakeTimeInMinutes * 60_000) this.enterStage(svc, record, "CLEAN_UP", at);
                return;
            case "CLEAN_UP": {
                const blue = svc.deployments.filter((d) => d !== green);
                this.removeFinished(svc, blue, at);
                if (svc.deployments.length > 1) return;
                Object.assign(green, { rolloutState: "COMPLETED", rolloutStateReason: `ECS deployment ${green.id} completed.`, updatedAt: at });
                svc.lastCompleted = green.taskDefinition;
                // The groups swap roles, in the service's own configuration too: green is now its target group.
                svc.productionTg = lc.greenTg;
                svc.targetGroupArn = lc.greenTg;
                svc.advanced = { ...svc.advanced!, alternateTargetGroupArn: lc.blueTg };
                this.setRecord(svc, green, "SUCCESSFUL", at);
                return;
            }
            default:
                if (elapsed >= TIMING.stage * 1000) this.enterStage(svc, record, nextStage(lc), at);
        }
    }

    private hasHooks(lc: Lifecycle, stage: LifecycleStage): boolean {
        return lc.config.lifecycleHooks.some((h) => h.targetType === "PAUSE" && h.lifecycleStages.includes(stage));
    }

    private enterStage(svc: Service, record: ServiceDeploymentRecord, stage: LifecycleStage, at: number): void {
        const lc = record.lifecycle!;
        lc.stage = stage;
        lc.since = at;
        record.updatedAt = at;
        lc.hooks = lc.config.lifecycleHooks
            .filter((h) => h.targetType === "PAUSE" && h.lifecycleStages.includes(stage))
            .map((h) => ({ hookId: `ecs-pause-${randomBytes(32).toString("base64url")}`, targetType: "PAUSE", status: "AWAITING_ACTION", expiresAt: at + h.timeoutInMinutes * 60_000, timeoutAction: h.action, stage }));
        const a = lc.advanced;
        if (stage === "TEST_TRAFFIC_SHIFT" && a.testListenerRule) {
            this.rules.setWeights(a.testListenerRule, { [lc.greenTg]: 100, [lc.blueTg]: 0 });
            lc.testWeight = 100;
        }
        if (stage === "PRODUCTION_TRAFFIC_SHIFT") {
            lc.step += 1;
            lc.productionWeight = lc.steps[lc.step];
            this.rules.setWeights(a.productionListenerRule, { [lc.greenTg]: lc.productionWeight, [lc.blueTg]: 100 - lc.productionWeight });
        }
        if (stage === "CLEAN_UP") {
            const green = svc.deployments.find((d) => d.id === record.deploymentId)!;
            for (const d of svc.deployments) if (d !== green) for (const t of this.live(d)) this.drainOrStop(t, at, `Scaling activity initiated by (deployment ${green.id})`);
        }
    }

    private requestRollback(_svc: Service, record: ServiceDeploymentRecord, reason: string, at: number): void {
        const lc = record.lifecycle!;
        Object.assign(record, { status: "ROLLBACK_REQUESTED", statusReason: reason, updatedAt: at, failedAt: at });
        record.rollback = { reason, startedAt: at, serviceRevisionArn: record.sourceRevisionArn ?? "" };
        lc.rollbackAt = at + TIMING.rollbackRequested * 1000;
        for (const h of lc.hooks) if (h.status === "AWAITING_ACTION") h.status = "FAILED";
    }

    /** Traffic back to blue on both rules at once (blue never stopped serving), the green tasks drain and stop. */
    private beginRollback(svc: Service, green: Deployment, record: ServiceDeploymentRecord, at: number): void {
        const lc = record.lifecycle!;
        const a = lc.advanced;
        this.rules.setWeights(a.productionListenerRule, { [lc.blueTg]: 100, [lc.greenTg]: 0 });
        if (a.testListenerRule) this.rules.setWeights(a.testListenerRule, { [lc.blueTg]: 100, [lc.greenTg]: 0 });
        lc.productionWeight = 0;
        lc.testWeight = 0;
        lc.rolledBackAt = at;
        Object.assign(record, { status: "ROLLBACK_IN_PROGRESS", updatedAt: at });
        Object.assign(green, { status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: record.statusReason, updatedAt: at });
        const blue = svc.deployments.find((d) => d !== green && d.taskDefinition === svc.lastCompleted) ?? svc.deployments.find((d) => d !== green);
        if (blue) blue.status = "PRIMARY";
        for (const t of this.live(green)) this.drainOrStop(t, at, "Scaling activity initiated by (deployment rollback)");
        // Tasks still starting never registered: they just stop.
        for (const t of [...this.tasks.values()]) if (t.deploymentId === green.id && t.lastStatus !== "STOPPED" && t.lastStatus !== "DEPROVISIONING" && t.desiredStatus === "RUNNING") this.beginStop(t, at, undefined);
    }

    // ---- helpers

    private key(cluster: string, name: string): string {
        return `${cluster}/${name}`;
    }

    private newDeployment(svc: Service, taskDefinition: string, rolloutState: Deployment["rolloutState"], at = this.now()): Deployment {
        const id = `ecs-svc/${BigInt(`0x${randomBytes(8).toString("hex")}`).toString().padStart(19, "0").slice(0, 19)}`;
        return {
            id,
            // The service deployment's id is its own: nothing in it names the ECS deployment (ecs-svc/…) or the revision.
            arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:service-deployment/${svc.cluster}/${svc.name}/${randomBytes(16).toString("base64url").replace(/[-_]/g, "x").slice(0, 21)}`,
            status: "PRIMARY",
            taskDefinition,
            desiredCount: svc.desiredCount,
            createdAt: at,
            updatedAt: at,
            rolloutState,
            rolloutStateReason: rolloutState === "COMPLETED" ? `ECS deployment ${id} completed.` : `ECS deployment ${id} in progress.`,
            failedTasks: 0,
            ...(svc.productionTg ?? svc.targetGroupArn ? { targetGroupArn: svc.productionTg ?? svc.targetGroupArn } : {}),
        };
    }

    private record(svc: Service, d: Deployment, sourceRevision: string | undefined, status: ServiceDeploymentRecord["status"], at: number): void {
        // A service revision per deployment; its ARN carries the ECS deployment's number (as the real one does).
        const revisionArn = `arn:aws:ecs:${this.region}:${ACCOUNT}:service-revision/${svc.cluster}/${svc.name}/${d.id.slice(8)}`;
        this.serviceRevisions.set(revisionArn, { arn: revisionArn, serviceArn: svc.arn, cluster: svc.cluster, taskDefinition: d.taskDefinition, createdAt: at });
        const source = sourceRevision ? this.serviceRevisions.get(sourceRevision) : undefined;
        svc.records.unshift({
            arn: d.arn,
            service: svc.arn,
            cluster: svc.cluster,
            deploymentId: d.id,
            taskDefinition: d.taskDefinition,
            ...(source ? { sourceTaskDefinition: source.taskDefinition, sourceRevisionArn: source.arn } : {}),
            revisionArn,
            desiredCount: d.desiredCount,
            status,
            createdAt: at,
            startedAt: at,
            updatedAt: at,
        });
        // A deployment (or ECS's own rollback) superseded while in progress is STOPPED.
        for (const r of svc.records.slice(1)) {
            if (["IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"].includes(r.status)) Object.assign(r, { status: "STOPPED", finishedAt: at, stoppedAt: at, updatedAt: at, statusReason: r.statusReason ?? `superseded by ${d.id}` });
        }
    }

    private setRecord(svc: Service, d: Deployment, status: ServiceDeploymentRecord["status"], at: number, reason?: string): void {
        const r = svc.records.find((x) => x.deploymentId === d.id);
        if (!r) return;
        r.status = status;
        r.updatedAt = at;
        if (reason) r.statusReason = reason;
        if (status === "SUCCESSFUL" || status === "ROLLBACK_SUCCESSFUL") r.finishedAt = at;
        if (status === "STOPPED") Object.assign(r, { finishedAt: at, stoppedAt: at });
        if (reason && status !== "SUCCESSFUL") r.failedAt = at;
        if (status === "ROLLBACK_REQUESTED" && svc.lastCompleted) r.rollback = { reason: reason ?? "", startedAt: at, serviceRevisionArn: r.sourceRevisionArn ?? "" };
    }

    private newTask(cluster: string, taskDefinitionArn: string, from: { service?: Service; deployment?: Deployment; startedBy?: string; group?: string }, at = this.now()): Task {
        const id = randomBytes(16).toString("hex");
        const task: Task = {
            arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:task/${cluster}/${id}`,
            cluster,
            taskDefinitionArn,
            ...(from.deployment ? { deploymentId: from.deployment.id } : {}),
            ...(from.service ? { service: this.key(cluster, from.service.name) } : {}),
            group: from.group ?? `service:${from.service?.name}`,
            ...(from.deployment?.targetGroupArn ? { targetGroupArn: from.deployment.targetGroupArn } : {}),
            ...(from.startedBy ? { startedBy: from.startedBy } : from.deployment ? { startedBy: from.deployment.id } : {}),
            createdAt: at,
            lastStatus: "PROVISIONING",
            desiredStatus: "RUNNING",
            ip: `10.20.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter++ % 250) + 4}`,
        };
        this.tasks.set(task.arn, task);
        return task;
    }

    private drainOrStop(task: Task, at: number, reason: string): void {
        task.desiredStatus = "STOPPED";
        task.stoppedReason = reason;
        task.stopCode = "ServiceSchedulerInitiated";
        const tg = task.targetGroupArn ? this.targetGroups.get(task.targetGroupArn) : undefined;
        const target = tg?.targets.find((x) => x.taskArn === task.arn);
        if (target && target.state !== "draining") {
            Object.assign(target, { state: "draining", reason: "Target.DeregistrationInProgress", description: "Target deregistration is in progress", drainingUntil: at + tg!.deregistrationDelaySeconds * 1000 });
        } else if (!target && task.lastStatus !== "DEPROVISIONING" && task.lastStatus !== "STOPPED") {
            this.beginStop(task, at, task.lastStatus === "RUNNING" ? 0 : undefined);
        }
    }

    private beginStop(task: Task, at: number, exitCode: number | undefined, why: { stopCode?: string; stoppedReason?: string; failed?: boolean } = {}): void {
        task.desiredStatus = "STOPPED";
        if (why.stopCode) task.stopCode = why.stopCode;
        if (why.stoppedReason) task.stoppedReason = why.stoppedReason;
        task.exitCode = exitCode;
        task.lastStatus = "DEPROVISIONING";
        task.stoppingAt = at;
        if (why.failed) this.countFailure(task);
    }

    private stop(task: Task, at: number, why: { stopCode: string; stoppedReason: string; exitCode?: number; failed?: boolean }): void {
        Object.assign(task, { lastStatus: "STOPPED", desiredStatus: "STOPPED", stoppedAt: at, stopCode: why.stopCode, stoppedReason: why.stoppedReason, exitCode: why.exitCode });
        if (why.failed) this.countFailure(task);
    }

    private countFailure(task: Task): void {
        if (task.failed) return;
        task.failed = true;
        if (!task.service || !task.deploymentId) return;
        const svc = this.services.get(task.service);
        const d = svc?.deployments.find((x) => x.id === task.deploymentId);
        if (d) d.failedTasks += 1;
        const r = svc?.records.find((x) => x.deploymentId === task.deploymentId);
        if (r) r.failedTasks = (r.failedTasks ?? 0) + 1;
        this.failures.push({ service: task.service, at: task.stoppedAt ?? task.stoppingAt ?? this.now(), taskArn: task.arn });
    }

    /** Every failed service task, in order (the bench's "first failed task"). */
    readonly failures: { service: string; at: number; taskArn: string }[] = [];

    private migrationLog(task: Task): { group: string; stream: string } | undefined {
        const td = this.taskDefs.get(task.taskDefinitionArn)!;
        const c = td.containers[0];
        if (!c?.logGroup) return undefined;
        return { group: c.logGroup, stream: `${c.logStreamPrefix ?? "ecs"}/${c.name}/${task.arn.slice(task.arn.lastIndexOf("/") + 1)}` };
    }

    private migrationStarted(task: Task): void {
        const log = this.migrationLog(task);
        if (!log) return;
        this.appendLog(log.group, log.stream, "> migrate: connecting to the database", task.startedAt);
        this.appendLog(log.group, log.stream, "> migrate: 2 pending migrations", task.startedAt);
    }

    private migrationStopped(task: Task, at: number, exitCode: number): void {
        const log = this.migrationLog(task);
        if (log && exitCode === 0) this.appendLog(log.group, log.stream, "> migrate: migrations complete", at);
        if (log && exitCode !== 0) {
            this.appendLog(log.group, log.stream, "> migrate: running 1763856000001_broken", at);
            this.appendLog(log.group, log.stream, 'error: relation "widgetz" does not exist', at);
        }
        this.stop(task, at, { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", exitCode });
    }
}

export function circuitBreakerThreshold(desired: number): number {
    return Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));
}

export function clusterName(ref: string): string {
    return ref.slice(ref.lastIndexOf("/") + 1);
}

export { globMatch };

export class SimError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message);
    }
}

/** Production weight on green after each traffic step: all at once, canary then the rest, or linear steps. */
export function productionSteps(config: DeploymentConfig): number[] {
    if (config.strategy === "CANARY") return [config.canary?.percent ?? 5, 100];
    if (config.strategy === "LINEAR") {
        const step = config.linear?.stepPercent ?? 10;
        const steps: number[] = [];
        for (let p = step; p < 100; p += step) steps.push(Math.round(p * 10) / 10);
        return [...steps, 100];
    }
    return [100];
}

/** Minutes ECS waits between production traffic steps (canary bake, linear interval); 0 for blue/green. */
export function stepBakeMinutes(config: DeploymentConfig): number {
    if (config.strategy === "CANARY") return config.canary?.bakeMinutes ?? 10;
    if (config.strategy === "LINEAR") return config.linear?.intervalMinutes ?? 6;
    return 0;
}

const ORDER: LifecycleStage[] = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"];

/** The stage after a bookkeeping stage; PRE_PRODUCTION_TRAFFIC_SHIFT only when a hook waits there. */
function nextStage(lc: Lifecycle): LifecycleStage {
    const next = ORDER[ORDER.indexOf(lc.stage) + 1];
    if (next === "PRE_PRODUCTION_TRAFFIC_SHIFT" && !lc.config.lifecycleHooks.some((h) => h.targetType === "PAUSE" && h.lifecycleStages.includes(next))) return "PRODUCTION_TRAFFIC_SHIFT";
    return next;
}

/**
 * The lifecycleStage a deployment reports. Rolling back, ECS walks the traffic stages again in reverse (their hooks
 * run again: production first, then test traffic back to blue) and then cleans green up.
 */
export function reportedStage(record: ServiceDeploymentRecord, at: number): LifecycleStage | undefined {
    const lc = record.lifecycle;
    if (!lc) return undefined;
    if (record.status === "IN_PROGRESS" || record.status === "ROLLBACK_REQUESTED") return lc.stage;
    if (record.status !== "ROLLBACK_IN_PROGRESS") return undefined;
    const since = at - (lc.rolledBackAt ?? at);
    if (since < TIMING.trafficShift * 1000) return "PRODUCTION_TRAFFIC_SHIFT";
    if (since < 2 * TIMING.trafficShift * 1000) return "TEST_TRAFFIC_SHIFT";
    return "CLEAN_UP";
}
