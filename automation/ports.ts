// The small interfaces the release stages need. Adapters (automation/adapters/) implement them over the
// Automation API, AWS SDK v3, the docker CLI and fetch; tests use faithful fakes. No SDK type leaks here.
import type { ReleasedSet } from "../infra/contracts/releasedSet";
import type { ReleaseOutcome } from "../infra/contracts/releaseOutcomes";

/** Time, injectable so waits and timeouts are testable without real sleeps. */
export interface Clock {
    now(): number;
    /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts first. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Pulumi stack (Automation API)

/** The subset of Pulumi's engine events berth reads (shape of @pulumi/pulumi/automation EngineEvent). */
export interface EngineEvent {
    sequence: number;
    timestamp: number;
    resourcePreEvent?: { metadata: StepMetadata };
    resOutputsEvent?: { metadata: StepMetadata };
    resOpFailedEvent?: { metadata: StepMetadata; status: number; steps: number };
    diagnosticEvent?: { urn?: string; message: string; severity: "debug" | "info" | "info#err" | "warning" | "error"; ephemeral?: boolean };
    summaryEvent?: { maybeCorrupt: boolean; durationSeconds: number; resourceChanges: Record<string, number> };
    cancelEvent?: Record<string, never>;
}

export interface StepMetadata {
    op: "same" | "create" | "update" | "delete" | "replace" | "create-replacement" | "delete-replaced" | "read" | "refresh" | "import" | string;
    urn: string;
    type: string;
    old?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
    new?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
    diffs?: string[];
    /** Property path → how it changes ("add", "update", "delete", and their "-replace" forms). */
    detailedDiff?: Record<string, { diffKind: string; inputDiff: boolean }>;
}

export interface UpdateResult {
    /** "succeeded" or "failed" as the engine reports it; "no changes" is a success. */
    result: "succeeded" | "failed";
    /** Update id / version from the stack's history, when the backend gives one. */
    updateId?: string;
    resourceChanges: Record<string, number>;
}

/**
 * The release's config for one operation: `berth:images` (service → sha256 digest) and `berth:migrationImage`.
 * It is handed to the operation itself (the adapter passes a private copy of the stack settings to the CLI's
 * `--config-file`); the checked-in Pulumi.<stack>.yaml is never edited, so no release changes the working tree.
 */
export interface ReleaseConfig {
    images: Record<string, string>;
    /**
     * With a migration image (a sha256 digest of the owner's repository) only the migration task definition takes
     * it; every service keeps its `berth:images` digest (F02). Absent: the key is removed, so the
     * migration task follows its owner service.
     */
    migrationImage?: string;
}

export interface StackUpdateOptions {
    onEvent?: (event: EngineEvent) => void;
    /** The release's config for this operation; absent: the stack settings as checked in. */
    config?: ReleaseConfig;
    /** Aborting asks the engine to stop gracefully (never a forced `cancel`). */
    signal?: AbortSignal;
    /** Bound on concurrent resource operations (`--parallel`). */
    parallel?: number;
    message?: string;
}

export interface StackHistoryEntry {
    version: number;
    kind: string;
    result: string;
    startTime: string;
    endTime?: string;
    message?: string;
}

export interface StackPort {
    readonly name: string;
    /** Raw stack outputs; secret values are never returned in plaintext (the adapter masks them). */
    outputs(): Promise<Record<string, unknown>>;
    up(options: StackUpdateOptions): Promise<UpdateResult>;
    preview(options: StackUpdateOptions): Promise<UpdateResult>;
    history(limit: number): Promise<StackHistoryEntry[]>;
}

/** A refresh preview (`pulumi refresh --preview-only`): what differs between the state and the cloud, changing nothing. */
export interface RefreshPreviewPort {
    readonly name: string;
    refreshPreview(options: { onEvent?: (event: EngineEvent) => void; signal?: AbortSignal }): Promise<UpdateResult>;
}

/** Errors the stack adapter maps Automation API failures to (one function, by class). */
export class StackLockedError extends Error {
    readonly kind = "locked";
}
export class StackNotFoundError extends Error {
    readonly kind = "not-found";
}
export class PulumiCliMissingError extends Error {
    readonly kind = "cli-missing";
}
/** The engine ran a refresh preview and reported failure (a provider could not read a resource): the CLI's last lines. */
export class RefreshFailedError extends Error {
    readonly kind = "refresh-failed";
}
/** Credentials, permissions or network (mapped from an AWS adapter's error): the message names the call and cause. */
export class EnvironmentError extends Error {
    readonly kind = "environment";
}

// ---------------------------------------------------------------------------------------------------
// ECS, load balancer, logs

export interface RunTaskRequest {
    cluster: string;
    taskDefinition: string;
    subnets: string[];
    securityGroups: string[];
    /** Who started it, e.g. `berth/<release id>`. */
    startedBy: string;
}

export type RunTaskResult = { taskArn: string } | { failures: string[] };

export interface TaskStatus {
    taskArn: string;
    lastStatus: string;
    stopCode?: string;
    stoppedReason?: string;
    containers: { name: string; exitCode?: number; reason?: string; lastStatus?: string }[];
}

export interface Deployment {
    id: string;
    status: "PRIMARY" | "ACTIVE" | "INACTIVE" | string;
    rolloutState?: "IN_PROGRESS" | "COMPLETED" | "FAILED" | string;
    rolloutStateReason?: string;
    taskDefinition: string;
    desiredCount: number;
    runningCount: number;
    failedTasks: number;
}

export interface ServiceStatus {
    serviceName: string;
    status: string;
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
    taskDefinition: string;
    deployments: Deployment[];
}

/** ServiceDeployment.status (ECS API): the outcome of one deployment of a service, for every strategy. */
export type ServiceDeploymentStatus =
    | "PENDING"
    | "IN_PROGRESS"
    | "SUCCESSFUL"
    | "STOP_REQUESTED"
    | "STOPPED"
    | "ROLLBACK_REQUESTED"
    | "ROLLBACK_IN_PROGRESS"
    | "ROLLBACK_SUCCESSFUL"
    | "ROLLBACK_FAILED";

/** ServiceDeployment.lifecycleStage: where a blue/green, canary or linear deployment is. */
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

/** One lifecycle hook of a deployment (DeploymentLifecycleHookDetail); a PAUSE hook waits AWAITING_ACTION for ContinueServiceDeployment. */
export interface LifecycleHookDetail {
    hookId: string;
    targetType: "PAUSE" | "AWS_LAMBDA" | string;
    status: "AWAITING_ACTION" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | string;
    /** Epoch ms when ECS takes the timeout action. */
    expiresAt?: number;
    timeoutAction?: "CONTINUE" | "ROLLBACK" | string;
}

/** ListServiceDeployments' brief of one deployment. */
export interface ServiceDeploymentBrief {
    arn: string;
    status: ServiceDeploymentStatus | string;
    statusReason?: string;
    /** Epoch ms. */
    createdAt?: number;
    finishedAt?: number;
    targetServiceRevisionArn?: string;
}

/** DescribeServiceDeployments' view of one deployment, times as epoch ms. */
export interface ServiceDeploymentSnapshot extends ServiceDeploymentBrief {
    startedAt?: number;
    stoppedAt?: number;
    updatedAt?: number;
    lifecycleStage?: LifecycleStage | string;
    hooks: LifecycleHookDetail[];
    strategy?: "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR" | string;
    bakeTimeInMinutes?: number;
    /** Set once ECS rolls back: why (circuit breaker, alarm, hook, a stop request) and when. */
    rollback?: { reason?: string; startedAt?: number };
    circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
    alarms?: { status?: string; alarmNames: string[]; triggeredAlarmNames: string[] };
    /** Traffic weights of the revision being deployed (snapshots, ECS says: may lag). */
    targetTraffic?: { test?: number; production?: number };
}

export type HookAction = "CONTINUE" | "ROLLBACK";

export interface EcsPort {
    runTask(request: RunTaskRequest): Promise<RunTaskResult>;
    describeTask(cluster: string, taskArn: string): Promise<TaskStatus | undefined>;
    /** Any number of services: the adapter batches by ECS's limit of 10 per call. */
    describeServices(cluster: string, serviceNames: string[]): Promise<ServiceStatus[]>;
    /** A service's deployments created at or after `createdAfter` (epoch ms), every page, newest first. */
    listServiceDeployments(cluster: string, serviceName: string, options?: { createdAfter?: number; status?: ServiceDeploymentStatus[] }): Promise<ServiceDeploymentBrief[]>;
    /** Any number of deployments: the adapter batches by ECS's limit of 20 per call; unknown ARNs are left out. */
    describeServiceDeployments(arns: string[]): Promise<ServiceDeploymentSnapshot[]>;
    /**
     * Answers a PAUSE hook that is AWAITING_ACTION (the deployment must be IN_PROGRESS). On a hook that no longer
     * waits (timed out, already answered, deployment rolled back) ECS rejects the call with a client error.
     */
    continueServiceDeployment(arn: string, hookId: string, action: HookAction): Promise<void>;
    /** StopServiceDeployment with stopType ROLLBACK: the service goes back to the previous revision (blue). */
    stopServiceDeployment(arn: string): Promise<void>;
}

export interface TargetHealth {
    targetId: string;
    port?: number;
    state: "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable" | string;
    reason?: string;
    description?: string;
}

export interface LoadBalancerPort {
    targetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
}

/** Requests and target 5xx of one target group over a window (CloudWatch AWS/ApplicationELB, Sum). */
export interface TargetGroupErrors {
    requests: number;
    errors5xx: number;
}

export interface MetricsPort {
    /** Sums of RequestCount and HTTPCode_Target_5XX_Count for the target group behind `loadBalancerArn` in [fromMs, toMs). */
    targetGroupErrors(loadBalancerArn: string, targetGroupArn: string, fromMs: number, toMs: number): Promise<TargetGroupErrors>;
}

export interface LogPage {
    lines: { timestamp: number; message: string }[];
    /** Pass back to continue after the last line; unchanged when there is nothing new. */
    nextToken?: string;
}

export interface LogsPort {
    /** Reads a log stream forward from `nextToken` (the start when absent). */
    read(logGroupName: string, logStreamName: string, nextToken?: string): Promise<LogPage>;
}

// ---------------------------------------------------------------------------------------------------
// Images

export interface RegistryCredentials {
    server: string;
    username: string;
    password: string;
}

export interface RegistryPort {
    /** Short-lived credentials (ECR GetAuthorizationToken). */
    credentials(): Promise<RegistryCredentials>;
    /** The digest behind `tag` in the repository, or undefined when the tag does not exist. */
    digestOf(repositoryName: string, tag: string): Promise<string | undefined>;
    /** Adds `tag` to the image with `digest` (immutable repositories accept new tags on old images). */
    addTag(repositoryName: string, digest: string, tag: string): Promise<void>;
}

export interface BuildRequest {
    context: string;
    dockerfile: string;
    /** Full image reference to tag the build with: `<repository url>:<tag>`. */
    imageRef: string;
    buildArgs: Record<string, string>;
    platform: string;
    target?: string;
}

export interface ImageBuilderPort {
    login(credentials: RegistryCredentials): Promise<void>;
    /** Builds; on failure rejects with an error carrying the tail of the build log. */
    build(request: BuildRequest, signal?: AbortSignal): Promise<void>;
    /** Pushes and returns the pushed manifest digest (sha256:…). */
    push(imageRef: string, signal?: AbortSignal): Promise<string>;
}

export class BuildFailedError extends Error {
    constructor(
        message: string,
        readonly logTail: string[],
    ) {
        super(message);
    }
}

// ---------------------------------------------------------------------------------------------------
// HTTP, release records, source

export interface HttpResponse {
    status: number;
    body: string;
}

export interface HttpPort {
    /** `headers`: e.g. the test-traffic header that reaches a green revision through the test listener rule. */
    get(url: string, options: { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> }): Promise<HttpResponse>;
}

/** The released image set the program reads (infra/components/images.ts) and the driver writes: one contract for both. */
export type { ReleasedSet };
/** How one deploy or rollback run ended (infra/contracts/releaseOutcomes.ts): the outcome history's entry. */
export type { ReleaseOutcome };

export interface ReleaseStorePort {
    readReleased(): Promise<ReleasedSet | undefined>;
    /**
     * Records `set` in the history of verified releases (one entry per release id), then overwrites the
     * released set (one SSM parameter, so the write is atomic).
     */
    writeReleased(set: ReleasedSet): Promise<void>;
    /** Every verified release recorded in the history, newest first (by releasedAt); `rollback --to` reads it. */
    listReleases(): Promise<ReleasedSet[]>;
    /**
     * The outcome history, newest first: how the stack's last runs ended, whatever the state (bounded: the newest
     * ~20 that fit one standard parameter). [] when none was recorded; a value that is not one fails naming it.
     * Never a source for rollback targets: those are verified releases only (listReleases).
     */
    listOutcomes(): Promise<ReleaseOutcome[]>;
    /**
     * Adds a run's outcome to the outcome history (one entry per release id). Resolves with warnings about entries
     * of concurrent writers it could not keep; rejects when the history could not be written.
     */
    recordOutcome(outcome: ReleaseOutcome): Promise<string[]>;
}

/** The pull request (or issue) a preview comment goes on. */
export interface CommentTarget {
    owner: string;
    repo: string;
    issueNumber: number;
}

/** The drift issue of one stack (label + exact title): opened or updated while drift lasts, closed once it is gone. */
export interface DriftIssuePort {
    /** `body` undefined: no drift (close the open issue, if any). */
    sync(stack: string, body: string | undefined): Promise<{ action: "created" | "updated" | "closed" | "none"; number?: number; url?: string }>;
}

/** One comment per stack on a pull request, found by its hidden marker (the body's first line) and edited in place. */
export interface CommentPort {
    upsert(target: CommentTarget, marker: string, body: string): Promise<{ action: "created" | "updated"; id: number; url: string }>;
}

/** What a promotion reads of its source stack: outputs through the Automation API, and its release store. */
export interface PromotionSource {
    /** Raw stack outputs of the source stack. */
    outputs: Record<string, unknown>;
    released: ReleasedSet | undefined;
    /** Every verified release of the source, newest first. */
    history: ReleasedSet[];
    /** The source's outcome history, newest first ([] when it could not be read: see outcomesProblem). */
    outcomes: ReleaseOutcome[];
    /** Why the source's outcome history could not be read (a corrupt or foreign value, permissions). */
    outcomesProblem?: string;
    /** The source stack's recent Pulumi updates (their messages name berth's release ids). */
    updates: StackHistoryEntry[];
}

export interface ImageCopyRequest {
    service: string;
    digest: string;
    /** Repository URLs (`<registry host>/<repository>`). */
    from: string;
    to: string;
}

/** Brings an image into a repository by digest (registry API; no docker pull/push) and verifies the digest there. */
export interface ImageCopyPort {
    copy(request: ImageCopyRequest, signal?: AbortSignal): Promise<{ copied: boolean; verified: string; detail: string }>;
}

/** The ports only `deploy --promote-from` needs. */
export interface PromotionPort {
    readSource(stackName: string): Promise<PromotionSource>;
    images: ImageCopyPort;
}

export interface SourcePort {
    /** The commit being released. */
    headSha(): Promise<string>;
    /** Paths with uncommitted changes (empty when clean). */
    dirtyPaths(): Promise<string[]>;
}
