import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { driftLine, hasDrift, renderDriftMarkdown, summarizeDrift } from "../../../automation/plan/drift";
import type { EngineEvent } from "../../../automation/ports";

const FIXTURE = path.resolve(__dirname, "../../fixtures/drift/dev-refresh.jsonl");
const events = (): EngineEvent[] =>
    fs
        .readFileSync(FIXTURE, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as EngineEvent);
const AT = "2026-12-02T07:00:00.000Z";
const P = "urn:pulumi:dev::berth::";

describe("drift report (refresh preview events, pure)", () => {
    it("lists what changed outside berth by component: a task definition edited by hand, a security group opened in the console, a rule deleted", () => {
        const report = summarizeDrift("dev", events(), AT);
        expect(report.counts).to.deep.equal({ changed: 2, deleted: 1, unchanged: 1 });
        expect(report.resources.map((r) => [r.component, r.name, r.kind, r.properties.join(",")])).to.deep.equal([
            ["edge", "edge-orders-rule-1", "deleted", ""],
            // no diffs in the event: the state's outputs are compared with the cloud's
            ["network", "network-app-sg", "changed", "ingress"],
            // the engine's detailed diff names the properties
            ["svc-orders", "svc-orders-task-definition", "changed", "containerDefinitions,cpu"],
        ]);
        expect(hasDrift(report)).to.equal(true);
    });

    it("renders the grouped Markdown with its marker and what to do", () => {
        const text = renderDriftMarkdown(summarizeDrift("dev", events(), AT));
        expect(text).to.equal(
            [
                "<!-- berth-drift stack=dev -->",
                "### berth drift — stack `dev`",
                "",
                "2 changed and 1 deleted outside berth; 1 unchanged (checked 2026-12-02T07:00:00.000Z).",
                "",
                "#### edge (1)",
                "- - deleted outside berth `edge-orders-rule-1` (aws:lb/listenerRule:ListenerRule)",
                "",
                "#### network (1)",
                "- ~ changed outside berth `network-app-sg` (aws:ec2/securityGroup:SecurityGroup): `ingress`",
                "",
                "#### svc-orders (1)",
                "- ~ changed outside berth `svc-orders-task-definition` (aws:ecs/taskDefinition:TaskDefinition): `containerDefinitions`, `cpu`",
                "",
                "To undo the changes: `pulumi up --refresh --stack dev` puts back what the program declares. To keep one, declare it in `Pulumi.dev.yaml` and release.",
                "",
            ].join("\n"),
        );
        expect(driftLine(summarizeDrift("dev", events(), AT))).to.equal("drift on stack dev: 2 changed, 1 deleted outside berth");
    });

    it("no drift: every result `same` (providers and components never count)", () => {
        const same = events().map((e) => (e.resOutputsEvent ? { ...e, resOutputsEvent: { metadata: { ...e.resOutputsEvent.metadata, op: "same" } } } : e));
        const report = summarizeDrift("dev", same, AT);
        expect(hasDrift(report)).to.equal(false);
        expect(report.counts).to.deep.equal({ changed: 0, deleted: 0, unchanged: 4 });
        expect(renderDriftMarkdown(report)).to.equal("<!-- berth-drift stack=dev -->\n### berth drift — stack `dev`\n\nNo drift: the 4 resources berth manages match the cloud (checked 2026-12-02T07:00:00.000Z).\n");
        expect(driftLine(report)).to.equal("no drift on stack dev (4 resources checked)");
    });

    it("an engine reporting the result op as `refresh` is judged by its outputs; nested property paths count once by their top-level name", () => {
        const meta = (op: string, outputsBefore: Record<string, unknown>, outputsAfter?: Record<string, unknown>, diffs?: string[]) => ({
            sequence: 1,
            timestamp: 1,
            resOutputsEvent: {
                metadata: {
                    op,
                    urn: `${P}aws:s3/bucket:Bucket::uploads`,
                    type: "aws:s3/bucket:Bucket",
                    old: { outputs: outputsBefore },
                    ...(outputsAfter ? { new: { outputs: outputsAfter } } : {}),
                    ...(diffs ? { diffs } : {}),
                },
            },
        });
        expect(summarizeDrift("dev", [meta("refresh", { a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })], AT).resources).to.deep.equal([]);
        expect(summarizeDrift("dev", [meta("refresh", { a: 1 }, { a: 2 })], AT).resources.map((r) => [r.kind, r.properties, r.stateful, r.component])).to.deep.equal([["changed", ["a"], true, "(stack)"]]);
        expect(summarizeDrift("dev", [meta("refresh", { a: 1 })], AT).resources.map((r) => r.kind)).to.deep.equal(["deleted"]);
        expect(summarizeDrift("dev", [meta("update", {}, {}, ["tags.Owner", "tags.Team", "rules[0].cidr"])], AT).resources[0].properties).to.deep.equal(["rules", "tags"]);
    });
});
