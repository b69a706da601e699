// Engine events → human progress lines and per-service rollout state (waiting/rolling/stable/failed).
// Pure: the stage feeds it events and clock times. Engine event timestamps are Unix seconds.
import type { EngineEvent, StepMetadata } from "../ports";
import { LOGICAL_NAMES } from "../../infra/naming";

const SERVICE_TYPE = "aws:ecs/service:Service";
const TASK_DEF_TYPE = "aws:ecs/taskDefinition:TaskDefinition";

export interface ResourceRef {
    kind: "service" | "task definition";
    /** Catalogue name, or "migration" for the migration task definition. */
    name: string;
}

/** Maps a URN to the catalogue service it belongs to via the program's logical names (infra/naming.ts LOGICAL_NAMES). */
export function resourceOf(urn: string): ResourceRef | undefined {
    // urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>
    const parts = urn.split("::");
    if (parts.length < 4) return undefined;
    const type = parts[2].split("$").pop();
    const name = parts.slice(3).join("::");
    const { servicePrefix, migration, ecsServiceSuffix, taskDefinitionSuffix } = LOGICAL_NAMES;
    const serviceOf = (suffix: string) => (name.startsWith(servicePrefix) && name.endsWith(suffix) && name.length > servicePrefix.length + suffix.length ? name.slice(servicePrefix.length, -suffix.length) : undefined);
    if (type === SERVICE_TYPE) {
        const service = serviceOf(ecsServiceSuffix);
        return service ? { kind: "service", name: service } : undefined;
    }
    if (type === TASK_DEF_TYPE) {
        if (name === `${migration}${taskDefinitionSuffix}`) return { kind: "task definition", name: "migration" };
        const service = serviceOf(taskDefinitionSuffix);
        return service ? { kind: "task definition", name: service } : undefined;
    }
    return undefined;
}

/** 102 → "1m42s", 42 → "42s", 3723 → "1h2m3s". */
export function formatDuration(seconds: number): string {
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
}

const DONE: Record<string, string> = {
    create: "Created",
    update: "Updated",
    replace: "Replaced",
    "create-replacement": "Created replacement",
    "delete-replaced": "Deleted old",
    delete: "Deleted",
};
const DOING: Record<string, string> = {
    create: "Creating",
    update: "Updating",
    replace: "Replacing",
    "create-replacement": "Creating replacement",
    "delete-replaced": "Deleting old",
    delete: "Deleting",
};

export interface FormatContext {
    /** When the resource's step started (Unix seconds), for the elapsed time of its outcome. */
    startedAt?: number;
}

function subject(meta: StepMetadata): [ResourceRef, string] | undefined {
    const ref = resourceOf(meta.urn);
    return ref ? [ref, `${ref.kind} → ${ref.name}`] : undefined;
}

/** One human line per event about an ECS service or task definition (or the update summary); else undefined. */
export function formatEvent(event: EngineEvent, ctx: FormatContext = {}): string | undefined {
    const elapsed = ctx.startedAt === undefined ? "" : ` (${formatDuration(event.timestamp - ctx.startedAt)})`;
    if (event.resourcePreEvent) {
        const s = subject(event.resourcePreEvent.metadata);
        const op = event.resourcePreEvent.metadata.op;
        if (!s || op === "same" || !DOING[op]) return undefined;
        return `${DOING[op]} ${s[1]}…`;
    }
    if (event.resOutputsEvent) {
        const s = subject(event.resOutputsEvent.metadata);
        if (!s) return undefined;
        const op = event.resOutputsEvent.metadata.op;
        if (op === "same") return `No changes to ${s[1]}`;
        return DONE[op] ? `${DONE[op]} ${s[1]}${elapsed}` : undefined;
    }
    if (event.resOpFailedEvent) {
        const s = subject(event.resOpFailedEvent.metadata);
        return s ? `Failed to ${event.resOpFailedEvent.metadata.op} ${s[1]}${elapsed}` : undefined;
    }
    if (event.diagnosticEvent?.urn && event.diagnosticEvent.severity === "error") {
        const ref = resourceOf(event.diagnosticEvent.urn);
        return ref ? `Error on ${ref.kind} → ${ref.name}: ${event.diagnosticEvent.message.trim()}` : undefined;
    }
    if (event.summaryEvent) {
        const changes = Object.entries(event.summaryEvent.resourceChanges)
            .filter(([, n]) => n > 0)
            .map(([op, n]) => `${n} ${op}`)
            .join(", ");
        return `Update finished in ${formatDuration(event.summaryEvent.durationSeconds)}: ${changes || "no changes"}`;
    }
    if (event.cancelEvent) return "Update cancelled";
    return undefined;
}

