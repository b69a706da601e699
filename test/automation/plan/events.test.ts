import { expect } from "chai";
import { formatDuration, formatEvent, ProgressTracker, resourceOf } from "../../../automation/plan/events";
import type { EngineEvent } from "../../../automation/ports";
import { exampleStack, ofType } from "../../helpers/synth";

const SVC = (n: string) => `urn:pulumi:dev::berth::berth:service:Service$aws:ecs/service:Service::svc-${n}-service`;
const TDEF = (n: string) => `urn:pulumi:dev::berth::berth:service:Service$aws:ecs/taskDefinition:TaskDefinition::svc-${n}-task-definition`;
const meta = (urn: string, op: string) => ({ op, urn, type: urn.split("::")[2].split("$").pop()! });
let sequence = 0;
const pre = (urn: string, op: string, t: number): EngineEvent => ({ sequence: sequence++, timestamp: t, resourcePreEvent: { metadata: meta(urn, op) } });
const out = (urn: string, op: string, t: number): EngineEvent => ({ sequence: sequence++, timestamp: t, resOutputsEvent: { metadata: meta(urn, op) } });
const fail = (urn: string, op: string, t: number): EngineEvent => ({ sequence: sequence++, timestamp: t, resOpFailedEvent: { metadata: meta(urn, op), status: 1, steps: 0 } });

describe("plan/events", () => {
    const refs: [string, ReturnType<typeof resourceOf>][] = [
        [SVC("api-gateway"), { kind: "service", name: "api-gateway" }],
        [TDEF("orders"), { kind: "task definition", name: "orders" }],
        ["urn:pulumi:dev::berth::berth:migration:Migration$aws:ecs/taskDefinition:TaskDefinition::migration-task-definition", { kind: "task definition", name: "migration" }],
        ["urn:pulumi:dev::berth::berth:service:Service$aws:cloudwatch/logGroup:LogGroup::svc-api-logs", undefined],
    ];
    it("maps the URNs the program really registers (12-service example under the mock engine) to every catalogue service and the migration", async () => {
        const synthesis = await exampleStack("dev");
        const catalogue = Object.keys((synthesis.outputs as { services: Record<string, unknown> }).services).sort();
        const urnsOf = (type: string) => ofType(synthesis, type).map((r) => r.urn);
        const services = urnsOf("aws:ecs/service:Service").map(resourceOf);
        const taskDefinitions = urnsOf("aws:ecs/taskDefinition:TaskDefinition").map(resourceOf);
        expect(services.map((r) => r?.kind)).to.deep.equal(catalogue.map(() => "service"));
        expect(services.map((r) => r?.name).sort()).to.deep.equal(catalogue);
        expect(taskDefinitions.map((r) => r?.name).sort()).to.deep.equal([...catalogue, "migration"].sort());
        // nothing else the program registers is taken for a service
        const others = synthesis.resources.filter((r) => !["aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition"].includes(r.type));
        expect(others.map((r) => resourceOf(r.urn)).filter(Boolean)).to.deep.equal([]);
    });
    for (const [urn, ref] of refs) it(`maps ${urn.split("::").pop()} to ${ref ? ref.name : "nothing"}`, () => expect(resourceOf(urn)).to.deep.equal(ref));

    const lines: [string, EngineEvent, number | undefined, string | undefined][] = [
        ["updating", pre(SVC("api-gateway"), "update", 100), undefined, "Updating service → api-gateway…"],
        ["F11: updated with elapsed time", out(SVC("api-gateway"), "update", 202), 100, "Updated service → api-gateway (1m42s)"],
        ["no changes is a success line", out(SVC("api"), "same", 5), undefined, "No changes to service → api"],
        ["a same step is not announced", pre(SVC("api"), "same", 5), undefined, undefined],
        ["replaced task definition", out(TDEF("orders"), "replace", 12), 10, "Replaced task definition → orders (2s)"],
        ["F13: failed update", fail(SVC("orders"), "update", 400), 100, "Failed to update service → orders (5m0s)"],
        ["other resources are silent", out("urn:pulumi:dev::berth::aws:s3/bucket:Bucket::uploads", "update", 1), undefined, undefined],
        [
            "summary",
            { sequence: 9, timestamp: 9, summaryEvent: { maybeCorrupt: false, durationSeconds: 185, resourceChanges: { update: 4, same: 60, create: 0 } } },
            undefined,
            "Update finished in 3m5s: 4 update, 60 same",
        ],
        ["error diagnostic", { sequence: 1, timestamp: 1, diagnosticEvent: { urn: SVC("api"), message: "ServiceNotStable\n", severity: "error" } }, undefined, "Error on service → api: ServiceNotStable"],
    ];
    for (const [title, event, startedAt, line] of lines) it(`formatEvent: ${title}`, () => expect(formatEvent(event, { startedAt })).to.equal(line));

    it("formats durations", () => {
        expect([0, 42, 102, 3723].map(formatDuration)).to.deep.equal(["0s", "42s", "1m42s", "1h2m3s"]);
    });

    it("F11: tracks waiting → rolling → stable/failed with elapsed time", () => {
        const t = new ProgressTracker(["config-server", "api", "orders"]);
        expect(t.consume(pre(SVC("config-server"), "update", 100))).to.equal("Updating service → config-server…");
        expect(t.snapshot(130)).to.deep.equal([
            { service: "config-server", state: "rolling", elapsedSeconds: 30 },
            { service: "api", state: "waiting", elapsedSeconds: 0 },
            { service: "orders", state: "waiting", elapsedSeconds: 0 },
        ]);
        expect(t.consume(out(SVC("config-server"), "update", 170))).to.equal("Updated service → config-server (1m10s)");
        t.consume(pre(SVC("api"), "update", 170));
        t.consume(pre(SVC("orders"), "update", 171));
        expect(t.consume(fail(SVC("orders"), "update", 300))).to.equal("Failed to update service → orders (2m9s)");
        expect(t.snapshot(400)).to.deep.equal([
            { service: "config-server", state: "stable", elapsedSeconds: 70 },
            { service: "api", state: "rolling", elapsedSeconds: 230 },
            { service: "orders", state: "failed", elapsedSeconds: 129 },
        ]);
    });

    it("an event delivered twice (same sequence) is consumed once: no second line, no state change", () => {
        const t = new ProgressTracker(["api"]);
        const start = pre(SVC("api"), "update", 100);
        const done = out(SVC("api"), "update", 160);
        expect([start, start, done, done].map((e) => t.consume(e))).to.deep.equal(["Updating service → api…", undefined, "Updated service → api (1m0s)", undefined]);
        // a late duplicate of the start must not put a stable service back to rolling
        t.consume(start);
        expect(t.snapshot(300)).to.deep.equal([{ service: "api", state: "stable", elapsedSeconds: 60 }]);
    });

    it("touched() lists every service an update changed, including ones it was not expected to roll", () => {
        const t = new ProgressTracker([]);
        t.consume(pre(TDEF("orders"), "replace", 1));
        t.consume(pre(SVC("orders"), "update", 2));
        t.consume(pre(SVC("api"), "same", 2));
        t.consume(pre(SVC("search"), "update", 3));
        expect(t.touched()).to.deep.equal(["orders", "search"]);
    });

    it("an unchanged service becomes stable without rolling", () => {
        const t = new ProgressTracker(["api"]);
        t.consume(pre(SVC("api"), "same", 50));
        t.consume(out(SVC("api"), "same", 50));
        expect(t.snapshot(60)).to.deep.equal([{ service: "api", state: "stable", elapsedSeconds: 0 }]);
    });
});
