// The stack outputs the release driver reads (infra/program.ts `declareEnvironment`), parsed with one zod
// schema. The driver never rebuilds a name from strings: every identifier comes from here (F04, F18).
import { z } from "zod";

const text = z.string().min(1);
const digestRef = z.string().regex(/@sha256:[a-f0-9]{64}$/, "expected <repository>@sha256:<64 hex>");

// How ECS rolls a service out (deploymentConfiguration.strategy) and what the driver needs to steer it:
// the PAUSE hooks it answers with ContinueServiceDeployment, the header that reaches the green revision
// through the test listener rule, and the alarms ECS rolls back on. Rolling when absent (older stacks).
// PRE_PRODUCTION_TRAFFIC_SHIFT: ECS invokes it before every production traffic step of a canary or linear deployment.
const pauseStage = z.enum(["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"]);
const minutes = z.number().int().min(0).max(1440);
const rolloutOutputs = z.object({
    strategy: z.enum(["rolling", "blueGreen", "canary", "linear"]),
    bakeMinutes: minutes,
    canary: z.object({ percent: z.number().min(0.1).max(100), bakeMinutes: minutes }).optional(),
    linear: z.object({ stepPercent: z.number().min(3).max(100), intervalMinutes: minutes }).optional(),
    pauseHooks: z.array(z.object({ stage: pauseStage, timeoutMinutes: z.number().int().min(1).max(20160) })),
    testTraffic: z.object({ header: text, value: text }).optional(),
    alternateTargetGroupArn: text.optional(),
    alarmNames: z.array(text),
    // Whether the engine's update of the service lasts until its deployment ended, bake included (waitForSteadyState):
    // rolling services, and traffic-shifting ones a rolling service waits for (named). Otherwise the engine goes on
    // once ECS accepted the update and the rollout watch alone waits. Absent (stacks from before it): waits.
    engineWaits: z.boolean().optional(),
    rollingDependents: z.array(text).optional(),
});
export const ROLLING_OUTPUTS = { strategy: "rolling", bakeMinutes: 0, pauseHooks: [], alarmNames: [] } as const;

/** Whether the engine's update of a service lasts until its deployment ended (see `engineWaits` above). */
export function engineWaitsFor(rollout: { engineWaits?: boolean }): boolean {
    return rollout.engineWaits !== false;
}

const serviceOutputs = z.object({
    serviceName: text,
    taskDefinitionFamily: text,
    taskDefinitionArn: text,
    containerName: text,
    port: z.number().int().min(1).max(65535),
    logGroupName: text,
    repositoryUrl: text,
    image: digestRef,
    imageSource: z.enum(["config", "released", "build"]),
    targetGroupArn: text.optional(),
    url: text.optional(),
    healthCheckPath: text,
    waitsFor: z.array(text),
    buildContext: text,
    // Defaults keep stacks deployed before these outputs existed readable.
    dockerfile: text.default("Dockerfile"),
    buildTarget: text.optional(),
    buildArgs: z.record(z.string(), z.string()).default({}),
    platform: z.enum(["linux/amd64", "linux/arm64"]).default("linux/amd64"),
    rollout: rolloutOutputs.default({ ...ROLLING_OUTPUTS, pauseHooks: [], alarmNames: [] }),
});

const migrationOutputs = z.object({
    taskDefinitionFamily: text,
    taskDefinitionArn: text,
    containerName: text,
    service: text,
    clusterName: text,
    subnetIds: z.array(text).min(1),
    securityGroupIds: z.array(text).min(1),
    logGroupName: text,
    logStreamPrefix: text,
    timeoutSeconds: z.number().int().positive(),
});

