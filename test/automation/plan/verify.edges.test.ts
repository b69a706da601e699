// verifyService at the edges its table does not reach: counts, status-code bounds, short shas, which
// deployment is primary, and the details of passing checks (they are what the report prints).
import { expect } from "chai";
import { verifyService, VerifyInput } from "../../../automation/plan/verify";
import type { Deployment, ServiceStatus } from "../../../automation/ports";
import { SHA } from "./fixtures";

const TD = (rev: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/berth-dev-api:${rev}`;
const dep = (o: Partial<Deployment> = {}): Deployment => ({ id: "d1", status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: TD(7), desiredCount: 2, runningCount: 2, failedTasks: 0, ...o });
const status = (o: Partial<ServiceStatus> = {}): ServiceStatus => ({ serviceName: "berth-dev-api", status: "ACTIVE", desiredCount: 2, runningCount: 2, pendingCount: 0, taskDefinition: TD(7), deployments: [dep()], ...o });
const healthy = [{ targetId: "10.0.1.5", state: "healthy" }, { targetId: "10.0.2.5", state: "healthy" }];
const input = (o: Partial<VerifyInput> = {}): VerifyInput => ({ service: "api", status: status(), expectedTaskDefinition: TD(7), targets: healthy, smoke: [{ url: "http://alb/health", status: 200, version: SHA }], sha: SHA, ...o });
const check = (o: Partial<VerifyInput>, name: string) => verifyService(input(o)).checks.find((c) => c.name === name);

describe("plan/verify edges: verifyService", () => {
    it("F12: running = desired needs no pending task and at least one desired task", () => {
        expect(check({ status: status({ pendingCount: 1 }) }, "running = desired")).to.deep.equal({ name: "running = desired", ok: false, detail: "2 running, 1 pending, 2 desired" });
        expect(check({ status: status({ runningCount: 3 }) }, "running = desired")!.ok).to.equal(false);
        expect(check({ status: status({ desiredCount: 0, runningCount: 0 }), targets: undefined }, "running = desired")!.ok).to.equal(false);
        expect(check({}, "running = desired")).to.deep.equal({ name: "running = desired", ok: true, detail: "2 running, 0 pending, 2 desired" });
    });

    it("F12: smoke passes on 200-299 only", () => {
        const ok = (s: number) => check({ smoke: [{ url: "http://alb/health", status: s }] }, "smoke")!.ok;
        expect([199, 200, 204, 299, 300, 301].map(ok)).to.deep.equal([false, true, true, true, false, false]);
        expect(check({ smoke: [{ url: "http://a/h", status: 200 }, { url: "http://b/h", status: 204 }] }, "smoke")!.detail).to.equal("http://a/h 200, http://b/h 204");
        expect(check({ smoke: [{ url: "http://a/h", status: 500 }, { url: "http://b/h" }] }, "smoke")!.detail).to.equal("http://a/h 500, http://b/h no response");
    });

    it("F07: a reported version matches the full sha or a prefix of at least 7 characters", () => {
        const ok = (v: string) => check({ smoke: [{ url: "http://alb/health", status: 200, version: v }] }, "version")!.ok;
        expect([SHA, SHA.slice(0, 7), SHA.slice(0, 12), SHA.slice(0, 6), "", SHA.slice(1, 8)].map(ok)).to.deep.equal([true, true, true, false, false, false]);
        expect(check({}, "version")!.detail).to.equal(`reports ${SHA.slice(0, 12)}`);
        expect(check({ smoke: [{ url: "http://a/h", status: 200, version: "x1" }, { url: "http://b/h", status: 200, version: "x2" }] }, "version")!.detail).to.equal(
            `http://a/h reports x1, expected ${SHA}, http://b/h reports x2, expected ${SHA}`,
        );
    });

    it("F07: the task definition must be the registered one both in the primary deployment and on the service", () => {
        expect(check({ status: status({ taskDefinition: TD(6) }) }, "task definition")!.ok).to.equal(false);
        expect(check({ status: status({ deployments: [dep({ taskDefinition: TD(6) })] }) }, "task definition")!.ok).to.equal(false);
        expect(check({}, "task definition")).to.deep.equal({ name: "task definition", ok: true, detail: "runs berth-dev-api:7" });
    });

    it("reads the PRIMARY deployment wherever it is listed, and names every other one", () => {
        const old = dep({ id: "d0", status: "ACTIVE", rolloutState: "COMPLETED", taskDefinition: TD(6), runningCount: 1 });
        const v = verifyService(input({ status: status({ deployments: [old, dep({ rolloutState: "IN_PROGRESS" })] }) }));
        expect(v.checks.find((c) => c.name === "deployment completed")!.detail).to.equal("primary deployment IN_PROGRESS");
        const two = dep({ id: "d9", status: "ACTIVE", taskDefinition: TD(5), runningCount: 0 });
        expect(check({ status: status({ deployments: [dep(), old, two] }) }, "no other deployment")!.detail).to.equal("ACTIVE berth-dev-api:6 (1 running), ACTIVE berth-dev-api:5 (0 running)");
        expect(check({}, "no other deployment")).to.deep.equal({ name: "no other deployment", ok: true, detail: "one deployment" });
    });

    it("F12: lists every unhealthy target; with none desired, zero healthy targets still fail", () => {
        const bad = [{ targetId: "a", state: "unhealthy" }, { targetId: "b", state: "initial", reason: "Elb.RegistrationInProgress" }];
        expect(check({ targets: bad }, "targets healthy")!.detail).to.equal("a unhealthy, b initial (Elb.RegistrationInProgress)");
        expect(check({ status: status({ desiredCount: 0, runningCount: 0 }), targets: [] }, "targets healthy")).to.deep.equal({ name: "targets healthy", ok: false, detail: "0 healthy of 0 desired" });
        expect(check({ targets: [...healthy, { targetId: "old", state: "draining" }] }, "targets healthy")).to.deep.equal({ name: "targets healthy", ok: true, detail: "2 healthy of 2 desired" });
    });
});
