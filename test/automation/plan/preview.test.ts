import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent } from "../../../automation/ports";
import { commentMarker, renderPreviewComment, summarizePreview } from "../../../automation/plan/preview";

function fixture(name: string): EngineEvent[] {
    const text = fs.readFileSync(path.join(__dirname, "../../fixtures/preview", name), "utf8");
    return text.trim().split("\n").map((line) => JSON.parse(line));
}

describe("preview rendering over a recorded engine event stream", () => {
    const summary = summarizePreview(fixture("dev-replace-db.jsonl"));

    it("counts changes from the engine's summary event", () => {
        expect(summary.counts).to.deep.equal({ create: 1, update: 2, replace: 1, delete: 1, same: 8 });
    });

    it("groups changed resources by berth component and keeps unchanged ones out", () => {
        expect(summary.changes.map((c) => [c.component, c.name, c.op])).to.deep.equal([
            ["database", "database-instance", "replace"],
            ["edge", "edge-orders-rule-1", "create"],
            ["registry", "registry-legacy", "delete"],
            ["svc-orders", "svc-orders-service", "update"],
            ["svc-orders", "svc-orders-task-definition", "update"],
        ]);
    });

    it("flags stateful resources that would be replaced or deleted, with the property forcing it", () => {
        expect(summary.dangerous.map((d) => [d.name, d.op, d.replaceReasons])).to.deep.equal([
            ["database-instance", "replace", ["dbName"]],
            ["registry-legacy", "delete", []],
        ]);
    });

    it("renders the marker, the warning first, the counts, the release plan and collapsed diffs", () => {
        const body = renderPreviewComment({ stack: "dev", summary, release: { levels: [["orders"]], migration: true }, fullTextAt: "the job log" });
        const lines = body.split("\n");
        expect(lines.slice(0, 8)).to.deep.equal([
            "<!-- berth-preview stack=dev -->",
            "### berth preview — stack `dev`",
            "",
            "> [!CAUTION]",
            "> 2 stateful resource(s) would be replaced or deleted — their data would be lost:",
            "> - **replace** `database-instance` (aws:rds/instance:Instance) because of dbName",
            "> - **delete** `registry-legacy` (aws:ecr/repository:Repository)",
            "",
        ]);
        expect(body).to.contain("| 1 | 2 | 1 | 1 | 8 |");
        expect(body).to.contain("**Release from this commit**\n\n1. orders\n\nMigration: would run before the rollout");
        expect(body).to.contain("- <details><summary>~ update <code>svc-orders-task-definition</code> (aws:ecs/taskDefinition:TaskDefinition)</summary>changed: <code>containerDefinitions</code><br>replaced because of: <code>containerDefinitions</code></details>");
        expect(body).to.not.contain("storage-uploads");
    });

    it("an empty preview says so", () => {
        const body = renderPreviewComment({ stack: "prod", summary: summarizePreview([]), fullTextAt: "the job log" });
        expect(body).to.contain("No infrastructure changes.");
        expect(body.startsWith(commentMarker("prod"))).to.equal(true);
    });

    it("trims to the comment limit, saying how much was cut and where the full text is", () => {
        const many: EngineEvent[] = [];
        for (let i = 0; i < 400; i++) {
            const comp = `svc-s${i}`;
            many.push({ sequence: 2 * i, timestamp: 0, resourcePreEvent: { metadata: { op: "same", urn: `urn:pulumi:dev::berth::berth:service:Service::${comp}`, type: "berth:service:Service" } } });
            many.push({
                sequence: 2 * i + 1,
                timestamp: 0,
                resourcePreEvent: { metadata: { op: "update", urn: `urn:pulumi:dev::berth::berth:service:Service$aws:ecs/service:Service::${comp}-service`, type: "aws:ecs/service:Service", diffs: ["taskDefinition", "desiredCount"] } },
            });
        }
        const body = renderPreviewComment({ stack: "dev", summary: summarizePreview(many), fullTextAt: "the artifact preview-dev.md", limit: 20_000 });
        expect(body.length).to.be.at.most(20_000);
        expect(body).to.match(/_Trimmed to GitHub's comment limit: \d+ of 400 component section\(s\) left out\. The full preview is in the artifact preview-dev\.md\._$/);
        expect(body).to.contain("| 0 | 400 | 0 | 0 | 400 |");
    });
});
