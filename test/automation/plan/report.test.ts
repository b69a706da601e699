import { expect } from "chai";
import { EXIT_BAD_INPUT, exitCodeFor, ReleaseRecord, ReleaseState, renderJson, renderMarkdown } from "../../../automation/plan/report";
import { digest, SHA } from "./fixtures";

const record = (o: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
    version: 1,
    id: "20260314-091502-1a2b3c4",
    sha: SHA,
    stack: "dev",
    startedAt: "2026-03-14T09:15:02.000Z",
    finishedAt: "2026-03-14T09:19:10.000Z",
    state: "RELEASED",
    stages: [
        { name: "build", outcome: "ok", durationMs: 61_000 },
        { name: "rollout", outcome: "ok", durationMs: 102_000 },
    ],
    services: [
        { name: "api", changed: true, reason: "context changed", action: "build", digest: digest("d"), previousDigest: digest("b"), taskDefinitionRevision: "berth-dev-api:7", rolloutMs: 102_000, verification: { service: "api", ok: true, checks: [] } },
        { name: "worker", changed: false, reason: "unchanged", action: "none", digest: digest("c") },
    ],
    migration: { outcome: "succeeded", exitCode: 0, durationMs: 20_000 },
    pulumiUpdates: { rollout: "42" },
    imagesNow: { api: digest("d"), worker: digest("c") },
    ...o,
});

