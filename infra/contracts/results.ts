// Every command's machine-readable result: one versioned zod schema per command (`berth.<command>/v1`), the
// release record the Markdown report is drawn from, and the rules for reading and writing them. docs/json.md
// is generated from these schemas (npm run docs:json); a test keeps it current.
import { z } from "zod";

/** The schema ids, one per command. A breaking change to a shape gets a new id (`/v2`); additions do not. */
export const SCHEMA_IDS = {
    deploy: "berth.deploy/v1",
    rollback: "berth.rollback/v1",
    status: "berth.status/v1",
    preview: "berth.preview/v1",
    synth: "berth.synth/v1",
    cost: "berth.cost/v1",
    drift: "berth.drift/v1",
} as const;

export type ResultCommand = keyof typeof SCHEMA_IDS;

// ── the release record (deploy, rollback) ────────────────────────────────────────────────────────────────

export const releaseStateSchema = z.enum(["RELEASED", "NOTHING_TO_DO", "ROLLED_BACK", "FAILED_BEFORE_CHANGE", "NEEDS_ATTENTION", "INTERRUPTED"]);
export const stageNameSchema = z.enum(["plan", "build", "copy", "prepare", "migrate", "rollout", "verify", "rollback", "record"]);

const isoTime = z.string().describe("ISO-8601 UTC time");

export const stageRecordSchema = z.object({
    name: stageNameSchema,
    outcome: z.enum(["ok", "failed", "skipped", "interrupted"]),
    /** When the stage started; records written before this field existed lack it (stages run back to back from startedAt). */
    startedAt: isoTime.optional(),
    durationMs: z.number(),
    detail: z.string().optional(),
});

/** One service's update in a stack update, from the engine's events: started, and stable or failed. */
export const serviceSpanSchema = z.object({
    startedAt: isoTime,
    /** Absent while it was still rolling (an interrupted update). */
    finishedAt: isoTime.optional(),
    state: z.enum(["rolling", "stable", "failed"]),
});

export const checkSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
export const serviceVerdictSchema = z.object({ service: z.string(), ok: z.boolean(), checks: z.array(checkSchema) });

const hookVerdictSchema = z.object({
    stage: z.string(),
    action: z.enum(["CONTINUE", "ROLLBACK"]),
    ok: z.boolean(),
    detail: z.string(),
    /** ISO time of the answer. */
    at: z.string(),
});

/** How ECS deployed a service and what berth did at its hooks (automation/plan/deployments.ts RolloutRecord). */
export const rolloutRecordSchema = z.object({
    strategy: z.enum(["rolling", "blueGreen", "canary", "linear"]),
    bakeMinutes: z.number(),
    deploymentArn: z.string().optional(),
    /** The deployment's last status (SUCCESSFUL, ROLLBACK_SUCCESSFUL, …; IN_PROGRESS when berth stopped looking; NOT_FOUND when no deployment was found for an update ECS accepted). */
    status: z.string().optional(),
    decidedBy: z.enum(["berth-test", "berth-canary", "berth-rollback", "alarm", "circuit-breaker", "hook-timeout", "ecs"]).optional(),
    /** One sentence naming who decided and why. */
    decision: z.string().optional(),
    /** berth's test of green through the test route. */
    test: hookVerdictSchema.optional(),
    /** berth's canary check (5xx ratio) before the rest of the traffic moved. */
    canary: hookVerdictSchema.optional(),
    testTrafficMs: z.number().optional(),
    bakeMs: z.number().optional(),
    /** berth stopped this deployment inside its bake time (the release rolled back). */
    stoppedInBake: z.boolean().optional(),
    /** ContinueServiceDeployment was refused (the hook no longer waited): ECS's message. */
    answerRefused: z.string().optional(),
    /** berth was interrupted while this hook waited: ECS takes its timeout action at expiresAt. */
    leftWaiting: z.object({ hookId: z.string(), expiresAt: z.string().optional(), timeoutAction: z.string() }).optional(),
});

