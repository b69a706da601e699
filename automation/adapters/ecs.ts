// EcsPort over the ECS API (SDK v3): one-off Fargate tasks (migrations), task and service status, and the
// service deployments of blue/green, canary and linear rollouts (list, describe, answer a PAUSE hook, stop).
// Requests are translated as-is; throttling beyond the SDK's own attempts is retried and logged (retry.ts).
import { randomUUID } from "node:crypto";
import {
    ContinueServiceDeploymentCommand,
    DescribeServiceDeploymentsCommand,
    DescribeServicesCommand,
    DescribeTasksCommand,
    ECSClient,
    ListServiceDeploymentsCommand,
    RunTaskCommand,
    StopServiceDeploymentCommand,
    type Deployment as EcsDeployment,
    type ServiceDeployment,
    type ServiceDeploymentBrief as EcsServiceDeploymentBrief,
    type Failure,
    type Service,
    type Task,
} from "@aws-sdk/client-ecs";
import type {
    Deployment,
    EcsPort,
    HookAction,
    RunTaskRequest,
    RunTaskResult,
    ServiceDeploymentBrief,
    ServiceDeploymentSnapshot,
    ServiceDeploymentStatus,
    ServiceStatus,
    TaskStatus,
} from "../ports";
import { retry, SDK_RETRY, type AwsAdapterOptions } from "./retry";

/** ECS accepts at most 10 services per DescribeServices call. */
export const DESCRIBE_SERVICES_BATCH = 10;
/** DescribeServiceDeployments takes at most 20 ARNs per call (API reference). */
export const DESCRIBE_SERVICE_DEPLOYMENTS_BATCH = 20;
/** RunTask `startedBy`: up to 128 letters, digits, `-`, `/`, `_` (ECS API reference, RunTask). */
export const STARTED_BY_MAX = 128;

