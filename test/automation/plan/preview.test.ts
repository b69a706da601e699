import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent } from "../../../automation/ports";
import { commentMarker, releaseFlowchart, renderPreviewComment, summarizePreview, type ReleasePreview } from "../../../automation/plan/preview";
import { parseMermaid } from "../../helpers/mermaid";

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

describe("preview: the dependency levels as a Mermaid flowchart", function () {
    this.timeout(30_000);
    const release: ReleasePreview = {
        levels: [["payments"], ["orders"]],
        migration: true,
        graph: {
            levels: [["config-server"], ["payments", "search"], ["orders"]],
            waitsFor: { "config-server": [], payments: ["config-server"], search: ["config-server"], orders: ["payments"] },
            migrationService: "payments",
        },
    };
    const CHART = [
        "flowchart LR",
        '    migration[["migration (payments image)"]]',
        '    subgraph L1["level 1"]',
        '        s0["config-server"]',
        "    end",
        '    subgraph L2["level 2"]',
        '        s1["payments"]',
        '        s2["search"]',
        "    end",
        '    subgraph L3["level 3"]',
        '        s3["orders"]',
        "    end",
        "    migration --> L1",
        "    s0 --> s1",
        "    s0 --> s2",
        "    s1 --> s3",
        "    classDef rolls fill:#fff3bf,stroke:#f08c00,stroke-width:2px",
        "    classDef migrates fill:#e7f5ff,stroke:#1c7ed6,stroke-width:2px",
        "    class migration migrates",
        "    class s1,s3 rolls",
    ].join("\n");

    it("draws every level, the edges, the migration first, and marks the services that would roll", () => {
        expect(releaseFlowchart(release)).to.equal(CHART);
    });

    it("the comment carries it in a mermaid fence under the release plan", () => {
        const body = renderPreviewComment({ stack: "dev", summary: summarizePreview([]), release, fullTextAt: "" });
        expect(body).to.contain(`Migration: would run before the rollout\n\n\`\`\`mermaid\n${CHART}\n\`\`\`\n`);
    });

    it("without a migration to run, no migration node; without the graph (an older caller), no chart", () => {
        const chart = releaseFlowchart({ ...release, migration: false })!;
        expect(chart).to.not.contain("migration");
        expect(releaseFlowchart({ levels: [["a"]], migration: false })).to.equal(undefined);
    });

    it("mermaid parses it, also with names that are flowchart keywords (end, graph, subgraph) and quotes", async () => {
        expect(await parseMermaid(CHART)).to.equal("flowchart-v2");
        const hostile = releaseFlowchart({
            levels: [["end"]],
            migration: true,
            graph: { levels: [["end", "graph"], ["subgraph", 'say "hi"']], waitsFor: { subgraph: ["end"], 'say "hi"': ["graph"] }, migrationService: "end" },
        })!;
        expect(hostile).to.contain('s3["say #quot;hi#quot;"]');
        expect(await parseMermaid(hostile)).to.equal("flowchart-v2");
    });
});
