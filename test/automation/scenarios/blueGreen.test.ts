// Blue/green and canary releases over the fakes: ECS service deployments walk their lifecycle stages over virtual
// minutes, PAUSE hooks wait for berth's answer or their timeout, alarms roll back during bake. berth tests green
// through the test route, answers the hooks, and reports strategy, test traffic, verdict, bake and who decided.
import { expect } from "chai";
import { runRelease } from "../../../automation/commands/deploy";
import { runRollback } from "../../../automation/commands/rollback";
import { exitCodeFor, renderJson, renderMarkdown } from "../../../automation/plan/report";
import { harness, SHA, type Harness } from "../fakes/harness";

const HEADER = { header: "x-berth-test", value: "1" };

/**
 * Gives services the rollout block the program would output for blue/green (or canary) with a PAUSE hook after test
 * traffic — engineWaits as infra/components/rollout.ts engineWait sets it: only while a rolling service waits for it.
 */
function blueGreen(h: Harness, services: string[], options: { bakeMinutes?: number; timeoutMinutes?: number; canary?: { percent: number; bakeMinutes: number } } = {}): void {
    const all = h.world.outputs.services as Record<string, { waitsFor: string[]; rollout: { strategy: string } }>;
    const shifting = (n: string) => services.includes(n) || all[n].rollout.strategy !== "rolling";
    for (const s of services) {
        const o = h.world.outputs.services[s];
        const rollingDependents = Object.keys(all).filter((n) => !shifting(n) && all[n].waitsFor.includes(s));
        o.rollout = {
            strategy: options.canary ? "canary" : "blueGreen",
            bakeMinutes: options.bakeMinutes ?? 5,
            ...(options.canary ? { canary: options.canary } : {}),
            pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: options.timeoutMinutes ?? 30 }],
            testTraffic: HEADER,
            alternateTargetGroupArn: `${o.targetGroupArn.replace(/\/[0-9a-f]+$/, "")}-g/1111222233334444`,
            alarmNames: [`berth-dev-${s}-5xx`, `berth-dev-${s}-unhealthy`],
            engineWaits: rollingDependents.length > 0,
            ...(rollingDependents.length > 0 ? { rollingDependents } : {}),
        };
    }
}

