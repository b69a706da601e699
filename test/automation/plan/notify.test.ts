import { expect } from "chai";
import { runUrl, slackMessage } from "../../../automation/plan/notify";
import type { ReleaseRecord } from "../../../automation/plan/report";
import { releaseRecord } from "../../helpers/releaseRecord";

function record(state: ReleaseRecord["state"], services: ReleaseRecord["services"] = [], summary?: string): ReleaseRecord {
    return releaseRecord(state, { services, ...(summary ? { summary } : {}) });
}

describe("Slack message for a finished release", () => {
    it("names the outcome, each changed service with its digest and revision, the next command and the run", () => {
        const r = record("RELEASED", [
            { name: "orders", changed: true, reason: "context changed", action: "build", digest: `sha256:${"ab".repeat(32)}`, taskDefinitionRevision: "berth-dev-orders:7" },
            { name: "api", changed: false, reason: "unchanged", action: "none" },
        ]);
        expect(slackMessage(r, "https://github.example/acme/shop/actions/runs/42").text).to.equal(
            [
                ":white_check_mark: berth *dev*: RELEASED — release `20260314-091502-1a2b3c4` (1a2b3c4)",
                "• orders → abababababab (berth-dev-orders:7)",
                "Next: `npm run status -- --stack dev`",
                "<https://github.example/acme/shop/actions/runs/42|CI run>",
            ].join("\n"),
        );
    });

    it("F13: a rollback says what failed and which services were restored", () => {
        const r = record("ROLLED_BACK", [{ name: "orders", changed: true, reason: "context changed", action: "build", digest: `sha256:${"cd".repeat(32)}`, rollback: "restored" }], "orders: targets unhealthy");
        const lines = slackMessage(r).text.split("\n");
        expect(lines.slice(0, 3)).to.deep.equal([":leftwards_arrow_with_hook: berth *dev*: ROLLED_BACK — release `20260314-091502-1a2b3c4` (1a2b3c4)", "orders: targets unhealthy", "• orders → cdcdcdcdcdcd, rollback restored"]);
    });

    it("links the GitHub Actions run only when the runner says which", () => {
        expect(runUrl({ GITHUB_SERVER_URL: "https://github.example", GITHUB_REPOSITORY: "acme/shop", GITHUB_RUN_ID: "42" })).to.equal("https://github.example/acme/shop/actions/runs/42");
        expect(runUrl({})).to.equal(undefined);
    });
});
