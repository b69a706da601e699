// The release report's per-service deployment table and its header lines (automation/plan/report.ts), by exact
// text: strategy, time in test traffic, berth's verdict (test, canary, a hook left waiting), bake, status and who
// decided; the promotion line; the next command per state.
import { expect } from "chai";
import { deploymentLines, nextCommand, renderMarkdown, type ServiceRecord } from "../../../automation/plan/report";
import { releaseRecord } from "../../helpers/releaseRecord";

const AT = "2026-03-14T09:17:00.000Z";
const service = (name: string, rollout: ServiceRecord["rollout"], o: Partial<ServiceRecord> = {}): ServiceRecord => ({ name, changed: true, reason: "context changed", action: "build", rollout, ...o });

describe("plan/report deployment table", () => {
    it("one row per traffic-shifting or watched service, with every cell", () => {
        const lines = deploymentLines([
            service("api", {
                strategy: "blueGreen",
                bakeMinutes: 5,
                deploymentArn: "arn:d/1",
                status: "SUCCESSFUL",
                decidedBy: "ecs",
                test: { stage: "POST_TEST_TRAFFIC_SHIFT", action: "CONTINUE", ok: true, detail: "200, version abc", at: AT },
                testTrafficMs: 42_000,
                bakeMs: 300_000,
            }),
            service("cart", {
                strategy: "canary",
                bakeMinutes: 10,
                deploymentArn: "arn:d/2",
                status: "ROLLBACK_SUCCESSFUL",
                decidedBy: "berth-canary",
                test: { stage: "POST_TEST_TRAFFIC_SHIFT", action: "CONTINUE", ok: true, detail: "200", at: AT },
                canary: { stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", action: "ROLLBACK", ok: false, detail: "5xx 3.1% | of 400", at: AT },
                testTrafficMs: 500,
                bakeMs: 61_000,
                stoppedInBake: true,
            }),
            service("search", {
                strategy: "linear",
                bakeMinutes: 0,
                decision: "the PAUSE hook timed out | rolled back",
                decidedBy: "hook-timeout",
                leftWaiting: { hookId: "h1", expiresAt: "2026-03-14T10:00:00Z", timeoutAction: "ROLLBACK" },
            }),
            service("mail", { strategy: "blueGreen", bakeMinutes: 3, deploymentArn: "arn:d/4", leftWaiting: { hookId: "h2", timeoutAction: "ROLLBACK" } }),
            service("worker", { strategy: "rolling", bakeMinutes: 0, deploymentArn: "arn:d/3", status: "SUCCESSFUL", decidedBy: "alarm" }),
            service("batch", { strategy: "rolling", bakeMinutes: 0 }),
            service("old", undefined),
        ]);
        expect(lines).to.deep.equal([
            "",
            "| service | strategy | test traffic | test verdict | bake | deployment | decided by |",
            "|---|---|---|---|---|---|---|",
            "| api | blue/green | 42s | passed → CONTINUE | 5 min (baked 5m0s) | SUCCESSFUL | ECS |",
            "| cart | canary | <1s | passed → CONTINUE; failed → ROLLBACK (5xx 3.1% \\| of 400) | 10 min (baked 1m1s, stopped) | ROLLBACK_SUCCESSFUL | berth's canary check |",
            "| search | linear | — | not answered (interrupted): ROLLBACK at 2026-03-14T10:00:00Z | — | not seen | the PAUSE hook timed out \\| rolled back |",
            "| mail | blue/green | — | not answered (interrupted): ROLLBACK at timeout | 3 min | not seen | — |",
            "| worker | rolling | — | — | — | SUCCESSFUL | an alarm |",
        ]);
    });

    it("no table when no service shifted traffic or was watched", () => {
        expect(deploymentLines([service("batch", { strategy: "rolling", bakeMinutes: 0 }), service("old", undefined)])).to.deep.equal([]);
    });

    it("the Markdown report carries the table, the promotion's source, the unchanged services and the migration's exit", () => {
        const md = renderMarkdown(
            releaseRecord("RELEASED", {
                promotedFrom: { stack: "staging", releaseId: "20260313-080000-1a2b3c4", sha: "1a2b3c4d5e6f708192a3" },
                services: [
                    service("api", { strategy: "blueGreen", bakeMinutes: 5, deploymentArn: "arn:d/1", status: "SUCCESSFUL" }, { reason: "promoted", action: "copy" }),
                    { name: "worker", changed: false, reason: "unchanged", action: "none" },
                ],
                migration: { outcome: "failed", exitCode: 3, detail: "relation exists" },
                stages: [{ name: "build", outcome: "ok", durationMs: 999 }],
            }),
        );
        const lines = md.split("\n");
        expect(lines[3]).to.equal("promoted from stack `staging` release 20260313-080000-1a2b3c4 (sha `1a2b3c4d5e6f`): no build, the same digests");
        expect(lines).to.include("| api | blue/green | — | — | 5 min | SUCCESSFUL | — |");
        expect(lines).to.include("Unchanged: worker.");
        expect(lines).to.include("Migration: failed (exit 3) — relation exists");
        expect(lines).to.include("Stages: build ok <1s");
        expect(renderMarkdown(releaseRecord("RELEASED", { services: [service("api", undefined)] }))).to.not.include("Unchanged:");
        expect(renderMarkdown(releaseRecord("RELEASED"))).to.include("\nMigration: not-needed\n");
    });
});

describe("plan/report next command", () => {
    const cases: [Parameters<typeof releaseRecord>[0], string][] = [
        ["RELEASED", "npm run status -- --stack dev"],
        ["NOTHING_TO_DO", "npm run status -- --stack dev"],
        ["ROLLED_BACK", "fix the failure above, then npm run deploy -- --stack dev"],
        ["FAILED_BEFORE_CHANGE", "fix the failure above, then npm run deploy -- --stack dev"],
        ["NEEDS_ATTENTION", "npm run status -- --stack dev, then npm run rollback -- --stack dev (or --to <release id>)"],
        ["INTERRUPTED", "pulumi refresh --stack dev --yes, then npm run status -- --stack dev"],
    ];
    for (const [state, command] of cases) {
        it(`${state}: ${command}`, () => {
            expect(nextCommand(releaseRecord(state))).to.equal(command);
        });
    }
});
