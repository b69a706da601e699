// Posts a message to a Slack incoming webhook. Thin: one POST with a timeout; a refusal is an error.
export class SlackError extends Error {}

export async function postSlack(webhookUrl: string, payload: { text: string }, options: { timeoutMs?: number } = {}): Promise<void> {
    let response: Response;
    try {
        response = await fetch(webhookUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(payload),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
    } catch (e) {
        throw new SlackError(`Slack webhook unreachable: ${(e as Error).message}`);
    }
    if (!response.ok) throw new SlackError(`Slack refused the message (${response.status}): ${(await response.text()).slice(0, 200)}`);
}
