// After `deploy` and `rollback`: tell Slack the outcome when SLACK_WEBHOOK_URL is set. A failed post only warns:
// the release result already stands and its exit code does not change.
import { runUrl, slackMessage } from "../plan/notify";
import type { ReleaseRecord } from "../plan/report";

export interface NotifyDeps {
    env: NodeJS.ProcessEnv;
    stderr(text: string): void;
    postSlack(webhookUrl: string, payload: { text: string }): Promise<void>;
}

export async function notifySlack(record: ReleaseRecord, deps: NotifyDeps): Promise<void> {
    const webhook = deps.env.SLACK_WEBHOOK_URL;
    if (!webhook) return;
    try {
        await deps.postSlack(webhook, slackMessage(record, runUrl(deps.env)));
    } catch (e) {
        deps.stderr(`warning: ${(e as Error).message}; the release result above stands\n`);
    }
}