/** Replaces characters ECS rejects in `startedBy` and truncates to its limit (pure). */
export function toStartedBy(value: string): string {
    const cleaned = value.replace(/[^A-Za-z0-9/_-]/g, "-").slice(0, STARTED_BY_MAX);
    if (cleaned === "") throw new Error(`startedBy "${value}" has no usable characters (letters, digits, -, /, _)`);
    return cleaned;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

export class EcsAdapter implements EcsPort {
    private readonly client: ECSClient;

    constructor(private readonly options: AwsAdapterOptions<ECSClient> = {}) {
        this.client = options.client ?? new ECSClient({ region: options.region, ...SDK_RETRY });
    }

    async runTask(request: RunTaskRequest): Promise<RunTaskResult> {
        if (request.subnets.length === 0) throw new Error(`RunTask ${request.taskDefinition}: no subnets given (awsvpc needs at least one)`);
        // One token for every attempt: a retried RunTask whose first attempt did land starts no second task.
        const clientToken = randomUUID();
        const command = new RunTaskCommand({
            cluster: request.cluster,
            taskDefinition: request.taskDefinition,
            launchType: "FARGATE",
            count: 1,
            startedBy: toStartedBy(request.startedBy),
            clientToken,
            networkConfiguration: {
                awsvpcConfiguration: { subnets: request.subnets, securityGroups: request.securityGroups, assignPublicIp: "DISABLED" },
            },
        });
        const out = await retry(`ecs:RunTask ${request.taskDefinition}`, () => this.client.send(command), this.options.retry);
        const taskArn = out.tasks?.[0]?.taskArn;
        if (taskArn) return { taskArn };
        const failures = (out.failures ?? []).map(formatFailure);
        return { failures: failures.length > 0 ? failures : ["RunTask returned neither a task nor a failure"] };
    }

    async describeTask(cluster: string, taskArn: string): Promise<TaskStatus | undefined> {
        const out = await retry(
            `ecs:DescribeTasks ${taskArn}`,
            () => this.client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] })),
            this.options.retry,
        );
        const task = out.tasks?.find((t) => t.taskArn === taskArn) ?? out.tasks?.[0];
        return task ? toTaskStatus(task) : undefined;
    }

    async describeServices(cluster: string, serviceNames: string[]): Promise<ServiceStatus[]> {
        const statuses: ServiceStatus[] = [];
        // Sequential on purpose: batches share the account's ECS token bucket with everything else.
        for (const batch of chunk(serviceNames, DESCRIBE_SERVICES_BATCH)) {
            const out = await retry(
                `ecs:DescribeServices ${cluster} (${batch.join(", ")})`,
                () => this.client.send(new DescribeServicesCommand({ cluster, services: batch })),
                this.options.retry,
            );
            statuses.push(...(out.services ?? []).map(toServiceStatus));
            // A service ECS does not know comes back as a failure (reason MISSING): keep it visible, never drop it.
            statuses.push(...(out.failures ?? []).map(missingService));
        }
        return statuses;
    }

    async listServiceDeployments(cluster: string, serviceName: string, options: { createdAfter?: number; status?: ServiceDeploymentStatus[] } = {}): Promise<ServiceDeploymentBrief[]> {
        const briefs: ServiceDeploymentBrief[] = [];
        let nextToken: string | undefined;
        do {
            const token = nextToken;
            const out = await retry(
                `ecs:ListServiceDeployments ${serviceName}`,
                () =>
                    this.client.send(
                        new ListServiceDeploymentsCommand({
                            cluster,
                            service: serviceName,
                            ...(options.createdAfter === undefined ? {} : { createdAt: { after: new Date(options.createdAfter) } }),
                            ...(options.status ? { status: options.status } : {}),
                            ...(token ? { nextToken: token } : {}),
                        }),
                    ),
                this.options.retry,
            );
            briefs.push(...(out.serviceDeployments ?? []).map(toBrief));
            nextToken = out.nextToken;
        } while (nextToken);
        return briefs.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
    }

    async describeServiceDeployments(arns: string[]): Promise<ServiceDeploymentSnapshot[]> {
        const snapshots: ServiceDeploymentSnapshot[] = [];
        for (const batch of chunk(arns, DESCRIBE_SERVICE_DEPLOYMENTS_BATCH)) {
            const out = await retry(
                `ecs:DescribeServiceDeployments (${batch.length})`,
                () => this.client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch })),
                this.options.retry,
            );
            // A deployment of a revision from before October 2024 comes back as a failure (MISSING): nothing to read.
            snapshots.push(...(out.serviceDeployments ?? []).map(toSnapshot));
        }
        return snapshots;
    }

    async continueServiceDeployment(arn: string, hookId: string, action: HookAction): Promise<void> {
        await retry(
            `ecs:ContinueServiceDeployment ${action} ${hookId}`,
            () => this.client.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action })),
            this.options.retry,
        );
    }

    async stopServiceDeployment(arn: string): Promise<void> {
        await retry(`ecs:StopServiceDeployment ROLLBACK ${arn}`, () => this.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" })), this.options.retry);
    }
}

const ms = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime());

function toBrief(b: EcsServiceDeploymentBrief): ServiceDeploymentBrief {
    return {
        arn: b.serviceDeploymentArn ?? "",
        status: b.status ?? "UNKNOWN",
        ...(b.statusReason ? { statusReason: b.statusReason } : {}),
        ...(b.createdAt ? { createdAt: ms(b.createdAt) } : {}),
        ...(b.finishedAt ? { finishedAt: ms(b.finishedAt) } : {}),
        ...(b.targetServiceRevisionArn ? { targetServiceRevisionArn: b.targetServiceRevisionArn } : {}),
    };
}