describe("blue/green and canary release scenarios (12-service example)", () => {
    it("hook awaiting → green tested through the test route → CONTINUE → bake → SUCCESSFUL, RELEASED and reported", async () => {
        const h = await harness({ changed: ["orders", "catalog"] });
        blueGreen(h, ["orders"], { bakeMinutes: 5 });
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        const d = h.world.latestServiceDeployment("orders")!;
        expect(d.status).to.equal("SUCCESSFUL");
        expect(d.calls).to.deep.equal([`continue CONTINUE ${d.hooks[0].hookId}`]);
        // green was reached with the test header before production traffic moved
        expect(h.http.testCalls).to.deep.equal([`${h.world.outputs.services.orders.url.replace(/\/+$/, "")}/health`]);
        const orders = record.services.find((s) => s.name === "orders")!.rollout!;
        expect(orders).to.include({ strategy: "blueGreen", bakeMinutes: 5, status: "SUCCESSFUL", decidedBy: "berth-test", decision: "berth's test" });
        expect(orders.test).to.include({ stage: "POST_TEST_TRAFFIC_SHIFT", action: "CONTINUE", ok: true });
        expect(orders.test!.detail).to.equal(`${h.world.outputs.services.orders.url.replace(/\/+$/, "")}/health 200 on ${SHA.slice(0, 12)}`);
        expect(orders.testTrafficMs).to.be.greaterThan(0);
        expect(orders.bakeMs).to.be.at.least(5 * 60_000);
        // a rolling service still gets its outcome from DescribeServiceDeployments
        const catalog = record.services.find((s) => s.name === "catalog")!.rollout!;
        expect(catalog).to.include({ strategy: "rolling", status: "SUCCESSFUL", decidedBy: "ecs" });
        const md = renderMarkdown(record);
        expect(md).to.include("| service | strategy | test traffic | test verdict | bake | deployment | decided by |");
        expect(md).to.match(/\| orders \| blue\/green \| \S+ \| passed → CONTINUE \| 5 min \(baked \S+\) \| SUCCESSFUL \| berth's test \|/);
        expect(JSON.parse(renderJson(record)).services.find((s: { name: string }) => s.name === "orders").rollout.decidedBy).to.equal("berth-test");
    });

    it("F13: green fails its test → ROLLBACK at the hook → production never moved, release ROLLED_BACK and reported", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"]);
        h.world.faults.smoke5xx = ["orders"];
        const productionSeen: string[] = [];
        const get = h.http.get.bind(h.http);
        h.http.get = async (url, options) => {
            const res = await get(url, options);
            if (!options?.headers) productionSeen.push(res.body);
            return res;
        };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(exitCodeFor(record.state)).to.equal(1);
        const first = h.world.serviceDeployments.find((d) => d.service === "orders")!;
        expect(first.status).to.equal("ROLLBACK_SUCCESSFUL");
        expect(first.calls).to.deep.equal([`continue ROLLBACK ${first.hooks[0].hookId}`]);
        expect(first.stage).to.equal("POST_TEST_TRAFFIC_SHIFT"); // production traffic never shifted
        const orders = record.services.find((s) => s.name === "orders")!;
        expect(orders.rollout).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "berth-test", decision: "berth's test" });
        expect(orders.rollout!.test).to.include({ action: "ROLLBACK", ok: false });
        expect(orders.rollout!.test!.detail).to.equal(`${h.world.outputs.services.orders.url.replace(/\/+$/, "")}/health: 503`);
        expect(orders.rollback).to.equal("restored");
        expect(h.world.running("orders")).to.equal(h.world.services.get("orders")!.originalImage);
        expect(h.world.releasedWrites).to.have.length(0);
        expect(renderMarkdown(record)).to.include(`failed → ROLLBACK (${h.world.outputs.services.orders.url.replace(/\/+$/, "")}/health: 503)`);
        // production only ever answered with the old version
        expect(productionSeen.every((b) => !b.includes(SHA))).to.equal(true);
    });

    it("a service's deployments are looked for only once the engine has started on it", async () => {
        const h = await harness({ changed: ["config-server", "orders"] });
        blueGreen(h, ["orders"]);
        const listedAt: Record<string, number[]> = {};
        const list = h.ecs.listServiceDeployments.bind(h.ecs);
        h.ecs.listServiceDeployments = async (cluster, name, options) => ((listedAt[name] ??= []).push(h.world.clock.now()), list(cluster, name, options));
        expect((await runRelease(h.deps, h.options)).state).to.equal("RELEASED");
        // orders rolls after config-server (two levels later): never listed before its own deployment existed
        expect(listedAt["berth-dev-orders"]).to.have.length(1);
        expect(listedAt["berth-dev-orders"][0]).to.be.at.least(h.world.latestServiceDeployment("orders")!.createdAt);
        expect(listedAt["berth-dev-config-server"]).to.have.length(1);
    });

    it("hook timeout: berth cannot answer (ContinueServiceDeployment denied) → the hook times out, its ROLLBACK decides", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"], { timeoutMinutes: 10 });
        // Denied for this release's deployment only (a role fixed before the restore): its hook is never answered.
        const cont = h.ecs.continueServiceDeployment.bind(h.ecs);
        h.ecs.continueServiceDeployment = async (arn, hookId, action) => {
            if (arn === h.world.serviceDeployments[0].arn) throw Object.assign(new Error("User is not authorized to perform: ecs:ContinueServiceDeployment"), { name: "AccessDeniedException" });
            return cont(arn, hookId, action);
        };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        const first = h.world.serviceDeployments.find((d) => d.service === "orders")!;
        expect(first.hooks[0].status).to.equal("TIMED_OUT");
        expect(first.rollback!.startedAt).to.equal(first.hooks[0].expiresAt);
        const orders = record.services.find((s) => s.name === "orders")!.rollout!;
        expect(orders.answerRefused).to.equal("User is not authorized to perform: ecs:ContinueServiceDeployment");
        expect(h.lines).to.include("orders: ContinueServiceDeployment CONTINUE was refused: User is not authorized to perform: ecs:ContinueServiceDeployment");
        // berth's verdict was CONTINUE, but what decided is the hook's timeout action
        expect(orders).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "hook-timeout" });
    });

    it("F13: an alarm during bake → ECS rolls back (decided by the alarm) → release ROLLED_BACK", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"], { bakeMinutes: 10 });
        h.world.faults.alarmInBake = { orders: 3 * 60_000 };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        const first = h.world.serviceDeployments.find((d) => d.service === "orders")!;
        expect(first.status).to.equal("ROLLBACK_SUCCESSFUL");
        const orders = record.services.find((s) => s.name === "orders")!.rollout!;
        expect(orders.test).to.include({ action: "CONTINUE", ok: true });
        expect(orders).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "alarm", decision: "an alarm (berth-dev-orders-5xx)" });
        expect(h.world.running("orders")).to.equal(h.world.services.get("orders")!.originalImage);
    });

    it("whole-release rollback: a service still inside its bake goes back to blue at once when another fails, then the stack update restores both", async () => {
        const h = await harness({ changed: ["accounts", "catalog"] });
        blueGreen(h, ["accounts"], { bakeMinutes: 30 });
        blueGreen(h, ["catalog"], { bakeMinutes: 30 });
        h.world.faults.alarmInBake = { catalog: 2 * 60_000 };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        const accounts = h.world.serviceDeployments.find((d) => d.service === "accounts")!;
        expect(accounts.calls.slice(-1)).to.deep.equal(["stop ROLLBACK"]);
        expect(accounts.status).to.equal("ROLLBACK_SUCCESSFUL");
        // back to blue within a minute of catalog's alarm, long before its own 30-minute bake would have ended
        const catalog = h.world.serviceDeployments.find((d) => d.service === "catalog")!;
        expect(accounts.finishedAt! - catalog.rollback!.startedAt).to.be.lessThan(60_000);
        const rAccounts = record.services.find((s) => s.name === "accounts")!;
        expect(rAccounts.rollout).to.include({ decidedBy: "berth-rollback", stoppedInBake: true });
        expect(record.services.find((s) => s.name === "catalog")!.rollout).to.include({ decidedBy: "alarm" });
        // the stack update then put both back in line with what runs, answering the restore deployments' hooks too
        for (const s of ["accounts", "catalog"]) {
            expect(record.services.find((x) => x.name === s)!.rollback).to.equal("restored");
            expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
            expect(h.world.latestServiceDeployment(s)!.status).to.equal("SUCCESSFUL");
        }
        expect(h.lines).to.include("accounts: catalog rollback requested; stopping its deployment inside its bake time — back to blue at once (StopServiceDeployment ROLLBACK)");
    });

    it("berth interrupted while a hook waits: it stops answering, the hook's own timeout rolls back, and the record says so", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"], { timeoutMinutes: 20 });
        const controller = new AbortController();
        const describe = h.ecs.describeServiceDeployments.bind(h.ecs);
        h.ecs.describeServiceDeployments = async (arns) => {
            const out = await describe(arns);
            if (out.some((d) => d.hooks.some((x) => x.status === "AWAITING_ACTION"))) controller.abort();
            return out;
        };
        const record = await runRelease(h.deps, { ...h.options, signal: controller.signal });
        expect(record.state).to.equal("INTERRUPTED");
        const first = h.world.serviceDeployments.find((d) => d.service === "orders")!;
        expect(first.calls).to.deep.equal([]); // never answered
        expect(first.hooks[0].status).to.equal("TIMED_OUT");
        expect(first.status).to.equal("ROLLBACK_SUCCESSFUL");
        const orders = record.services.find((s) => s.name === "orders")!.rollout!;
        expect(orders.leftWaiting).to.deep.equal({ hookId: first.hooks[0].hookId, expiresAt: new Date(first.hooks[0].expiresAt!).toISOString(), timeoutAction: "ROLLBACK" });
        expect(orders.decidedBy).to.equal("hook-timeout");
        expect(record.summary).to.include(
            "berth stopped answering the PAUSE hooks of orders (rollback successful — the PAUSE hook timed out (its timeout action rolled back)): each hook's own timeout action rolls its service back",
        );
        expect(h.world.running("orders")).to.equal(h.world.services.get("orders")!.originalImage);
    });

    it("canary: a 5xx ratio above the limit during the canary bake stops the deployment before the rest of the traffic moves", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"], { canary: { percent: 10, bakeMinutes: 5 } });
        h.world.faults.canary5xx = { orders: 0.2 };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        const first = h.world.serviceDeployments.find((d) => d.service === "orders")!;
        expect(first.calls).to.deep.equal([`continue CONTINUE ${first.hooks[0].hookId}`, "stop ROLLBACK"]);
        expect(first.stage).to.equal("PRODUCTION_TRAFFIC_SHIFT");
        const orders = record.services.find((s) => s.name === "orders")!.rollout!;
        expect(orders).to.include({ strategy: "canary", decidedBy: "berth-canary" });
        expect(orders.canary).to.include({ ok: false, action: "ROLLBACK" });
        expect(orders.canary!.detail).to.match(/^berth-dev-orders-g 5xx 20\.0% of \d+ requests \(limit 1\.0%\)$/);
    });

    it("canary: a clean canary passes and the deployment finishes", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"], { canary: { percent: 10, bakeMinutes: 5 } });
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        const orders = record.services.find((s) => s.name === "orders")!.rollout!;
        expect(orders.canary).to.include({ ok: true, action: "CONTINUE" });
        expect(orders.status).to.equal("SUCCESSFUL");
    });

    it("F11: the engine goes on once ECS accepted each update; berth holds a dependent's hook until its dependency moved production traffic; bakes overlap; verify starts after the last bake", async () => {
        const h = await harness({ changed: ["payments", "orders", "shipping"] });
        // api-gateway waits for orders: blue/green too, so no rolling service keeps the engine waiting on the chain.
        blueGreen(h, ["payments", "orders", "shipping", "api-gateway"], { bakeMinutes: 10 });
        expect(["payments", "orders", "shipping"].map((s) => h.world.outputs.services[s].rollout.engineWaits)).to.deep.equal([false, false, false]);
        const t0 = h.world.clock.now();
        let updateReturnedAt = 0;
        const up = h.stack.up.bind(h.stack);
        h.stack.up = async (options) => {
            const result = await up(options);
            updateReturnedAt = h.world.clock.now();
            return result;
        };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        const sd = (s: string) => h.world.serviceDeployments.find((d) => d.service === s)!;
        // orders waits for payments, shipping for orders: each green took production traffic only after its dependency's did
        const moved = (s: string) => record.services.find((x) => x.name === s)!.rollout!;
        for (const [dependent, dependency] of [["orders", "payments"], ["shipping", "orders"]]) {
            expect(Date.parse(moved(dependent).test!.at)).to.be.greaterThan(Date.parse(moved(dependency).test!.at));
            expect(h.lines.some((l) => l.startsWith(`${dependent}: holding its POST_TEST_TRAFFIC_SHIFT hook until ${dependency} moved production traffic (F11)`))).to.equal(true);
            // …and before the dependency's bake ended: the bakes overlap
            expect(Date.parse(moved(dependent).test!.at)).to.be.lessThan(sd(dependency).finishedAt!);
        }
        for (const s of ["payments", "orders", "shipping"]) expect(sd(s).status).to.equal("SUCCESSFUL");
        // The engine was done before any bake ended: it stopped waiting once ECS accepted each update.
        expect(updateReturnedAt).to.be.lessThan(Math.min(...["payments", "orders", "shipping"].map((s) => sd(s).finishedAt!)));
        // Verification starts only once every deployment ended, bake included.
        const verify = record.stages.find((st) => st.name === "verify")!;
        expect(verify.outcome).to.equal("ok");
        const lastBakeEnd = Math.max(...["payments", "orders", "shipping"].map((s) => sd(s).finishedAt!));
        expect(Date.parse(verify.startedAt!)).to.be.at.least(lastBakeEnd);
        // three 10-minute bakes in a chain, paid about once
        expect(h.world.clock.now() - t0).to.be.lessThan(25 * 60_000);
    });

    it("F13: with an engine that goes on once ECS accepted the update, a deployment rolled back after the update returned still fails the release", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders", "shipping", "api-gateway"], { bakeMinutes: 10 });
        expect(h.world.outputs.services.orders.rollout.engineWaits).to.equal(false);
        h.world.faults.alarmInBake = { orders: 60_000 };
        const record = await runRelease(h.deps, h.options);
        expect(h.stack.ups.find((u) => u.changed.includes("orders"))!.result).to.equal("succeeded");
        expect(record.state).to.equal("ROLLED_BACK");
        expect(record.summary).to.match(/^the rollout update succeeded but orders deployment ROLLBACK_SUCCESSFUL \(decided by an alarm \(berth-dev-orders-5xx\)\)/);
        expect(h.world.running("orders")).to.equal(h.world.services.get("orders")!.originalImage);
    });

    it("F11: a rolling service that waits for a blue/green one keeps the engine waiting through that one's whole deployment, bake included", async () => {
        const h = await harness({ changed: ["orders", "api-gateway"] });
        blueGreen(h, ["orders"], { bakeMinutes: 10 });
        // shipping and api-gateway roll and wait for orders: the program keeps waitForSteadyState on orders.
        expect(h.world.outputs.services.orders.rollout).to.deep.include({ engineWaits: true, rollingDependents: ["api-gateway", "shipping"] });
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        const orders = h.world.serviceDeployments.find((d) => d.service === "orders")!;
        const gateway = h.world.serviceDeployments.find((d) => d.service === "api-gateway")!;
        expect(orders.status).to.equal("SUCCESSFUL");
        expect(gateway.createdAt).to.be.at.least(orders.finishedAt!);
    });

    it("F13: a dependency's alarm during its bake, after the engine finished and its dependents moved production traffic, rolls the whole release back", async () => {
        const h = await harness({ changed: ["payments", "orders", "shipping"] });
        blueGreen(h, ["payments", "orders", "shipping", "api-gateway"], { bakeMinutes: 10 });
        h.world.faults.alarmInBake = { payments: 4 * 60_000 };
        let updateReturnedAt = 0;
        const up = h.stack.up.bind(h.stack);
        h.stack.up = async (options) => {
            const result = await up(options);
            if (updateReturnedAt === 0) updateReturnedAt = h.world.clock.now();
            return result;
        };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        const sd = (s: string) => h.world.serviceDeployments.find((d) => d.service === s)!;
        // The engine had finished, and both dependents had moved production traffic, before payments' alarm fired.
        expect(updateReturnedAt).to.be.greaterThan(0);
        expect(updateReturnedAt).to.be.lessThan(sd("payments").rollback!.startedAt);
        const rollout = (s: string) => record.services.find((x) => x.name === s)!.rollout!;
        for (const s of ["orders", "shipping"]) expect(Date.parse(rollout(s).test!.at)).to.be.lessThan(sd("payments").rollback!.startedAt);
        expect(rollout("payments")).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "alarm" });
        for (const s of ["orders", "shipping"]) {
            expect(sd(s).calls.slice(-1)).to.deep.equal(["stop ROLLBACK"]);
            expect(rollout(s)).to.include({ status: "ROLLBACK_SUCCESSFUL", decidedBy: "berth-rollback", stoppedInBake: true });
        }
        for (const s of ["payments", "orders", "shipping"]) expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
        expect(record.summary).to.match(/^the rollout update succeeded but /);
        expect(record.summary).to.contain("payments deployment ROLLBACK_SUCCESSFUL (decided by an alarm (berth-dev-payments-5xx))");
    });

    it("F13: the engine fails on a later service while earlier blue/green deployments it no longer waits for bake: berth sends them back to blue at once", async () => {
        const h = await harness({ changed: ["payments", "orders", "reviews"] });
        blueGreen(h, ["payments", "orders", "shipping", "api-gateway"], { bakeMinutes: 60 });
        h.world.faults.neverStabilises = ["reviews"];
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(h.stack.ups.find((u) => u.changed.includes("reviews"))!.result).to.equal("failed");
        for (const s of ["payments", "orders"]) {
            const d = h.world.serviceDeployments.find((x) => x.service === s)!;
            expect(d.calls.slice(-1), s).to.deep.equal(["stop ROLLBACK"]);
            expect(d.status).to.equal("ROLLBACK_SUCCESSFUL");
            expect(record.services.find((x) => x.name === s)!.rollout).to.include({ decidedBy: "berth-rollback", stoppedInBake: true });
            expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
        }
    });

    it("a traffic-shifting update ECS accepted whose deployment berth never finds fails the release instead of verifying it", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders", "shipping", "api-gateway"], { bakeMinutes: 5 });
        const list = h.ecs.listServiceDeployments.bind(h.ecs);
        let hidden = true;
        h.ecs.listServiceDeployments = async (cluster, name, options) => (hidden && name === "berth-dev-orders" ? [] : list(cluster, name, options));
        const up = h.stack.up.bind(h.stack);
        let ups = 0;
        h.stack.up = async (options) => {
            if (ups++ === 1) hidden = false; // the restore's deployment is found again
            return up(options);
        };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(record.services.find((s) => s.name === "orders")!.rollout).to.include({ status: "NOT_FOUND" });
        expect(record.summary).to.match(/^the rollout update succeeded but orders deployment NOT_FOUND/);
        expect(h.lines).to.include("orders: no deployment found for the update ECS accepted; berth stops looking");
        expect(record.stages.find((st) => st.name === "verify")).to.equal(undefined);
    });

    it("rollback command: a blue/green service's restore deployment is answered too (200 on the test route, any version), and only changed services are watched", async () => {
        const h = await harness({ changed: ["orders"] });
        blueGreen(h, ["orders"], { bakeMinutes: 2 });
        h.world.history.set(h.world.released!.releaseId, h.world.released!);
        expect((await runRelease(h.deps, h.options)).state).to.equal("RELEASED");
        const listed: string[] = [];
        const list = h.ecs.listServiceDeployments.bind(h.ecs);
        h.ecs.listServiceDeployments = async (cluster, name, options) => (listed.push(name), list(cluster, name, options));
        const back = await runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev" });
        expect(back.state).to.equal("RELEASED");
        const restore = h.world.latestServiceDeployment("orders")!;
        expect(restore.calls).to.deep.equal([`continue CONTINUE ${restore.hooks[0].hookId}`]);
        expect(restore.status).to.equal("SUCCESSFUL");
        expect(h.world.running("orders")).to.equal(h.world.services.get("orders")!.originalImage);
        expect(back.services.find((s) => s.name === "orders")!.rollout!.test!.detail).to.equal(`${h.world.outputs.services.orders.url.replace(/\/+$/, "")}/health 200`);
        expect([...new Set(listed)]).to.deep.equal(["berth-dev-orders"]);
    });
});