export const serviceRecordSchema = z.object({
    name: z.string(),
    changed: z.boolean(),
    reason: z.enum(["context changed", "never released", "unchanged", "not selected", "promoted"]),
    action: z.enum(["build", "reuse-tag", "copy", "none"]),
    /** The digest this release set (changed services) or left in place. */
    digest: z.string().optional(),
    previousDigest: z.string().optional(),
    /** `berth-dev-api:7` after the rollout. */
    taskDefinitionRevision: z.string().optional(),
    /** The revision running after this release's rollback restored the service (`berth-dev-api:8`). */
    restoredRevision: z.string().optional(),
    rolloutMs: z.number().optional(),
    /** The service's update in the rollout, from the engine events (the release gantt chart). */
    rolloutSpan: serviceSpanSchema.optional(),
    /** The service's update in this release's rollback, from the engine events. */
    rollbackSpan: serviceSpanSchema.optional(),
    verification: serviceVerdictSchema.optional(),
    /** Whether the service was restored to previousDigest, failed to be, or could not be (never released). */
    rollback: z.enum(["restored", "failed", "impossible"]).optional(),
    /** An update of this release changed the service although the release did not roll it (which update, why). */
    changedBy: z.string().optional(),
    /** How ECS deployed it and what berth did at its hooks (strategy, test verdict, bake, who decided). */
    rollout: rolloutRecordSchema.optional(),
    /** The deployment of this release's rollback update that put the service back (when it rolled blue/green). */
    restore: rolloutRecordSchema.optional(),
});

export const migrationRecordSchema = z.object({
    outcome: z.enum(["not-needed", "skipped", "succeeded", "failed", "could-not-start", "timed-out"]),
    exitCode: z.number().optional(),
    taskArn: z.string().optional(),
    detail: z.string().optional(),
    durationMs: z.number().optional(),
});

/** What one run of deploy or rollback did and what runs afterwards; the Markdown report is drawn from it. */
export const releaseRecordSchema = z.object({
    version: z.literal(1),
    id: z.string(),
    sha: z.string(),
    stack: z.string(),
    startedAt: isoTime,
    finishedAt: isoTime,
    state: releaseStateSchema,
    /** One sentence: what failed, for which service, why. */
    summary: z.string().optional(),
    stages: z.array(stageRecordSchema),
    services: z.array(serviceRecordSchema),
    migration: migrationRecordSchema,
    /** Pulumi update ids: the prepare and rollout updates and, when one ran, the rollback update. */
    pulumiUpdates: z.object({ prepare: z.string().optional(), rollout: z.string().optional(), rollback: z.string().optional() }),
    /** service → digest running after the release (the released set for RELEASED, the old one otherwise). */
    imagesNow: z.record(z.string(), z.string()),
    /** A promotion: the source release (stack, release id, sha) whose images this release took. */
    promotedFrom: z.object({ stack: z.string(), releaseId: z.string(), sha: z.string() }).optional(),
});

export type ReleaseRecordShape = z.infer<typeof releaseRecordSchema>;

const exitCode = z.number().int().describe("the command's exit code");

/** `deploy --json` / `rollback --json`: the release record, its schema id and the exit code. */
export const releaseResultSchema = (command: "deploy" | "rollback") =>
    z.object({ schema: z.literal(SCHEMA_IDS[command]), ...releaseRecordSchema.shape, exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]) });

// ── the outcome history (infra/contracts/releaseOutcomes.ts) ────────────────────────────────────────────────

/** How one deploy or rollback run ended: an entry of the stack's outcome history, and `status`'s last run. */
export const releaseOutcomeSchema = z.object({
    releaseId: z.string().min(1),
    sha: z.string().regex(/^[0-9a-f]{7,40}$/),
    /** The command that ran: a rollback is a release of its own (new id, an older release's images). */
    command: z.enum(["deploy", "rollback"]),
    state: releaseStateSchema,
    finishedAt: z.iso.datetime().describe("ISO-8601 UTC time"),
    /** The report's summary sentence, cut to 160 characters. */
    summary: z.string().optional(),
});

// ── status ───────────────────────────────────────────────────────────────────────────────────────────────

const promotedFromSchema = z.object({ stack: z.string(), releaseId: z.string(), sha: z.string() });