const environmentOutputs = z.object({
    environment: text,
    region: text,
    accountId: text,
    clusterName: text,
    publicUrl: text,
    loadBalancer: z.object({ arn: text, dnsName: text, url: text }),
    network: z.object({ vpcId: text, publicSubnetIds: z.array(text), privateSubnetIds: z.array(text), isolatedSubnetIds: z.array(text) }),
    discoveryNamespace: text,
    database: z.object({ identifier: text, address: text, port: z.number().int(), name: text, secretArn: text }),
    releasedImagesParameter: text,
    rolloutLevels: z.array(z.array(text)),
    repositoryUrls: z.record(z.string(), text),
    services: z.record(z.string(), serviceOutputs),
    migration: migrationOutputs.optional(),
});

export type ServiceOutputs = z.infer<typeof serviceOutputs>;
export type RolloutOutputs = z.infer<typeof rolloutOutputs>;
export type MigrationOutputs = z.infer<typeof migrationOutputs>;
export type EnvironmentOutputs = z.infer<typeof environmentOutputs>;

const HINT = "run `pulumi up` with this version of berth first";

/** Stack outputs that are missing, malformed or inconsistent; `problems` holds one sentence per key. */
export class StackOutputsError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.length === 1 ? problems[0] : `the stack outputs are not usable:\n${problems.map((p, i) => `  ${i + 1}. ${p}`).join("\n")}`);
        this.name = "StackOutputsError";
    }
}

function at(raw: unknown, path: readonly PropertyKey[]): unknown {
    let value = raw;
    for (const key of path) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<PropertyKey, unknown>)[key];
    }
    return value;
}

function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    return typeof value === "string" ? `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"` : typeof value;
}

/** Cross-references zod cannot express: names that must point at a service of the same stack. */
function consistencyProblems(outputs: EnvironmentOutputs): string[] {
    const problems: string[] = [];
    const names = Object.keys(outputs.services);
    const known = new Set(names);
    if (names.length === 0) problems.push(`stack output services is empty — ${HINT}`);
    for (const [name, svc] of Object.entries(outputs.services)) {
        for (const dep of svc.waitsFor) {
            if (!known.has(dep)) problems.push(`stack output services.${name}.waitsFor names ${dep}, which is not a service of this stack — ${HINT}`);
        }
    }
    const levelled = outputs.rolloutLevels.flat();
    for (const name of names) if (!levelled.includes(name)) problems.push(`stack output rolloutLevels does not place ${name} — ${HINT}`);
    for (const name of levelled) if (!known.has(name)) problems.push(`stack output rolloutLevels names ${name}, which is not a service of this stack — ${HINT}`);
    if (outputs.migration && !known.has(outputs.migration.service)) {
        problems.push(`stack output migration.service names ${outputs.migration.service}, which is not a service of this stack — ${HINT}`);
    }
    return problems;
}

/** Parses raw stack outputs (plain values, as the stack adapter returns them) or throws StackOutputsError. */
export function parseStackOutputs(raw: unknown): EnvironmentOutputs {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new StackOutputsError([`the stack has no outputs object (got ${describe(raw)}) — ${HINT}`]);
    }
    // What the Automation API returns for a stack that exists but was never deployed: one sentence, not a list
    // of every missing output.
    if (Object.keys(raw).length === 0) throw new StackOutputsError(["the stack has no outputs: it was never provisioned — run `pulumi up` first"]);
    const parsed = environmentOutputs.safeParse(raw);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
            const key = issue.path.map(String).join(".");
            const value = at(raw, issue.path);
            if (value === undefined) return `stack output ${key} is missing — ${HINT}`;
            return `stack output ${key} is invalid (${issue.message}; got ${describe(value)}) — ${HINT}`;
        });
        throw new StackOutputsError([...new Set(problems)]);
    }
    const problems = consistencyProblems(parsed.data);
    if (problems.length > 0) throw new StackOutputsError(problems);
    return parsed.data;
}

/** `123.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/api` → `berth/dev/api`: the name ECR's API takes. */
export function repositoryName(repositoryUrl: string): string {
    const slash = repositoryUrl.indexOf("/");
    return slash === -1 ? repositoryUrl : repositoryUrl.slice(slash + 1);
}
