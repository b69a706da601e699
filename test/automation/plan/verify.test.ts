import { expect } from "chai";
import { circuitBreakerThreshold, isHopeless, verifyService, VerifyInput } from "../../../automation/plan/verify";
import type { Deployment, ServiceStatus } from "../../../automation/ports";
import { SHA } from "./fixtures";

const TD = (rev: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/berth-dev-api:${rev}`;
const dep = (o: Partial<Deployment> = {}): Deployment => ({ id: "d1", status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: TD(7), desiredCount: 2, runningCount: 2, failedTasks: 0, ...o });
const status = (o: Partial<ServiceStatus> = {}): ServiceStatus => ({ serviceName: "berth-dev-api", status: "ACTIVE", desiredCount: 2, runningCount: 2, pendingCount: 0, taskDefinition: TD(7), deployments: [dep()], ...o });
const healthy = [{ targetId: "10.0.1.5", port: 8081, state: "healthy" }, { targetId: "10.0.2.5", port: 8081, state: "healthy" }];
const base = (o: Partial<VerifyInput> = {}): VerifyInput => ({ service: "api", status: status(), expectedTaskDefinition: TD(7), targets: healthy, smoke: [{ url: "http://alb/api/", status: 200, version: SHA }], sha: SHA, ...o });
const failed = (input: VerifyInput) => verifyService(input).checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe("plan/verify: verifyService", () => {
    it("F12: a healthy release passes every check", () => {
        const v = verifyService(base());
        expect(v.ok).to.equal(true);
        expect(v.checks.map((c) => c.name)).to.deep.equal(["deployment completed", "running = desired", "no other deployment", "task definition", "targets healthy", "smoke", "version"]);
    });

    const rows: [string, Partial<VerifyInput>, string[]][] = [
        [
            "F07: flags a service whose running task definition is not the one the stack registered (circuit-breaker rollback)",
            { status: status({ taskDefinition: TD(6), deployments: [dep({ taskDefinition: TD(6) })] }) },
            ["task definition: runs berth-dev-api:6, the stack registered berth-dev-api:7 — ECS rolled back or never took the update, whatever the stack update reported"],
        ],
        [
            "F07: flags an older deployment still running beside the new one",
            { status: status({ deployments: [dep({ rolloutState: "IN_PROGRESS" }), dep({ id: "d0", status: "ACTIVE", taskDefinition: TD(6), runningCount: 1 })] }) },
            ["deployment completed: primary deployment IN_PROGRESS", "no other deployment: ACTIVE berth-dev-api:6 (1 running)"],
        ],
        ["F12: running below desired", { status: status({ runningCount: 1, pendingCount: 1 }) }, ["running = desired: 1 running, 1 pending, 2 desired"]],
        [
            "F12: an unhealthy target fails the release even when ECS is content",
            { targets: [healthy[0], { targetId: "10.0.2.5", port: 8081, state: "unhealthy", reason: "Target.ResponseCodeMismatch" }] },
            ["targets healthy: 10.0.2.5 unhealthy (Target.ResponseCodeMismatch)"],
        ],
        ["F12: draining old targets are ignored, but too few healthy ones fail", { targets: [healthy[0], { targetId: "10.0.9.9", state: "draining" }] }, ["targets healthy: 1 healthy of 2 desired"]],
        ["F12: smoke 503 through the ALB fails", { smoke: [{ url: "http://alb/api/", status: 503 }] }, ["smoke: http://alb/api/ 503"]],
        ["F12: no response at all fails smoke", { smoke: [{ url: "http://alb/api/", error: "ECONNREFUSED" }] }, ["smoke: http://alb/api/ ECONNREFUSED"]],
        ["F07: /health reporting another version fails", { smoke: [{ url: "http://alb/api/health", status: 200, version: "deadbeefcafe" }] }, [`version: http://alb/api/health reports deadbeefcafe, expected ${SHA}`]],
        ["F12: an inactive service fails at once", { status: status({ status: "DRAINING" }) }, ["service active: service is DRAINING"]],
    ];
    for (const [title, overrides, expected] of rows) {
        it(title, () => {
            expect(failed(base(overrides))).to.deep.equal(expected);
            expect(verifyService(base(overrides)).ok).to.equal(false);
        });
    }

    it("F07: accepts a short sha reported by /health and skips checks that do not apply", () => {
        const v = verifyService(base({ targets: undefined, smoke: [{ url: "http://alb/health", status: 204, version: SHA.slice(0, 7) }] }));
        expect(v.ok).to.equal(true);
        expect(v.checks.map((c) => c.name)).to.not.include("targets healthy");
    });
});

describe("plan/verify: circuit breaker and isHopeless", () => {
    const thresholds: [number, number][] = [[1, 3], [2, 3], [6, 3], [7, 4], [10, 5], [400, 200], [1000, 200]];
    for (const [desired, threshold] of thresholds) {
        it(`F13: threshold for desired ${desired} is ${threshold}`, () => expect(circuitBreakerThreshold(desired)).to.equal(threshold));
    }

    const cases: [string, ServiceStatus, { ownChecksFailed?: boolean }, { hopeless: boolean; reason?: string }][] = [
        ["F13: keeps waiting on a deployment in progress", status({ deployments: [dep({ rolloutState: "IN_PROGRESS" })] }), {}, { hopeless: false }],
        ["F13: gives up on a FAILED deployment", status({ deployments: [dep({ rolloutState: "FAILED", rolloutStateReason: "circuit breaker triggered" })] }), {}, { hopeless: true, reason: "deployment FAILED: circuit breaker triggered" }],
        ["F13: gives up once ECS rolled back to the old task definition", status({ deployments: [dep({ taskDefinition: TD(6), rolloutState: "IN_PROGRESS" })] }), {}, { hopeless: true, reason: "ECS rolled back to berth-dev-api:6 (registered berth-dev-api:7)" }],
        ["F13: gives up when failed tasks reach the threshold", status({ deployments: [dep({ rolloutState: "IN_PROGRESS", failedTasks: 3 })] }), {}, { hopeless: true, reason: "3 failed tasks reach the circuit-breaker threshold of 3" }],
        ["F13: one failed task alone keeps waiting (capacity, slow pull)", status({ deployments: [dep({ rolloutState: "IN_PROGRESS", failedTasks: 1, desiredCount: 1 })] }), {}, { hopeless: false }],
        ["F13: one failed task after own checks failed stops waiting for the breaker", status({ deployments: [dep({ rolloutState: "IN_PROGRESS", failedTasks: 1, desiredCount: 1 })] }), { ownChecksFailed: true }, { hopeless: true, reason: "1 failed task(s) and the service's own checks failed" }],
    ];
    for (const [title, s, options, expected] of cases) {
        it(title, () => expect(isHopeless(s, TD(7), options)).to.deep.equal(expected));
    }
});