export const statusReportSchema = z.object({
    stack: z.string(),
    cluster: z.string(),
    released: z.object({ releaseId: z.string(), sha: z.string(), releasedAt: isoTime, promotedFrom: promotedFromSchema.optional() }).optional(),
    /** The newest entry of the stack's outcome history: how the last deploy or rollback that changed something ended. */
    lastRun: releaseOutcomeSchema.optional(),
    /** Why the outcome history could not be read (status still reports what runs). */
    outcomesProblem: z.string().optional(),
    services: z.array(
        z.object({
            service: z.string(),
            serviceName: z.string(),
            /** Label (`family:revision`) of the task definition ECS runs, and of the one the stack registered. */
            runningTaskDefinition: z.string().optional(),
            stackTaskDefinition: z.string(),
            matchesStack: z.boolean(),
            counts: z.object({ desired: z.number(), running: z.number(), pending: z.number() }),
            deployments: z.array(
                z.object({ status: z.string(), rolloutState: z.string().optional(), taskDefinition: z.string(), running: z.number(), desired: z.number(), failedTasks: z.number() }),
            ),
            targets: z.object({ healthy: z.number(), total: z.number(), states: z.record(z.string(), z.number()) }).optional(),
            releasedDigest: z.string().optional(),
        }),
    ),
});

export const statusResultSchema = z.object({ schema: z.literal(SCHEMA_IDS.status), ...statusReportSchema.shape });

// ── cost (also the last section of synth) ────────────────────────────────────────────────────────────────

const money = z.object({ name: z.string(), monthly: z.number(), low: z.number(), high: z.number() });

export const costEstimateSchema = z.object({
    region: z.string(),
    currency: z.literal("USD"),
    hoursPerMonth: z.number(),
    priceFile: z.string(),
    priceDates: z.array(z.string()),
    /** The usage figures the estimate assumes (berth:costAssumptions over the defaults). */
    assumptions: z.record(z.string(), z.number()),
    lines: z.array(
        z.object({
            component: z.string(),
            awsService: z.string(),
            resource: z.string(),
            item: z.string(),
            quantity: z.number(),
            unit: z.string(),
            priceKey: z.string(),
            unitUsd: z.number(),
            monthly: z.number(),
            low: z.number(),
            high: z.number(),
        }),
    ),
    unpriced: z.array(z.object({ component: z.string(), resource: z.string(), type: z.string(), reason: z.string(), priceKey: z.string().optional() })),
    total: z.object({ monthly: z.number(), low: z.number(), high: z.number() }),
    byComponent: z.array(money),
    byAwsService: z.array(money),
    /** Per release of a blue/green, canary or linear service (green's doubled tasks until bake ends), not in the monthly total. */
    perRelease: z.array(
        z.object({
            component: z.string(),
            resource: z.string(),
            strategy: z.string(),
            tasks: z.number(),
            minutes: z.number(),
            unitUsdPerTaskMinute: z.number(),
            usd: z.number(),
        }),
    ),
});

export const costDeltaSchema = z.object({
    before: z.number(),
    after: z.number(),
    delta: z.number(),
    percent: z.number().optional(),
    changed: z.array(z.object({ component: z.string(), resource: z.string(), item: z.string(), before: z.number(), after: z.number() })),
    region: z.string(),
    priceDates: z.array(z.string()),
    unpricedAfter: z.number(),
    baseNote: z.string().optional(),
});

export const costResultSchema = z.object({
    schema: z.literal(SCHEMA_IDS.cost),
    stack: z.string(),
    project: z.string(),
    ...costEstimateSchema.shape,
    /** With --base: the change from that commit's estimate. */
    change: costDeltaSchema.optional(),
});

// ── synth ────────────────────────────────────────────────────────────────────────────────────────────────

const finding = z.object({ rule: z.string(), severity: z.string(), resource: z.string(), message: z.string(), waived: z.boolean().optional() });

