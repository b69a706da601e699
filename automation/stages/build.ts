// Stage 2: build and push the changed images in parallel (bounded), tagged with the sha; one failure stops
// the others and the release before anything changes, naming the service and its build log tail (F06).
import { BuildFailedError } from "../ports";
import type { EnvironmentOutputs } from "../plan/outputs";
import type { ReleasePlan } from "../plan/release";
import type { StageContext } from "./types";
import { bounded, isAbort, message } from "./util";
import * as path from "path";

export type BuildOutcome =
    | { ok: true; digests: Record<string, string> }
    | { ok: false; service: string; reason: string; logTail: string[]; interrupted: boolean };

export function buildRequest(plan: ReleasePlan, outputs: EnvironmentOutputs, projectDir: string, service: string) {
    const svc = outputs.services[service];
    return {
        context: path.resolve(projectDir, svc.buildContext),
        dockerfile: svc.dockerfile,
        imageRef: `${svc.repositoryUrl}:${plan.imageTag}`,
        buildArgs: { ...svc.buildArgs, GIT_SHA: plan.sha },
        platform: svc.platform,
        ...(svc.buildTarget ? { target: svc.buildTarget } : {}),
    };
}

export async function buildImages(ctx: StageContext, plan: ReleasePlan, outputs: EnvironmentOutputs, projectDir: string): Promise<BuildOutcome> {
    const { deps } = ctx;
    const todo = plan.services.filter((s) => s.action === "build").map((s) => s.name);
    const digests: Record<string, string> = {};
    for (const s of plan.services) if (s.action === "reuse-tag" && s.digest) ctx.log(`reusing ${s.name} ${plan.imageTag.slice(0, 12)} (${s.digest}): the tag already exists`);
    if (todo.length === 0) return { ok: true, digests };
    const stopBuilds = new AbortController();
    const onAbort = () => stopBuilds.abort();
    ctx.signal?.addEventListener("abort", onAbort);
    let failure: Extract<BuildOutcome, { ok: false }> | undefined;
    try {
        const credentials = await deps.registry.credentials();
        await deps.builder.login(credentials);
        await bounded(
            todo,
            ctx.timing.buildParallel,
            async (service) => {
                const request = buildRequest(plan, outputs, projectDir, service);
                const started = deps.clock.now();
                ctx.log(`building ${service} → ${request.imageRef}`);
                try {
                    await deps.builder.build(request, stopBuilds.signal);
                    digests[service] = await deps.builder.push(request.imageRef, stopBuilds.signal);
                    ctx.log(`pushed ${service} ${digests[service]} (${Math.round((deps.clock.now() - started) / 1000)}s)`);
                } catch (error) {
                    if (failure) return; // a sibling already failed and stopped this one
                    const interrupted = isAbort(error, ctx.signal);
                    failure = {
                        ok: false,
                        service,
                        interrupted,
                        reason: interrupted ? "interrupted" : message(error),
                        logTail: error instanceof BuildFailedError ? error.logTail.map(stripAnsi) : [],
                    };
                    stopBuilds.abort();
                }
            },
            () => failure !== undefined,
        );
    } finally {
        ctx.signal?.removeEventListener("abort", onAbort);
    }
    return failure ?? { ok: true, digests };
}

// CSI sequences (colours, cursor moves: ESC [ … final byte) and OSC sequences (ESC ] … BEL/ST) that BuildKit and
// npm put in their output; the report and CI logs want plain text.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** A build log line without terminal escape codes. */
export function stripAnsi(line: string): string {
    return line.replace(ANSI, "");
}
