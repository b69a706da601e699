import { expect } from "chai";
import { planRollout } from "../../../automation/plan/deployments";
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

    it("the runtime plan shows per service strategy, test traffic, berth's verdict, bake and who decides (only when a service is not rolling)", () => {
        const bg = planRollout(
            { strategy: "blueGreen", bakeMinutes: 10, pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 30 }], testTraffic: { header: "x-berth-test", value: "1" }, alarmNames: ["a", "b"] },
            "/health",
        );
        expect(bg).to.deep.equal({
            strategy: "blueGreen",
            testTraffic: "until berth's test answers (hook times out after 30 min → ROLLBACK)",
            verdict: "/health 200 on this release's sha via `x-berth-test: 1`",
            bake: "10 min (blue kept, double tasks)",
            decidedBy: "berth's test, 2 alarms during bake, ECS circuit breaker",
        });
        const canary = planRollout(
            { strategy: "canary", bakeMinutes: 0, canary: { percent: 10, bakeMinutes: 5 }, pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 15 }], testTraffic: { header: "x-berth-test", value: "1" }, alarmNames: ["a"] },
            "/health",
        );
        expect(canary.verdict).to.equal("/health 200 on this release's sha via `x-berth-test: 1`; then 10% canary for 5 min, 5xx ≤ 1%");
        expect(canary.decidedBy).to.equal("berth's test, berth's canary check, 1 alarm during bake, ECS circuit breaker");
        expect(canary.bake).to.equal("none");
        const steps = [
            { stage: "POST_TEST_TRAFFIC_SHIFT" as const, timeoutMinutes: 15 },
            { stage: "PRE_PRODUCTION_TRAFFIC_SHIFT" as const, timeoutMinutes: 10 },
        ];
        const pausedCanary = planRollout({ strategy: "canary", bakeMinutes: 0, canary: { percent: 10, bakeMinutes: 5 }, pauseHooks: steps, testTraffic: { header: "x-berth-test", value: "1" }, alarmNames: [] }, "/health");
        expect(pausedCanary.verdict).to.equal("/health 200 on this release's sha via `x-berth-test: 1`; then 10% canary for 5 min, 5xx ≤ 1% judged at the pause before the rest moves");
        const linear = { strategy: "linear" as const, bakeMinutes: 0, linear: { stepPercent: 25, intervalMinutes: 2 }, testTraffic: { header: "x-berth-test", value: "1" }, alarmNames: [] };
        const pausedLinear = planRollout({ ...linear, pauseHooks: steps }, "/health");
        expect([pausedLinear.verdict, pausedLinear.decidedBy]).to.deep.equal([
            "/health 200 on this release's sha via `x-berth-test: 1`; then 25% steps every 2 min, 5xx ≤ 1% judged at the pause before each step",
            "berth's test, berth's canary check, ECS circuit breaker",
        ]);
        // Without a step pause berth does not judge linear steps: ECS's alarms do.
        expect(planRollout({ ...linear, pauseHooks: [steps[0]] }, "/health").decidedBy).to.equal("berth's test, ECS circuit breaker");
        const rolling = planRollout({ strategy: "rolling", bakeMinutes: 0, pauseHooks: [], alarmNames: [] }, "/health");
        expect(rolling).to.deep.equal({ strategy: "rolling", testTraffic: "—", verdict: "— (judged after the rollout by verify)", bake: "—", decidedBy: "ECS circuit breaker" });
        const body = renderPreviewComment({ stack: "prod", summary, release: { levels: [["catalog", "orders"]], migration: false, rollouts: { catalog: rolling, orders: bg } }, fullTextAt: "the job log" });
        expect(body).to.contain(
            [
                "| service | strategy | test traffic | test verdict | bake | decided by |",
                "|---|---|---|---|---|---|",
                "| catalog | rolling | — | — (judged after the rollout by verify) | — | ECS circuit breaker |",
                "| orders | blue/green | until berth's test answers (hook times out after 30 min → ROLLBACK) | /health 200 on this release's sha via `x-berth-test: 1` | 10 min (blue kept, double tasks) | berth's test, 2 alarms during bake, ECS circuit breaker |",
            ].join("\n"),
        );
        const allRolling = renderPreviewComment({ stack: "dev", summary, release: { levels: [["catalog"]], migration: false, rollouts: { catalog: rolling } }, fullTextAt: "the job log" });
        expect(allRolling).to.not.contain("| service | strategy |");
    });

    it("the bake column says whether later services wait for the bake: only a rolling dependent keeps the engine waiting", () => {
        const bg = { strategy: "blueGreen" as const, bakeMinutes: 5, pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT" as const, timeoutMinutes: 30 }], testTraffic: { header: "x-berth-test", value: "1" }, alarmNames: [] };
        expect(planRollout({ ...bg, engineWaits: false }, "/health").bake).to.equal("5 min (blue kept, double tasks; dependents go on once production moved)");
        expect(planRollout({ ...bg, engineWaits: true, rollingDependents: ["worker", "cron"] }, "/health").bake).to.equal("5 min (blue kept, double tasks; the engine waits through it for rolling worker, cron)");
        expect(planRollout({ ...bg, bakeMinutes: 0, engineWaits: false }, "/health").bake).to.equal("none");
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