export const synthResultSchema = z.object({
    schema: z.literal(SCHEMA_IDS.synth),
    project: z.string(),
    stack: z.string(),
    environment: z.enum(["dev", "staging", "prod"]),
    resourceCount: z.number(),
    components: z.array(z.object({ name: z.string(), type: z.string(), resources: z.number() })),
    rolloutLevels: z.array(z.array(z.string())),
    /** The rollout graph as Mermaid flowchart text (what `synth --graph` prints). */
    rolloutGraph: z.string(),
    policy: z.object({ findings: z.array(finding), waived: z.array(finding), rulesEvaluated: z.number() }),
    /** The stack outputs, as the program exports them (secrets redacted). */
    outputs: z.record(z.string(), z.unknown()),
    resources: z.array(
        z.object({
            urn: z.string(),
            type: z.string(),
            name: z.string(),
            parent: z.string().optional(),
            protect: z.boolean(),
            /** URNs named in the dependsOn resource option. */
            dependsOn: z.array(z.string()),
            /** Inputs as registered, each secret input replaced by a placeholder. */
            inputs: z.record(z.string(), z.unknown()),
        }),
    ),
    /** The monthly estimate, or why it could not be made (a price-file problem). */
    cost: z.union([costEstimateSchema, z.object({ error: z.string() })]),
});

// ── preview ──────────────────────────────────────────────────────────────────────────────────────────────

const resourceChange = z.object({
    urn: z.string(),
    type: z.string(),
    name: z.string(),
    op: z.enum(["create", "update", "replace", "delete"]),
    component: z.string(),
    diffs: z.array(z.string()),
    replaceReasons: z.array(z.string()),
    stateful: z.boolean(),
});

export const previewResultSchema = z.object({
    schema: z.literal(SCHEMA_IDS.preview),
    stack: z.string(),
    exitCode,
    counts: z.object({ create: z.number(), update: z.number(), replace: z.number(), delete: z.number(), same: z.number() }),
    changes: z.array(resourceChange),
    /** Stateful resources that would be replaced or deleted. */
    dangerous: z.array(resourceChange),
    /** The release a deploy from this commit would make; absent when the stack outputs are not usable yet. */
    release: z
        .object({
            /** Services that would get a new image, by rollout level. */
            levels: z.array(z.array(z.string())),
            /** Whether the migration would run before the rollout. */
            migration: z.boolean(),
            /** The whole rollout graph: every service by level, what each waits for, the migration's service. */
            graph: z.object({ levels: z.array(z.array(z.string())), waitsFor: z.record(z.string(), z.array(z.string())), migrationService: z.string().optional() }).optional(),
        })
        .optional(),
    releaseSkipped: z.string().optional(),
    cost: costDeltaSchema.optional(),
    costProblem: z.string().optional(),
    /** The untrimmed Markdown file. */
    file: z.string(),
    delivery: z.enum(["comment-created", "comment-updated", "step-summary", "stdout"]),
    commentUrl: z.string().optional(),
});

/** `drift --json`: what changed outside berth (automation/plan/drift.ts DriftReport), the drift issue, the exit code. */
export const driftResultSchema = z.object({
    schema: z.literal(SCHEMA_IDS.drift),
    stack: z.string(),
    checkedAt: isoTime,
    counts: z.object({ changed: z.number().int(), deleted: z.number().int(), unchanged: z.number().int() }),
    resources: z.array(
        z.object({
            urn: z.string(),
            type: z.string(),
            name: z.string(),
            /** The berth component it belongs to, or "(stack)". */
            component: z.string(),
            kind: z.enum(["changed", "deleted"]),
            /** Top-level properties that differ (empty for a deletion, or when the engine names none). */
            properties: z.array(z.string()),
            stateful: z.boolean(),
        }),
    ),
    drifted: z.boolean(),
    /** With --issue: what happened to the stack's drift issue. */
    issue: z.object({ action: z.enum(["created", "updated", "closed", "none"]), number: z.number().int().optional(), url: z.string().optional() }).optional(),
    exitCode: z.union([z.literal(0), z.literal(4)]),
});

/** Every command's result schema, by command. */
export const RESULT_SCHEMAS = {
    deploy: releaseResultSchema("deploy"),
    rollback: releaseResultSchema("rollback"),
    status: statusResultSchema,
    preview: previewResultSchema,
    synth: synthResultSchema,
    cost: costResultSchema,
    drift: driftResultSchema,
} as const;

export type ResultOf<C extends ResultCommand> = z.infer<(typeof RESULT_SCHEMAS)[C]>;