/** Step operations that leave the resource as it is. */
const NOT_A_CHANGE = new Set(["same", "read", "refresh"]);

export type RolloutState = "waiting" | "rolling" | "stable" | "failed";

export interface ServiceProgress {
    service: string;
    state: RolloutState;
    /** Seconds in `rolling`, or the whole rollout once stable/failed; 0 while waiting. */
    elapsedSeconds: number;
}

export interface RolloutSpan {
    service: string;
    state: Exclude<RolloutState, "waiting">;
    /** Unix seconds, from the engine events. */
    start: number;
    end?: number;
}

/** Per-service rollout state from ECS service events; the task definition precedes its service's rollout. */
export class ProgressTracker {
    private readonly state = new Map<string, { state: RolloutState; start?: number; end?: number }>();
    private readonly urnStart = new Map<string, number>();
    /**
     * Sequences already consumed. The SDK can deliver an event twice: over the JSON-lines event log (CLI ≤ 3.205)
     * it tails the file with @logdna/tail-file, whose quit() starts one last poll without waiting for a poll
     * already in flight — both read from the same position, so on a busy machine every line arrives twice.
     */
    private readonly seen = new Set<number>();
    /** Every catalogue service whose ECS service any step of this update changed, expected or not. */
    private readonly changed = new Set<string>();

    constructor(services: readonly string[]) {
        for (const s of services) this.state.set(s, { state: "waiting" });
    }

    /** Consumes one event (a repeated sequence number is ignored); returns the human line for it, if any. */
    consume(event: EngineEvent): string | undefined {
        if (this.seen.has(event.sequence)) return undefined;
        this.seen.add(event.sequence);
        const meta = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
        const startedAt = meta ? this.urnStart.get(meta.urn) : undefined;
        if (event.resourcePreEvent) this.urnStart.set(event.resourcePreEvent.metadata.urn, event.timestamp);
        const ref = meta ? resourceOf(meta.urn) : undefined;
        // A read or refresh step (`up --refresh`, a `get`) looks at the service without changing it: not a rollout.
        const changes = meta !== undefined && !NOT_A_CHANGE.has(meta.op);
        if (ref?.kind === "service" && changes) this.changed.add(ref.name);
        const entry = ref?.kind === "service" ? this.state.get(ref.name) : undefined;
        if (entry && meta) {
            if (event.resourcePreEvent && changes) Object.assign(entry, { state: "rolling", start: event.timestamp, end: undefined });
            else if (event.resOutputsEvent) Object.assign(entry, { state: "stable", start: entry.start ?? event.timestamp, end: event.timestamp });
            else if (event.resOpFailedEvent) Object.assign(entry, { state: "failed", start: entry.start ?? event.timestamp, end: event.timestamp });
        }
        return formatEvent(event, { startedAt });
    }

    /** The services this update changed (in the order the engine started them), whether expected to roll or not. */
    touched(): string[] {
        return [...this.changed];
    }

    /** Each service this update started, with the engine's start and end (Unix seconds; no end while rolling). */
    spans(): RolloutSpan[] {
        return [...this.state.entries()]
            .filter(([, e]) => e.state !== "waiting" && e.start !== undefined)
            .map(([service, e]) => ({ service, state: e.state as RolloutSpan["state"], start: e.start!, ...(e.end === undefined ? {} : { end: e.end }) }));
    }

    snapshot(nowSeconds: number): ServiceProgress[] {
        return [...this.state.entries()].map(([service, e]) => ({
            service,
            state: e.state,
            elapsedSeconds: e.start === undefined ? 0 : (e.end ?? nowSeconds) - e.start,
        }));
    }
}