describe("plan/report", () => {
    const codes: [ReleaseState, number][] = [["RELEASED", 0], ["NOTHING_TO_DO", 0], ["ROLLED_BACK", 1], ["FAILED_BEFORE_CHANGE", 1], ["NEEDS_ATTENTION", 2], ["INTERRUPTED", 2]];
    for (const [state, code] of codes) it(`exit code of ${state} is ${code}`, () => expect(exitCodeFor(state)).to.equal(code));
    it("bad input exits 3", () => expect(EXIT_BAD_INPUT).to.equal(3));

    it("renders a released record as a compact table, what runs now and the next command", () => {
        expect(renderMarkdown(record())).to.equal(
            [
                "### berth release 20260314-091502-1a2b3c4 — RELEASED (exit 0)",
                "",
                "stack `dev` · sha `1a2b3c4d5e6f` · 2026-03-14T09:15:02.000Z → 2026-03-14T09:19:10.000Z",
                "",
                "| service | change | image | task definition | rollout | verify |",
                "|---|---|---|---|---|---|",
                "| api | context changed, build | dddddddddddd | berth-dev-api:7 | 1m42s | ok |",
                "",
                "Unchanged: worker.",
                "",
                "Migration: succeeded (exit 0)",
                "Stages: build ok 1m1s · rollout ok 1m42s",
                "",
                "```mermaid",
                "gantt",
                "    title release 20260314-091502-1a2b3c4 on dev: RELEASED (times in UTC)",
                "    dateFormat YYYY-MM-DDTHH:mm:ss",
                "    axisFormat %H:%M:%S",
                "    todayMarker off",
                "    section build",
                "    build and push :done, build0, 2026-03-14T09:15:02, 2026-03-14T09:16:03",
                "    section rollout",
                "    rollout update :done, rollout1, 2026-03-14T09:16:03, 2026-03-14T09:17:45",
                "```",
                "",
                "What runs now:",
                "- api dddddddddddd",
                "- worker cccccccccccc",
                "",
                "Next: `npm run status -- --stack dev`",
                "",
            ].join("\n"),
        );
    });

    it("F13: a rolled-back record shows the failed check and the restored image", () => {
        const md = renderMarkdown(
            record({
                state: "ROLLED_BACK",
                summary: "api failed verification — ECS rolled back; previous images restored",
                services: [
                    {
                        name: "api", changed: true, reason: "context changed", action: "build", digest: digest("d"), previousDigest: digest("b"), rollback: "restored",
                        verification: { service: "api", ok: false, checks: [{ name: "smoke", ok: false, detail: "http://alb/api/ 503" }] },
                    },
                ],
                imagesNow: { api: digest("b") },
            }),
        );
        expect(md).to.contain("### berth release 20260314-091502-1a2b3c4 — ROLLED_BACK (exit 1)");
        expect(md).to.contain("| api | context changed, build | dddddddddddd → bbbbbbbbbbbb | — | — | smoke: http://alb/api/ 503 |");
        expect(md).to.contain("Next: `fix the failure above, then npm run deploy -- --stack dev`");
    });

    it("F13: after ROLLED_BACK the row keeps this release's revision beside its failed check; the restored revision goes with the restored image", () => {
        const md = renderMarkdown(
            record({
                state: "ROLLED_BACK",
                services: [
                    {
                        name: "api", changed: true, reason: "context changed", action: "build", digest: digest("d"), previousDigest: digest("b"), rollback: "restored",
                        taskDefinitionRevision: "berth-dev-api:7", restoredRevision: "berth-dev-api:8", rolloutMs: 400,
                        verification: { service: "api", ok: false, checks: [{ name: "smoke", ok: false, detail: "503" }] },
                    },
                ],
                stages: [{ name: "rollback", outcome: "ok", durationMs: 300 }],
            }),
        );
        expect(md).to.contain("| api | context changed, build | dddddddddddd → bbbbbbbbbbbb (berth-dev-api:8) | berth-dev-api:7 | <1s | smoke: 503 |");
        expect(md).to.contain("Stages: rollback ok <1s");
    });

    it("a service an update changed without this release rolling it is a row saying which update, not Unchanged", () => {
        const md = renderMarkdown(
            record({
                services: [
                    { name: "api", changed: false, reason: "unchanged", action: "none", digest: digest("d"), changedBy: "the rollback update (re-deployed with the same image)", taskDefinitionRevision: "berth-dev-api:9" },
                    { name: "worker", changed: false, reason: "unchanged", action: "none", digest: digest("c") },
                ],
            }),
        );
        expect(md).to.contain("| api | changed by the rollback update (re-deployed with the same image) | dddddddddddd | berth-dev-api:9 | — | — |");
        expect(md).to.contain("Unchanged: worker.");
    });

    it("nothing to do says so in one line", () => {
        expect(renderMarkdown(record({ state: "NOTHING_TO_DO" }))).to.contain("No service changed: 0 builds, 0 rollouts.");
    });

    it("renders JSON under its schema id, with the exit code", () => {
        const parsed = JSON.parse(renderJson(record({ state: "NEEDS_ATTENTION" })));
        expect(parsed.schema).to.equal("berth.deploy/v1");
        expect(JSON.parse(renderJson(record(), "rollback")).schema).to.equal("berth.rollback/v1");
        expect(parsed.exitCode).to.equal(2);
        expect(parsed.pulumiUpdates).to.deep.equal({ rollout: "42" });
        expect(parsed.services[0].taskDefinitionRevision).to.equal("berth-dev-api:7");
    });

    it("strict writing: a record field the schema does not declare is a bug caught before anything is printed", () => {
        const bad = { ...record(), strategy: "blue-green" } as ReleaseRecord;
        expect(() => renderJson(bad)).to.throw("berth.deploy/v1: strategy not in the schema");
        const badService = record({ services: [{ name: "api", changed: true, reason: "context changed", action: "build", colour: "green" } as ReleaseRecord["services"][number]] });
        expect(() => renderJson(badService)).to.throw("berth.deploy/v1: services[0].colour not in the schema");
        expect(() => renderJson(record({ state: "DONE" as ReleaseRecord["state"] }))).to.throw('berth.deploy/v1: state: Invalid option: expected one of "RELEASED"|"NOTHING_TO_DO"|"ROLLED_BACK"|"FAILED_BEFORE_CHANGE"|"NEEDS_ATTENTION"|"INTERRUPTED"');
    });
});
