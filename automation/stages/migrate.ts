// Stage 4 (F02): RunTask in the private subnets with the migration security group (both from outputs), wait
// for STOPPED under an overall timeout with steady polls, stream the log lines as they come, and tell
// "could not start" (no exit code, a stoppedReason; or RunTask failures) from "failed" (exit ≠ 0).
import type { MigrationRecord } from "../plan/report";
import type { MigrationOutputs } from "../plan/outputs";
import type { RunTaskRequest } from "../ports";
import type { StageContext } from "./types";
import { isAbort, message } from "./util";

export function migrationRequest(migration: MigrationOutputs, taskDefinitionArn: string, releaseId: string): RunTaskRequest {
    return {
        cluster: migration.clusterName,
        taskDefinition: taskDefinitionArn,
        subnets: migration.subnetIds,
        securityGroups: migration.securityGroupIds,
        startedBy: `berth/${releaseId}`,
    };
}

/** The awslogs driver's stream name: `<prefix>/<container>/<task id>`. */
export function migrationLogStream(migration: MigrationOutputs, taskArn: string): string {
    return `${migration.logStreamPrefix}/${migration.containerName}/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`;
}

export type MigrationOutcome = MigrationRecord & { interrupted?: boolean; logLines: string[] };

export async function runMigration(ctx: StageContext, migration: MigrationOutputs, request: RunTaskRequest): Promise<MigrationOutcome> {
    const { deps } = ctx;
    const started = deps.clock.now();
    const timeoutMs = ctx.timing.migrationMs ?? migration.timeoutSeconds * 1000;
    const logLines: string[] = [];
    const done = (r: MigrationRecord): MigrationOutcome => ({ ...r, durationMs: deps.clock.now() - started, logLines });
    const run = await deps.ecs.runTask(request);
    if ("failures" in run) {
        return done({ outcome: "could-not-start", detail: `RunTask refused: ${run.failures.join("; ")}` });
    }
    const { taskArn } = run;
    ctx.log(`migration task ${taskArn} started; waiting for it to stop (timeout ${Math.round(timeoutMs / 1000)}s)`);
    const stream = migrationLogStream(migration, taskArn);
    let token: string | undefined;
    const drainLogs = async () => {
        try {
            for (;;) {
                const page = await deps.logs.read(migration.logGroupName, stream, token);
                for (const line of page.lines) {
                    logLines.push(line.message);
                    ctx.log(`  migrate | ${line.message}`);
                }
                if (page.nextToken === undefined || page.nextToken === token || page.lines.length === 0) {
                    token = page.nextToken ?? token;
                    return;
                }
                token = page.nextToken;
            }
        } catch (error) {
            // The stream appears only once the container starts; anything else is worth a line, not a failure.
            if (!/ResourceNotFound/.test(`${(error as Error)?.name} ${message(error)}`)) ctx.log(`migration logs: ${message(error)}`);
        }
    };
    try {
        for (;;) {
            // One call per poll: the AWS client has already retried what AWS throttled; an error here ends the wait.
            const task = await deps.ecs.describeTask(migration.clusterName, taskArn);
            await drainLogs();
            if (task?.lastStatus === "STOPPED") {
                const container = task.containers.find((c) => c.name === migration.containerName) ?? task.containers[0];
                const exitCode = container?.exitCode;
                const reason = [task.stopCode, task.stoppedReason, container?.reason].filter(Boolean).join(": ");
                if (exitCode === undefined) return done({ outcome: "could-not-start", taskArn, detail: reason || "stopped without an exit code" });
                if (exitCode !== 0) return done({ outcome: "failed", taskArn, exitCode, detail: `exit ${exitCode}${reason ? ` (${reason})` : ""}` });
                return done({ outcome: "succeeded", taskArn, exitCode });
            }
            if (deps.clock.now() - started >= timeoutMs) {
                return done({
                    outcome: "timed-out",
                    taskArn,
                    detail: `still ${task?.lastStatus ?? "unknown"} after ${Math.round(timeoutMs / 1000)}s; the task was left running (stop it with aws ecs stop-task --cluster ${migration.clusterName} --task ${taskArn})`,
                });
            }
            await deps.clock.sleep(ctx.timing.pollMs, ctx.signal);
        }
    } catch (error) {
        if (isAbort(error, ctx.signal)) return { ...done({ outcome: "failed", taskArn, detail: "interrupted while the migration task ran; it keeps running" }), interrupted: true };
        throw error;
    }
}
