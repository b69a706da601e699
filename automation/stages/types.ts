// What every stage receives: the ports, the run's options resolved to numbers, and the progress sink.
import type {
    Clock,
    EcsPort,
    HttpPort,
    ImageBuilderPort,
    LoadBalancerPort,
    LogsPort,
    MetricsPort,
    RegistryPort,
    ReleaseStorePort,
    SourcePort,
    StackPort,
} from "../ports";

export interface ReleaseDeps {
    stack: StackPort;
    ecs: EcsPort;
    elb: LoadBalancerPort;
    logs: LogsPort;
    /** CloudWatch metrics: a canary's target 5xx ratio. */
    metrics: MetricsPort;
    registry: RegistryPort;
    builder: ImageBuilderPort;
    http: HttpPort;
    store: ReleaseStorePort;
    source: SourcePort;
    clock: Clock;
    /** Human progress lines (stderr). */
    progress: (line: string) => void;
    /** Build-context digest (infra/buildContext.ts hashBuildContext in production). */
    contextDigest: (contextDir: string, dockerfile: string) => string;
}

export interface Timing {
    pollMs: number;
    verifyMs: number;
    /** Overrides the migration's own timeout from the stack outputs when set. */
    migrationMs?: number;
    buildParallel: number;
    /** Consecutive failed smoke/target polls (with ECS settled) before a service fails. */
    checkRetries: number;
}

export interface StageContext {
    deps: ReleaseDeps;
    timing: Timing;
    signal?: AbortSignal;
    log: (line: string) => void;
    /** `--parallel`: every stack update of the run takes it (prepare, rollout, restore, rollback). */
    parallel?: number;
}

export { ReleaseInputError } from "../plan/errors";