function toSnapshot(d: ServiceDeployment): ServiceDeploymentSnapshot {
    const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
    return {
        arn: d.serviceDeploymentArn ?? "",
        status: d.status ?? "UNKNOWN",
        ...optional("statusReason", d.statusReason),
        ...optional("createdAt", ms(d.createdAt)),
        ...optional("startedAt", ms(d.startedAt)),
        ...optional("finishedAt", ms(d.finishedAt)),
        ...optional("stoppedAt", ms(d.stoppedAt)),
        ...optional("updatedAt", ms(d.updatedAt)),
        ...optional("targetServiceRevisionArn", d.targetServiceRevision?.arn),
        ...optional("lifecycleStage", d.lifecycleStage),
        hooks: (d.lifecycleHookDetails ?? []).map((h) => ({
            hookId: h.hookId ?? "",
            targetType: h.targetType ?? "UNKNOWN",
            status: h.status ?? "UNKNOWN",
            ...optional("expiresAt", ms(h.expiresAt)),
            ...optional("timeoutAction", h.timeoutAction),
        })),
        ...optional("strategy", d.deploymentConfiguration?.strategy),
        ...optional("bakeTimeInMinutes", d.deploymentConfiguration?.bakeTimeInMinutes),
        ...(d.rollback ? { rollback: { ...optional("reason", d.rollback.reason), ...optional("startedAt", ms(d.rollback.startedAt)) } } : {}),
        ...(d.deploymentCircuitBreaker
            ? { circuitBreaker: { ...optional("status", d.deploymentCircuitBreaker.status), ...optional("failureCount", d.deploymentCircuitBreaker.failureCount), ...optional("threshold", d.deploymentCircuitBreaker.threshold) } }
            : {}),
        ...(d.alarms ? { alarms: { ...optional("status", d.alarms.status), alarmNames: d.alarms.alarmNames ?? [], triggeredAlarmNames: d.alarms.triggeredAlarmNames ?? [] } } : {}),
        ...(d.targetServiceRevision &&
        (d.targetServiceRevision.requestedTestTrafficWeight !== undefined || d.targetServiceRevision.requestedProductionTrafficWeight !== undefined)
            ? {
                  targetTraffic: {
                      ...optional("test", d.targetServiceRevision.requestedTestTrafficWeight),
                      ...optional("production", d.targetServiceRevision.requestedProductionTrafficWeight),
                  },
              }
            : {}),
    };
}

function formatFailure(failure: Failure): string {
    return [failure.arn, failure.reason, failure.detail].filter((part) => part !== undefined && part !== "").join(": ");
}

function toTaskStatus(task: Task): TaskStatus {
    return {
        taskArn: task.taskArn ?? "",
        lastStatus: task.lastStatus ?? "UNKNOWN",
        stopCode: task.stopCode,
        stoppedReason: task.stoppedReason,
        containers: (task.containers ?? []).map((c) => ({ name: c.name ?? "", exitCode: c.exitCode, reason: c.reason, lastStatus: c.lastStatus })),
    };
}

function toDeployment(d: EcsDeployment): Deployment {
    return {
        id: d.id ?? "",
        status: d.status ?? "UNKNOWN",
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
        taskDefinition: d.taskDefinition ?? "",
        desiredCount: d.desiredCount ?? 0,
        runningCount: d.runningCount ?? 0,
        failedTasks: d.failedTasks ?? 0,
    };
}

function toServiceStatus(s: Service): ServiceStatus {
    return {
        serviceName: s.serviceName ?? "",
        status: s.status ?? "UNKNOWN",
        desiredCount: s.desiredCount ?? 0,
        runningCount: s.runningCount ?? 0,
        pendingCount: s.pendingCount ?? 0,
        taskDefinition: s.taskDefinition ?? "",
        deployments: (s.deployments ?? []).map(toDeployment),
    };
}

function missingService(failure: Failure): ServiceStatus {
    const name = (failure.arn ?? "").split("/").pop() ?? "";
    return { serviceName: name, status: failure.reason ?? "MISSING", desiredCount: 0, runningCount: 0, pendingCount: 0, taskDefinition: "", deployments: [] };
}
