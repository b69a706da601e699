// End to end: bakes that overlap. catalog → search → api-gateway (and reviews) all release blue/green, so no rolling
// service waits for them and the program lets the engine go on once ECS accepted each update (rollout.engineWaits
// false): the scripted pulumi's update returns right after UpdateService, and the real CLI's rollout watch alone
// holds search's hook until catalog moved production traffic, follows both bakes, and verifies only after them.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { useIntegrationEnv } from "../integration/helpers/integrationEnv";
import type { ServiceDeploymentRecord } from "../sim/ecs";
import { World, type RunResult } from "./harness";

const BLUE_GREEN = { strategy: "blueGreen" as const, bakeMinutes: 10, pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT" as const, timeoutMinutes: 10 }] };

describe("e2e: blue/green bakes overlap — the engine goes on once ECS accepted an update, berth's watch waits", function () {
    let world: World;
    let reports = 0;

    before(async function () {
        const env = await useIntegrationEnv(this);
        world = await new World(env, { rollouts: { catalog: BLUE_GREEN, search: BLUE_GREEN, reviews: BLUE_GREEN, "api-gateway": BLUE_GREEN } }).start();
    });
    after(async () => world?.stop());

    async function release(args: string[]) {
        const file = path.join(world.root, `overlap-${++reports}.json`);
        const mark = world.sim.calls.length;
        const eventsFile = path.join(world.state, "events.jsonl");
        const eventLines = fs.existsSync(eventsFile) ? fs.readFileSync(eventsFile, "utf8").trim().split("\n").length : 0;
        const result = await world.run("deploy", [...args, "--output", file]);
        const record = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
        return { result, record, spans: firstUpdateSpans(eventsFile, eventLines), calls: world.sim.calls.slice(mark).filter((c) => !c.error) };
    }

    /** Per-service [start, end] (sim seconds) of the release's first `up` (the rollout; a restore update follows on failure). */
    function firstUpdateSpans(file: string, from: number): Record<string, [number, number]> {
        const spans: Record<string, [number, number]> = {};
        for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(from)) {
            const e = JSON.parse(line);
            if (e.command === "up" && e.summaryEvent && Object.keys(spans).length > 0) break;
            const meta = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
            const m = meta && e.command === "up" && /::svc-(.+)-service$/.exec(meta.urn);
            if (!m) continue;
            if (e.resourcePreEvent) spans[m[1]] = [e.timestamp, e.timestamp];
            else spans[m[1]][1] = e.timestamp;
        }
        return spans;
    }

    function explain(result: RunResult): string {
        return `exit ${result.code}\n--- stderr (end)\n${result.stderr.slice(-4000)}\n--- stdout (end)\n${result.stdout.slice(-2000)}`;
    }

    function deploymentOf(record: any, service: string): ServiceDeploymentRecord {
        const arn = record.services.find((s: any) => s.name === service).rollout.deploymentArn;
        return world.sim.ecs.serviceDeployment(arn)!.record;
    }

    it("the engine is done within seconds; search's hook is held until catalog moved production traffic; the bakes overlap; verify starts after the last one", async () => {
        expect(world.outputs.services.catalog.rollout).to.include({ engineWaits: false });
        const sha = world.commit({ catalog: { note: "overlap" }, search: { note: "overlap" } }, "catalog and search: released blue/green together");
        const { result, record, spans, calls } = await release(["--services", "catalog,search"]);
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        const catalog = deploymentOf(record, "catalog");
        const search = deploymentOf(record, "search");
        expect([catalog.status, search.status]).to.deep.equal(["SUCCESSFUL", "SUCCESSFUL"]);
        // The scripted engine updated search right after catalog's update was accepted, and was done before any bake ended.
        expect(spans.search[0] * 1000, "search's update starts before catalog's bake").to.be.lessThan(catalog.finishedAt! - 9 * 60_000);
        expect(Math.max(spans.catalog[1], spans.search[1]) * 1000).to.be.lessThan(catalog.finishedAt! - 9 * 60_000);
        // F11: search's green took production traffic only after catalog's had.
        expect(result.stderr).to.contain("search: holding its POST_TEST_TRAFFIC_SHIFT hook until catalog moved production traffic (F11)");
        const continued = (d: ServiceDeploymentRecord) => calls.find((c) => c.operation === "ContinueServiceDeployment" && c.input.serviceDeploymentArn === d.arn && c.input.action === "CONTINUE")!.at;
        expect(continued(search)).to.be.greaterThan(continued(catalog));
        // …long before catalog's 10-minute bake ended: the two bakes overlap, the release pays about one.
        expect(continued(search)).to.be.lessThan(catalog.finishedAt! - 5 * 60_000);
        expect(search.finishedAt! - catalog.finishedAt!).to.be.lessThan(5 * 60_000);
        const verify = record.stages.find((s: any) => s.name === "verify");
        expect(verify.outcome).to.equal("ok");
        expect(Date.parse(verify.startedAt)).to.be.at.least(Math.max(catalog.finishedAt!, search.finishedAt!));
        expect(world.digestOf("search")).to.equal((world.released() as { images: Record<string, string> }).images.search);
        expect(record.sha).to.equal(sha);
        expect(world.status()).to.equal("");
    });

    it("catalog's alarm fires during its bake after the engine finished and search moved production traffic: the whole release rolls back", async () => {
        const before = world.released() as { releaseId: string; images: Record<string, string> };
        const head = world.head();
        world.commit({ catalog: { SIM_BEHAVIOUR: "degrades" }, search: { note: "with a degrading catalog" } }, "catalog degrades under load; search changes too");
        try {
            const { result, record, spans, calls } = await release(["--services", "catalog,search"]);
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            const catalog = deploymentOf(record, "catalog");
            const search = deploymentOf(record, "search");
            expect(catalog.status).to.equal("ROLLBACK_SUCCESSFUL");
            expect(catalog.statusReason).to.equal(`CloudWatch alarm(s) ${world.outputs.services.catalog.rollout.alarmNames[0]} in ALARM state.`);
            // The engine's updates had ended before the alarm, and search had already moved production traffic.
            expect(Math.max(spans.catalog[1], spans.search[1]) * 1000).to.be.lessThan(catalog.rollback!.startedAt);
            const searchContinued = calls.find((c) => c.operation === "ContinueServiceDeployment" && c.input.serviceDeploymentArn === search.arn)!;
            expect(searchContinued.input.action).to.equal("CONTINUE");
            expect(searchContinued.at).to.be.lessThan(catalog.rollback!.startedAt);
            // berth sent search back to blue inside its bake, then the rollback update restored both.
            expect(calls.filter((c) => c.operation === "StopServiceDeployment").map((c) => c.input.serviceDeploymentArn)).to.include(search.arn);
            expect(search.status).to.equal("ROLLBACK_SUCCESSFUL");
            const rollout = (s: string) => record.services.find((x: any) => x.name === s).rollout;
            expect(rollout("catalog")).to.include({ decidedBy: "alarm" });
            expect(rollout("search")).to.include({ decidedBy: "berth-rollback", stoppedInBake: true });
            for (const s of ["catalog", "search"]) expect(world.digestOf(s)).to.equal(before.images[s]);
            expect((world.released() as { releaseId: string }).releaseId).to.equal(before.releaseId);
            expect(world.status()).to.equal("");
        } finally {
            world.revert(head, ["catalog", "search"]);
        }
    });
});
