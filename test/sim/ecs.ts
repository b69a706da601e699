// The simulator's ECS and ALB over time: services with PRIMARY/ACTIVE deployments, tasks that walk
// PROVISIONING → PENDING → RUNNING → STOPPED, target groups whose targets go initial → healthy/unhealthy and
// drain for the deregistration delay, the deployment circuit breaker and ECS's own rollback. State advances
// in one-second steps of the sim clock whenever anything reads or changes it.
import { randomBytes } from "node:crypto";

export const ACCOUNT = "123456789012";

/** How a container behaves, read from its image's environment (SIM_BEHAVIOUR, SIM_MIGRATION, GIT_SHA). */
export interface Behaviour {
    /** healthy | crash (exits 1 soon after start) | unhealthy (fails the ALB check) | cannot-start (image pull fails) | smoke-5xx (healthy to the ALB check, 502 through the listener) | slow-start (a large image: PENDING for slowPending) */
    kind: "healthy" | "crash" | "unhealthy" | "cannot-start" | "smoke-5xx" | "slow-start";
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
};

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
    /** logGroup → stream → events. */
    readonly logs = new Map<string, Map<string, LogEvent[]>>();
    private lastTick: number;
    private ipCounter = 10;

    constructor(
        readonly region: string,
        private readonly now: () => number,
    ) {
        this.lastTick = now();
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

    createTargetGroup(spec: TargetGroupSpec): void {
        this.targetGroups.set(spec.arn, { ...spec, targets: [] });
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
        };
        const d = this.newDeployment(svc, taskDefinition, "COMPLETED");
        svc.deployments.push(d);
        this.record(svc, d, undefined, "SUCCESSFUL", at);
        this.services.set(this.key(cluster, name), svc);
        for (let i = 0; i < desiredCount; i++) {
            const task = this.newTask(cluster, taskDefinition, { service: svc, deployment: d });
            Object.assign(task, { lastStatus: "RUNNING", pendingAt: at, startedAt: at });
            const tg = svc.targetGroupArn ? this.targetGroups.get(svc.targetGroupArn) : undefined;
            tg?.targets.push({ id: task.ip, port: tg.port, taskArn: task.arn, registeredAt: at, state: "healthy" });
        }
        return svc;
    }

    service(cluster: string, name: string): Service | undefined {
        this.advance();
        const short = name.slice(name.lastIndexOf("/") + 1);
        return this.services.get(this.key(clusterName(cluster), short));
    }

    /** UpdateService with a new task definition (or a forced new deployment): one new PRIMARY deployment. */
    updateService(svc: Service, taskDefinition: string, desiredCount?: number): Service {
        this.advance();
        if (desiredCount !== undefined) svc.desiredCount = desiredCount;
        const primary = svc.deployments.find((d) => d.status === "PRIMARY");
        if (primary) primary.status = "ACTIVE";
        const d = this.newDeployment(svc, taskDefinition, "IN_PROGRESS");
        svc.deployments.unshift(d);
        this.record(svc, d, primary?.taskDefinition, "IN_PROGRESS", this.now());
        return svc;
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

    /** The ALB listener: the target group a path routes to (first matching rule in declaration order). */
    route(path: string): TargetGroup | undefined {
        this.advance();
        for (const tg of this.targetGroups.values()) if (tg.routes.some((p) => globMatch(p, path))) return tg;
        return undefined;
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
        for (const svc of this.services.values()) this.stepService(svc, at);
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
            const svc = task.service ? this.services.get(task.service) : undefined;
            const tg = svc?.targetGroupArn ? this.targetGroups.get(svc.targetGroupArn) : undefined;
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
        const tg = svc.targetGroupArn ? this.targetGroups.get(svc.targetGroupArn) : undefined;
        const live = (d: Deployment) => [...this.tasks.values()].filter((t) => t.deploymentId === d.id && t.lastStatus !== "STOPPED" && t.desiredStatus === "RUNNING");
        // The ELB health check fails a task once its grace period is over: ECS stops and replaces it.
        for (const t of live(primary)) {
            const target = tg?.targets.find((x) => x.taskArn === t.arn);
            if (target?.state === "unhealthy" && at >= t.startedAt! + svc.healthCheckGracePeriodSeconds * 1000) {
                tg!.targets.splice(tg!.targets.indexOf(target), 1);
                this.beginStop(t, at, 143, { stopCode: "ServiceSchedulerInitiated", stoppedReason: `Task failed ELB health checks in (target-group ${tg!.arn})`, failed: true });
            }
        }
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
                for (const t of live(primary)) this.beginStop(t, at, 143, { stoppedReason: "Scaling activity initiated by (deployment rollback)" });
            }
            return;
        }
        // Keep the primary at its desired count (replacing failed tasks).
        const running = live(primary);
        for (let i = running.length; i < primary.desiredCount; i++) this.newTask(svc.cluster, primary.taskDefinition, { service: svc, deployment: primary }, at);
        const ready = running.filter((t) => t.lastStatus === "RUNNING" && (!tg || tg.targets.some((x) => x.taskArn === t.arn && x.state === "healthy")));
        const old = svc.deployments.filter((d) => d !== primary);
        if (ready.length >= primary.desiredCount) {
            // The new tasks are in service: take the old ones out (draining first when behind a target group).
            for (const d of old) for (const t of live(d)) this.drainOrStop(svc, t, at, `Scaling activity initiated by (deployment ${primary.id})`);
            const remaining = old.filter((d) => [...this.tasks.values()].some((t) => t.deploymentId === d.id && t.lastStatus !== "STOPPED"));
            for (const d of old) if (!remaining.includes(d)) svc.deployments.splice(svc.deployments.indexOf(d), 1);
            if (remaining.length === 0 && primary.rolloutState === "IN_PROGRESS") {
                primary.rolloutState = "COMPLETED";
                primary.rolloutStateReason = "ECS deployment " + primary.id + " completed.";
                primary.updatedAt = at;
                svc.lastCompleted = primary.taskDefinition;
                this.setRecord(svc, primary, "SUCCESSFUL", at);
                if (primary.rollbackOf) {
                    const failed = svc.records.find((r) => r.deploymentId === primary.rollbackOf);
                    if (failed) Object.assign(failed, { status: "ROLLBACK_SUCCESSFUL", finishedAt: at });
                }
            }
        }
    }

    // ---- helpers

    private key(cluster: string, name: string): string {
        return `${cluster}/${name}`;
    }

    private newDeployment(svc: Service, taskDefinition: string, rolloutState: Deployment["rolloutState"], at = this.now()): Deployment {
        const id = `ecs-svc/${BigInt(`0x${randomBytes(8).toString("hex")}`).toString().padStart(19, "0").slice(0, 19)}`;
        return {
            id,
            arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:service-deployment/${svc.cluster}/${svc.name}/${id.slice(8)}`,
            status: "PRIMARY",
            taskDefinition,
            desiredCount: svc.desiredCount,
            createdAt: at,
            updatedAt: at,
            rolloutState,
            rolloutStateReason: rolloutState === "COMPLETED" ? `ECS deployment ${id} completed.` : `ECS deployment ${id} in progress.`,
            failedTasks: 0,
        };
    }

    private record(svc: Service, d: Deployment, source: string | undefined, status: ServiceDeploymentRecord["status"], at: number): void {
        svc.records.unshift({ arn: d.arn, service: svc.arn, cluster: svc.cluster, deploymentId: d.id, taskDefinition: d.taskDefinition, ...(source ? { sourceTaskDefinition: source } : {}), status, createdAt: at, startedAt: at });
        // A deployment (or ECS's own rollback) superseded while in progress is STOPPED.
        for (const r of svc.records.slice(1)) {
            if (["IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"].includes(r.status)) Object.assign(r, { status: "STOPPED", finishedAt: at, statusReason: r.statusReason ?? `superseded by ${d.id}` });
        }
    }

    private setRecord(svc: Service, d: Deployment, status: ServiceDeploymentRecord["status"], at: number, reason?: string): void {
        const r = svc.records.find((x) => x.deploymentId === d.id);
        if (!r) return;
        r.status = status;
        if (reason) r.statusReason = reason;
        if (status === "SUCCESSFUL" || status === "ROLLBACK_SUCCESSFUL") r.finishedAt = at;
        if (reason && status !== "SUCCESSFUL") r.failedAt = at;
        if (status === "ROLLBACK_REQUESTED" && svc.lastCompleted) r.rollback = { reason, startedAt: at, serviceRevisionArn: svc.lastCompleted } as ServiceDeploymentRecord["rollback"];
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
            ...(from.startedBy ? { startedBy: from.startedBy } : from.deployment ? { startedBy: from.deployment.id } : {}),
            createdAt: at,
            lastStatus: "PROVISIONING",
            desiredStatus: "RUNNING",
            ip: `10.20.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter++ % 250) + 4}`,
        };
        this.tasks.set(task.arn, task);
        return task;
    }

    private drainOrStop(svc: Service, task: Task, at: number, reason: string): void {
        task.desiredStatus = "STOPPED";
        task.stoppedReason = reason;
        task.stopCode = "ServiceSchedulerInitiated";
        const tg = svc.targetGroupArn ? this.targetGroups.get(svc.targetGroupArn) : undefined;
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
        const d = this.services.get(task.service)?.deployments.find((x) => x.id === task.deploymentId);
        if (d) d.failedTasks += 1;
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

/** ALB path-pattern matching: `*` any characters, `?` one; case-sensitive. */
export function globMatch(pattern: string, path: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(path);
}
