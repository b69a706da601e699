import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { SlackError, postSlack } from "../../../automation/adapters/slack";

function webhook(status: number): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (c) => (raw += c));
        req.on("end", () => {
            bodies.push(raw);
            res.writeHead(status, { "content-type": "text/plain" });
            res.end(status === 200 ? "ok" : "invalid_payload");
        });
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => new Promise((r) => server.close(() => r())) })),
    );
}

describe("Slack webhook adapter (loopback)", () => {
    it("posts the message as JSON", async () => {
        const hook = await webhook(200);
        try {
            await postSlack(hook.url, { text: "hello" });
            expect(hook.bodies).to.deep.equal(['{"text":"hello"}']);
        } finally {
            await hook.close();
        }
    });

    it("a refusal or an unreachable webhook is a SlackError saying why", async () => {
        const hook = await webhook(400);
        try {
            let error: unknown;
            await postSlack(hook.url, { text: "x" }).catch((e) => (error = e));
            expect(error).to.be.instanceOf(SlackError);
            expect((error as Error).message).to.equal("Slack refused the message (400): invalid_payload");
        } finally {
            await hook.close();
        }
        let unreachable: unknown;
        await postSlack("http://127.0.0.1:9/hook", { text: "x" }, { timeoutMs: 2000 }).catch((e) => (unreachable = e));
        expect((unreachable as Error).message).to.match(/^Slack webhook unreachable: /);
    });
});
