// ECS as unkind as the real one (the fakes in ../fakes/world.ts): a circuit-breaker deployment turns FAILED only
// after its failed task starts reach the threshold, and ECS's own rollback is a new deployment that takes its
// time; the deployments a newer one replaced keep serving while their targets drain. Verification must call
// none of those mixed states healthy.
import { expect } from "chai";
import { runRelease } from "../../../automation/commands/deploy";
import { taskDefinitionLabel } from "../../../automation/plan/verify";
import type { Deployment } from "../../../automation/ports";
import { harness, type Harness } from "../fakes/harness";

/** Each "verified <service>" line with the deployments ECS listed for that service at that moment. */
function watchVerified(h: Harness): { service: string; at: number; deployments: Deployment[] }[] {
    const seen: { service: string; at: number; deployments: Deployment[] }[] = [];
    const progress = h.deps.progress;
    h.deps.progress = (line) => {
        const m = /^verified (\S+)$/.exec(line);
        if (m) seen.push({ service: m[1], at: h.world.clock.now(), deployments: h.world.status(m[1]).deployments });
        progress(line);
    };
    return seen;
}

/** Every deployment state each describe call showed for `service`, in order. */
function watchDeployments(h: Harness, service: string): Deployment[][] {
    const states: Deployment[][] = [];
    const describe = h.ecs.describeServices.bind(h.ecs);
    h.ecs.describeServices = async (cluster, names) => {
        const result = await describe(cluster, names);
        const st = result.find((s) => s.serviceName === h.world.services.get(service)!.serviceName);
        if (st) states.push(st.deployments);
        return result;
    };
    return states;
}

describe("release scenarios against an unkind ECS (breaker rolls back over minutes, old deployments drain)", () => {
    it("F07: a service is verified only once the deployment it replaced has drained (no older deployment still serving)", async () => {
        const h = await harness({ changed: ["orders"] });
        const verified = watchVerified(h);
        const states = watchDeployments(h, "orders");
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        // The fake did serve the mixed state: the new deployment COMPLETED while the old one was still listed.
        expect(states.some((d) => d.length === 2 && d[0].rolloutState === "COMPLETED" && d[1].status === "ACTIVE" && d[1].runningCount > 0)).to.equal(true);
        const orders = verified.filter((v) => v.service === "orders");
        expect(orders).to.have.length(1);
        expect(orders[0].deployments.map((d) => [d.status, d.rolloutState, taskDefinitionLabel(d.taskDefinition)])).to.deep.equal([
            ["PRIMARY", "COMPLETED", taskDefinitionLabel(h.world.outputs.services.orders.taskDefinitionArn)],
        ]);
    });

    it("F13: a circuit-breaker deployment that turns FAILED while ECS rolls back is never called healthy; berth restores and verifies only after every other deployment drained", async () => {
        const h = await harness({ changed: ["payments"] });
        h.world.faults.circuitBreaker = ["payments"];
        const family = h.world.outputs.services.payments.taskDefinitionFamily as string;
        const verified = watchVerified(h);
        const states = watchDeployments(h, "payments");
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(h.stack.ups[1].result).to.equal("succeeded"); // the provider gap: the update "succeeded"
        const payments = record.services.find((s) => s.name === "payments")!;
        expect(payments.verification!.ok).to.equal(false);
        expect(payments.verification!.checks.find((c) => c.name === "gave up")!.detail).to.equal(`ECS rolled back to ${family}:1 (registered ${family}:2)`);
        // What berth saw on the way: the new deployment IN_PROGRESS with failing task starts, then FAILED next to
        // ECS's own rollback deployment (the old task definition, IN_PROGRESS) and the original — not an instant swap.
        const failedSeen = states.find((d) => d.some((x) => x.rolloutState === "FAILED"));
        expect(failedSeen, "berth never saw the FAILED deployment").to.not.equal(undefined);
        expect(failedSeen!.map((d) => [d.status, d.rolloutState, taskDefinitionLabel(d.taskDefinition)])).to.deep.equal([
            ["PRIMARY", "IN_PROGRESS", `${family}:1`],
            ["ACTIVE", "FAILED", `${family}:2`],
            ["ACTIVE", "COMPLETED", `${family}:1`], // the original tasks, still serving until the rollback completes
        ]);
        expect(failedSeen![1].rolloutStateReason).to.equal("ECS deployment circuit breaker: tasks failed to start.");
        // Restored by berth's own update (a third revision of the old image), verified only with one deployment left.
        expect(h.world.running("payments")).to.equal(h.world.services.get("payments")!.originalImage);
        const after = verified.filter((v) => v.service === "payments");
        expect(after).to.have.length(1);
        expect(after[0].deployments.map((d) => [d.status, d.rolloutState, taskDefinitionLabel(d.taskDefinition)])).to.deep.equal([["PRIMARY", "COMPLETED", `${family}:3`]]);
        expect(h.world.releasedWrites).to.have.length(0);
    });
});
