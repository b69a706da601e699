// What `status` reports (read from ECS and the load balancer by commands/status.ts) and its Markdown table (pure).
import type { ReleaseOutcome } from "../ports";

export interface ServiceStatusReport {
    service: string;
    serviceName: string;
    /** Label (`family:revision`) of the task definition ECS runs, and of the one the stack registered. */
    runningTaskDefinition?: string;
    stackTaskDefinition: string;
    matchesStack: boolean;
    counts: { desired: number; running: number; pending: number };
    deployments: { status: string; rolloutState?: string; taskDefinition: string; running: number; desired: number; failedTasks: number }[];
    targets?: { healthy: number; total: number; states: Record<string, number> };
    releasedDigest?: string;
}

export interface StatusReport {
    stack: string;
    cluster: string;
    released?: { releaseId: string; sha: string; releasedAt: string; promotedFrom?: { stack: string; releaseId: string; sha: string } };
    /** The newest entry of the outcome history: how the last run that changed something ended, whatever its state. */
    lastRun?: ReleaseOutcome;
    /** Why the outcome history could not be read. */
    outcomesProblem?: string;
    services: ServiceStatusReport[];
}

/** `last run: deploy 20260314-… ended ROLLED_BACK at …` — said when it is not the released set's own release. */
function lastRunLine(status: StatusReport): string | undefined {
    if (status.outcomesProblem) return `last run: unknown (${status.outcomesProblem})`;
    const run = status.lastRun;
    if (!run || (run.state === "RELEASED" && run.releaseId === status.released?.releaseId)) return undefined;
    return `last run: ${run.command} ${run.releaseId} ended ${run.state} at ${run.finishedAt}${run.summary ? ` — ${run.summary}` : ""}`;
}

/** What runs now, as a Markdown table (one row per service). */
export function renderStatus(status: StatusReport): string {
    const from = status.released?.promotedFrom;
    const promoted = from ? `, promoted from stack \`${from.stack}\` release ${from.releaseId}` : "";
    const released = status.released ? `release ${status.released.releaseId} (sha ${status.released.sha.slice(0, 12)}, ${status.released.releasedAt})${promoted}` : "no release recorded";
    const last = lastRunLine(status);
    const lines = [`### berth status — stack \`${status.stack}\``, "", `cluster \`${status.cluster}\` · ${released}`, ...(last ? ["", last] : []), ""];
    lines.push("| service | task definition | tasks (running/desired, pending) | deployments | targets healthy | released image |", "|---|---|---|---|---|---|");
    for (const s of status.services) {
        const td = s.matchesStack ? (s.runningTaskDefinition ?? s.stackTaskDefinition) : `${s.runningTaskDefinition ?? "none"} (stack: ${s.stackTaskDefinition})`;
        const deployments = s.deployments.map((d) => `${d.status}${d.rolloutState ? ` ${d.rolloutState}` : ""} ${d.running}/${d.desired}${d.failedTasks ? `, ${d.failedTasks} failed` : ""}`).join("; ");
        const targets = s.targets ? `${s.targets.healthy}/${s.targets.total}` : "—";
        const image = s.releasedDigest ? s.releasedDigest.replace(/^sha256:/, "").slice(0, 12) : "—";
        lines.push(`| ${s.service} | ${td} | ${s.counts.running}/${s.counts.desired}, ${s.counts.pending} | ${deployments || "—"} | ${targets} | ${image} |`);
    }
    return `${lines.join("\n")}\n`;
}
