// The Slack message for a finished release or rollback: one line of outcome, one per changed service,
// the next command and a link to the CI run. Pure.
import type { ReleaseRecord, ReleaseState } from "./report";
import { nextCommand } from "./report";

const ICON: Record<ReleaseState, string> = {
    RELEASED: ":white_check_mark:",
    NOTHING_TO_DO: ":white_check_mark:",
    ROLLED_BACK: ":leftwards_arrow_with_hook:",
    FAILED_BEFORE_CHANGE: ":x:",
    NEEDS_ATTENTION: ":rotating_light:",
    INTERRUPTED: ":double_vertical_bar:",
};

/** The GitHub Actions run this process belongs to, from the runner's environment. */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
    return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

export function slackMessage(record: ReleaseRecord, link?: string): { text: string } {
    const lines = [`${ICON[record.state]} berth *${record.stack}*: ${record.state} — release \`${record.id}\` (${record.sha.slice(0, 7)})`];
    if (record.summary) lines.push(record.summary);
    for (const s of record.services.filter((x) => x.changed)) {
        const digest = s.digest ? s.digest.replace(/^sha256:/, "").slice(0, 12) : "—";
        lines.push(`• ${s.name} → ${digest}${s.taskDefinitionRevision ? ` (${s.taskDefinitionRevision})` : ""}${s.rollback ? `, rollback ${s.rollback}` : ""}`);
    }
    lines.push(`Next: \`${nextCommand(record)}\``);
    if (link) lines.push(`<${link}|CI run>`);
    return { text: lines.join("\n") };
}
