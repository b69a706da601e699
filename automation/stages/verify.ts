// Stage 6 (F07, F12, F13): poll every service at a steady interval under one overall deadline until its
// verdict is ok, it is hopeless (isHopeless: ECS gave up or rolled back, or a failed task while its own
// checks failed — no waiting for the circuit breaker's threshold), its target/smoke checks have failed for
// `checkRetries` polls in a row with ECS settled, or the deadline passes.
import type { EnvironmentOutputs } from "../plan/outputs";
import { isHopeless, ServiceVerdict, SmokeResult, verifyService } from "../plan/verify";
import type { ServiceStatus, TargetHealth } from "../ports";
import type { StageContext } from "./types";
import { message } from "./util";

export interface VerifyRequest {
    outputs: EnvironmentOutputs;
    services: string[];
    /** service → taskDefinitionArn the stack registered (outputs after the update). */
    expected: Record<string, string>;
    sha: string;
    /** False after a rollback: restored images come from different commits. */
    checkVersion: boolean;
}

export function smokeUrl(url: string, healthCheckPath: string): string {
    return `${url.replace(/\/+$/, "")}/${healthCheckPath.replace(/^\/+/, "")}`;
}

function ecsSettled(v: ServiceVerdict): boolean {
    const ecsChecks = ["service active", "deployment completed", "running = desired", "no other deployment", "task definition"];
    return v.checks.filter((c) => ecsChecks.includes(c.name)).every((c) => c.ok);
}

/** One GET of a health URL (with the test header, for green): its status and the `version` its JSON body reports. */
export async function smoke(ctx: StageContext, url: string, headers?: Record<string, string>): Promise<SmokeResult> {
    try {
        const res = await ctx.deps.http.get(url, { timeoutMs: 5000, signal: ctx.signal, ...(headers ? { headers } : {}) });
        let version: string | undefined;
        try {
            const body = JSON.parse(res.body) as { version?: unknown };
            if (typeof body.version === "string") version = body.version;
        } catch {
            // not JSON: no version to compare
        }
        return { url, status: res.status, ...(version === undefined ? {} : { version }) };
    } catch (error) {
        return { url, error: message(error) };
    }
}

export async function verifyServices(ctx: StageContext, request: VerifyRequest): Promise<ServiceVerdict[]> {
    const { deps } = ctx;
    const { outputs } = request;
    const deadline = deps.clock.now() + ctx.timing.verifyMs;
    const verdicts = new Map<string, ServiceVerdict>();
    const strikes = new Map<string, number>();
    const pending = new Set(request.services);
    const byEcsName = new Map(request.services.map((s) => [outputs.services[s].serviceName, s]));
    while (pending.size > 0) {
        // One call per poll: the AWS client has already retried what AWS throttled; an error here ends the stage.
        const statuses: ServiceStatus[] = await deps.ecs.describeServices(outputs.clusterName, [...pending].map((s) => outputs.services[s].serviceName));
        const found = new Map(statuses.map((st) => [byEcsName.get(st.serviceName), st]));
        for (const service of [...pending]) {
            const svc = outputs.services[service];
            const status = found.get(service);
            const expected = request.expected[service];
            let targets: TargetHealth[] | undefined;
            // A blue/green, canary or linear deployment leaves production on whichever of the two groups was
            // green: ECS swaps their roles every time, so the service's targets are those of both groups.
            const groups = [svc.targetGroupArn, svc.rollout.alternateTargetGroupArn].filter((g): g is string => g !== undefined);
            if (svc.targetGroupArn) {
                const lists = await Promise.all(
                    groups.map((arn) =>
                        deps.elb.targetHealth(arn).catch((error: unknown): TargetHealth[] => {
                            ctx.log(`target health of ${service}: ${message(error)}`);
                            return [{ targetId: "?", state: "unavailable", reason: message(error) }];
                        }),
                    ),
                );
                targets = lists.flat();
            }
            const base = verifyService({ service, status, expectedTaskDefinition: expected, targets, smoke: [], sha: request.sha });
            let verdict = base;
            // Smoke only once ECS has settled on the registered task definition: before that, it tests the old tasks.
            if (ecsSettled(base) && svc.url) {
                const result = await smoke(ctx, smokeUrl(svc.url, svc.healthCheckPath));
                const results = request.checkVersion ? [result] : [{ ...result, version: undefined }];
                verdict = verifyService({ service, status, expectedTaskDefinition: expected, targets, smoke: results, sha: request.sha });
            }
            verdicts.set(service, verdict);
            if (verdict.ok) {
                pending.delete(service);
                ctx.log(`verified ${service}`);
                continue;
            }
            const unhealthyTargets = (targets ?? []).some((t) => t.state === "unhealthy");
            const ownFailed = unhealthyTargets || (ecsSettled(base) && !verdict.ok);
            const hopeless = isHopeless(status, expected, { ownChecksFailed: ownFailed });
            if (hopeless.hopeless) {
                pending.delete(service);
                verdicts.set(service, { ...verdict, checks: [...verdict.checks, { name: "gave up", ok: false, detail: hopeless.reason ?? "hopeless" }] });
                ctx.log(`${service} failed verification: ${hopeless.reason}`);
                continue;
            }
            const n = ownFailed ? (strikes.get(service) ?? 0) + 1 : 0;
            strikes.set(service, n);
            if (n >= ctx.timing.checkRetries) {
                pending.delete(service);
                verdicts.set(service, { ...verdict, checks: [...verdict.checks, { name: "gave up", ok: false, detail: `own checks failed ${n} polls in a row` }] });
                const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join("; ");
                ctx.log(`${service} failed verification after ${n} checks: ${failed}`);
            }
        }
        if (pending.size === 0) break;
        if (deps.clock.now() >= deadline) {
            for (const service of pending) {
                const v = verdicts.get(service) ?? { service, ok: false, checks: [] };
                verdicts.set(service, { ...v, ok: false, checks: [...v.checks, { name: "deadline", ok: false, detail: `not verified within ${Math.round(ctx.timing.verifyMs / 1000)}s` }] });
                ctx.log(`${service} not verified within ${Math.round(ctx.timing.verifyMs / 1000)}s`);
            }
            break;
        }
        await deps.clock.sleep(ctx.timing.pollMs, ctx.signal);
    }
    return request.services.map((s) => verdicts.get(s)!);
}
