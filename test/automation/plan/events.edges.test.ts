// Edges of the engine-event reading (automation/plan/events.ts): URNs that only look like a service's, the
// update's closing lines, and the spans the release gantt chart is drawn from (F11).
import { expect } from "chai";
import { formatEvent, ProgressTracker, resourceOf } from "../../../automation/plan/events";
import type { EngineEvent } from "../../../automation/ports";

const SERVICE = "berth:service:Service$aws:ecs/service:Service";
const TASKDEF = "berth:service:Service$aws:ecs/taskDefinition:TaskDefinition";
const urn = (type: string, name: string) => `urn:pulumi:dev::berth::${type}::${name}`;
const meta = (u: string, op: string) => ({ op, urn: u, type: u.split("::")[2].split("$").pop()! });
let sequence = 1000;
const pre = (u: string, op: string, t: number): EngineEvent => ({ sequence: sequence++, timestamp: t, resourcePreEvent: { metadata: meta(u, op) } });
const out = (u: string, op: string, t: number): EngineEvent => ({ sequence: sequence++, timestamp: t, resOutputsEvent: { metadata: meta(u, op) } });
const fail = (u: string, op: string, t: number): EngineEvent => ({ sequence: sequence++, timestamp: t, resOpFailedEvent: { metadata: meta(u, op), status: 1, steps: 0 } });

describe("plan/events edges", () => {
    const cases: [string, string, ReturnType<typeof resourceOf>][] = [
        ["too short to be a URN", "urn:pulumi:dev::berth", undefined],
        ["the service suffix alone, no name between", urn(SERVICE, "svc--service"), undefined],
        ["the prefix alone", urn(SERVICE, "svc-service"), undefined],
        ["a service name without the prefix", urn(SERVICE, "api-service"), undefined],
        ["a service name without the suffix", urn(SERVICE, "svc-api"), undefined],
        ["a name with :: in it keeps the rest", urn(SERVICE, "svc-a::b-service"), { kind: "service", name: "a::b" }],
        ["a one-letter service", urn(SERVICE, "svc-a-service"), { kind: "service", name: "a" }],
        ["a task definition of another kind of name", urn(TASKDEF, "svc-api-service"), undefined],
        ["a service-typed resource with a task definition's name", urn(SERVICE, "svc-api-task-definition"), undefined],
    ];
    for (const [title, u, ref] of cases) it(`resourceOf: ${title}`, () => expect(resourceOf(u)).to.deep.equal(ref));

    it("the update's closing lines: no changes, a cancellation, and nothing for an event it does not know", () => {
        const summary: EngineEvent = { sequence: 1, timestamp: 1, summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges: { same: 0 } } };
        expect(formatEvent(summary, {})).to.equal("Update finished in 3s: no changes");
        expect(formatEvent({ sequence: 2, timestamp: 2, cancelEvent: {} } as EngineEvent, {})).to.equal("Update cancelled");
        expect(formatEvent({ sequence: 3, timestamp: 3 } as EngineEvent, {})).to.equal(undefined);
        const warning: EngineEvent = { sequence: 4, timestamp: 4, diagnosticEvent: { urn: urn(SERVICE, "svc-api-service"), message: "slow", severity: "warning" } };
        expect(formatEvent(warning, {})).to.equal(undefined);
        const elsewhere: EngineEvent = { sequence: 5, timestamp: 5, diagnosticEvent: { urn: urn("aws:s3/bucket:Bucket", "uploads"), message: "denied", severity: "error" } };
        expect(formatEvent(elsewhere, {})).to.equal(undefined);
    });

    it("spans: each service the update started, with its engine start and end; none for the waiting or unchanged", () => {
        const t = new ProgressTracker(["api", "orders", "search", "mail"]);
        t.consume(pre(urn(SERVICE, "svc-api-service"), "update", 100));
        t.consume(out(urn(SERVICE, "svc-api-service"), "update", 160));
        t.consume(pre(urn(SERVICE, "svc-orders-service"), "update", 110));
        t.consume(fail(urn(SERVICE, "svc-orders-service"), "update", 170));
        t.consume(pre(urn(SERVICE, "svc-search-service"), "update", 120));
        t.consume(out(urn(SERVICE, "svc-mail-service"), "same", 130));
        expect(t.spans()).to.deep.equal([
            { service: "api", state: "stable", start: 100, end: 160 },
            { service: "orders", state: "failed", start: 110, end: 170 },
            { service: "search", state: "rolling", start: 120 },
            { service: "mail", state: "stable", start: 130, end: 130 },
        ]);
        expect(t.touched()).to.deep.equal(["api", "orders", "search"]);
        expect(t.snapshot(200).map((p) => [p.service, p.state, p.elapsedSeconds])).to.deep.equal([
            ["api", "stable", 60],
            ["orders", "failed", 60],
            ["search", "rolling", 80],
            ["mail", "stable", 0],
        ]);
    });

    it("a service read or refreshed is not changed, and a same step does not start it rolling", () => {
        const t = new ProgressTracker(["api"]);
        t.consume(pre(urn(SERVICE, "svc-api-service"), "read", 10));
        t.consume(pre(urn(SERVICE, "svc-api-service"), "refresh", 11));
        t.consume(pre(urn(SERVICE, "svc-api-service"), "same", 12));
        expect(t.touched()).to.deep.equal([]);
        expect(t.spans()).to.deep.equal([]);
        expect(t.snapshot(20)).to.deep.equal([{ service: "api", state: "waiting", elapsedSeconds: 0 }]);
    });
});
