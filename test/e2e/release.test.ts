// End to end, as a CI job runs it: `berth deploy|rollback|status` as a subprocess with the real composition (AWS
// SDK clients and their retry settings, the Automation API, docker build/push to a registry) against the AWS
// simulator and the scripted pulumi. One story on one world: each scenario starts from what the previous left.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { useIntegrationEnv } from "../integration/helpers/integrationEnv";
import { World, type RunResult } from "./harness";

interface Released {
    releaseId: string;
    sha: string;
    images: Record<string, string>;
}

describe("e2e: releases over the wire (real CLI, AWS simulator, scripted pulumi, Docker + registry)", function () {
    let world: World;
    let reports = 0;
    let first: Released;

    before(async function () {
        const env = await useIntegrationEnv(this);
        world = await new World(env, { unprovisioned: ["staging"] }).start();
    });
    after(async () => world?.stop());

    /** Runs a release command with --output <file>; returns the process result, the record and the simulator calls it made. */
    async function release(command: "deploy" | "rollback", args: string[] = [], options: Parameters<World["run"]>[2] = {}) {
        const file = path.join(world.root, `report-${++reports}.json`);
        const mark = world.sim.calls.length;
        const result = await world.run(command, [...args, "--output", file], options);
        const record = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
        const calls = world.sim.calls.slice(mark).filter((c) => !c.error);
        const count = (api: string, op: string) => calls.filter((c) => c.api === api && c.operation === op).length;
        return { result, record, calls, count };
    }

    function explain(result: RunResult): string {
        return `exit ${result.code}\n--- stderr (end)\n${result.stderr.slice(-4000)}\n--- stdout (end)\n${result.stdout.slice(-2000)}`;
    }

    async function status(): Promise<any> {
        const result = await world.run("status", ["--json"]);
        expect(result.code, explain(result)).to.equal(0);
        return JSON.parse(result.stdout);
    }

    /** Every service runs what the stack registered, and the released set names what runs. */
    async function expectSettled(released: Released): Promise<void> {
        const st = await status();
        expect(st.released.releaseId).to.equal(released.releaseId);
        for (const s of st.services) {
            expect(s.matchesStack, `${s.service} runs ${s.runningTaskDefinition}, the stack has ${s.stackTaskDefinition}`).to.equal(true);
            expect(s.deployments.map((d: any) => `${d.status} ${d.rolloutState}`), s.service).to.deep.equal(["PRIMARY COMPLETED"]);
            expect(world.digestOf(s.service), s.service).to.equal(released.images[s.service]);
        }
    }

    it("F07 F11: releases the 12-service example — builds, migrates, rolls out in dependency order, verifies, records", async () => {
        const sha = world.head();
        const { result, record, count, calls } = await release("deploy");
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        expect(record.migration.outcome).to.equal("succeeded");
        const released = world.released() as Released;
        expect(released.sha).to.equal(sha);
        expect(Object.keys(released.images)).to.have.length(12);
        // 12 service task definitions and the migration's; every service updated once; one migration task.
        expect(count("ecs", "RegisterTaskDefinition")).to.equal(13);
        expect(count("ecs", "UpdateService")).to.equal(12);
        expect(count("ecs", "RunTask")).to.equal(1);
        expect(count("ecr", "PutImage"), "rel-<id> tags").to.equal(12);
        // Nothing starts before what it waits for has finished its update (F11).
        const updated = calls.filter((c) => c.operation === "UpdateService").map((c) => String(c.input.service).replace("berth-dev-", ""));
        const waits = Object.fromEntries(world.synthesis.settings.services.map((s) => [s.name, s.waitsFor]));
        for (const [i, name] of updated.entries()) for (const dep of waits[name]) expect(updated.indexOf(dep), `${dep} before ${name}`).to.be.lessThan(i);
        // --parallel 4 (the default) bounds the service updates in flight at once; the level of five uses all four.
        const spans = Object.values(world.rolloutSpans());
        const overlap = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && e > start).length));
        expect(overlap, "service updates in flight at once").to.equal(4);
        expect(world.status(), "working tree").to.equal("");
        await expectSettled(released);
        first = released;
    });

    it("an unchanged re-release is NOTHING_TO_DO: 0 builds, 0 updates, nothing written", async () => {
        const updatesBefore = world.pulumiInvocations().filter((i) => i.argv?.[0] === "up").length;
        const { result, record, calls } = await release("deploy");
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("NOTHING_TO_DO");
        expect(result.stderr).to.not.match(/building /);
        expect(world.pulumiInvocations().filter((i) => i.argv?.[0] === "up").length).to.equal(updatesBefore);
        expect(calls.filter((c) => ["RegisterTaskDefinition", "UpdateService", "RunTask", "PutImage", "PutParameter"].includes(c.operation))).to.deep.equal([]);
        expect(world.status()).to.equal("");
    });

    for (const [mode, outcome, says] of [
        ["fail", "failed", 'migrate | error: relation "widgetz" does not exist'],
        ["hang", "timed-out", "migration timed out"],
        ["cannot-start", "could-not-start", "CannotPullContainerError"],
    ] as const) {
        it(`F02: a migration that ends ${outcome} stops the release before any service changes`, async () => {
            const before = world.released() as Released;
            world.commit({ accounts: { SIM_MIGRATION: mode } }, `accounts: migration ${mode}`);
            try {
                const { result, record, count } = await release("deploy");
                expect(result.code, explain(result)).to.equal(1);
                expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
                expect(record.migration.outcome).to.equal(outcome);
                expect(result.stderr + result.stdout).to.include(says);
                expect(count("ecs", "UpdateService"), "no service was changed").to.equal(0);
                expect(world.digestOf("accounts")).to.equal(before.images.accounts);
                expect((world.released() as Released).releaseId).to.equal(before.releaseId);
                expect(world.status()).to.equal("");
            } finally {
                world.revert(before.sha, ["accounts"]);
            }
        });
    }

    it("F13: a circuit-breaker rollback is seen as FAILED; berth rolls the service back to the released image", async () => {
        const before = world.released() as Released;
        world.commit({ search: { SIM_BEHAVIOUR: "crash" } }, "search: crashes on start");
        try {
            const { result, record } = await release("deploy");
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            expect(result.stderr).to.include("ECS deployment circuit breaker: tasks failed to start.");
            // ECS's circuit breaker tripped on the new deployment (ROLLBACK_REQUESTED); berth's own rollback followed.
            const tripped = world.sim.ecs.service(world.outputs.clusterName, "berth-dev-search")!.records.filter((r) => r.failedAt !== undefined);
            expect(tripped.map((r) => r.statusReason)).to.deep.equal(["ECS deployment circuit breaker: tasks failed to start."]);
            expect(world.sim.ecs.failures.filter((f) => f.service.endsWith("/berth-dev-search")).length).to.be.at.least(3);
            expect(world.digestOf("search")).to.equal(before.images.search);
            expect((world.released() as Released).releaseId).to.equal(before.releaseId);
            expect(world.status()).to.equal("");
            await expectSettled(before);
        } finally {
            world.revert(before.sha, ["search"]);
        }
    });

    it("F07 F13: a silent rollback (the provider reports success, ECS runs the old task definition) is caught and rolled back", async () => {
        const before = world.released() as Released;
        world.provider({ reportsRollbackAsSuccess: true });
        try {
            world.commit({ reviews: { SIM_BEHAVIOUR: "crash" } }, "reviews: crashes on start");
            const { result, record } = await release("deploy");
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            const reviews = record.services.find((s: any) => s.name === "reviews");
            expect(JSON.stringify(reviews.verification)).to.match(/ECS rolled back to berth-dev-reviews:\d+/);
            expect(world.digestOf("reviews")).to.equal(before.images.reviews);
            expect(world.status()).to.equal("");
        } finally {
            world.provider({ reportsRollbackAsSuccess: false });
            world.revert(before.sha, ["reviews"]);
        }
    });

    it("F12 F13: targets that never turn healthy fail the release and the service is rolled back", async () => {
        const before = world.released() as Released;
        world.commit({ catalog: { SIM_BEHAVIOUR: "unhealthy" } }, "catalog: fails its health check");
        try {
            const { result, record } = await release("deploy");
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            expect(world.sim.ecs.failures.some((f) => f.service.endsWith("/berth-dev-catalog"))).to.equal(true);
            expect(world.digestOf("catalog")).to.equal(before.images.catalog);
            expect(world.status()).to.equal("");
        } finally {
            world.revert(before.sha, ["catalog"]);
        }
    });

    it("F12: a smoke test answered 502 through the ALB fails verification and rolls back", async () => {
        const before = world.released() as Released;
        world.commit({ inventory: { SIM_BEHAVIOUR: "smoke-5xx" } }, "inventory: 502 behind the ALB");
        try {
            const { result, record } = await release("deploy");
            expect(result.code, explain(result)).to.equal(1);
            expect(record.state).to.equal("ROLLED_BACK");
            const inventory = record.services.find((s: any) => s.name === "inventory");
            const smoke = inventory.verification.checks.find((c: any) => c.name === "smoke");
            expect(smoke.ok).to.equal(false);
            expect(smoke.detail).to.match(/\/inventory\/health 502$/);
            expect(world.digestOf("inventory")).to.equal(before.images.inventory);
            await expectSettled(before);
        } finally {
            world.revert(before.sha, ["inventory"]);
        }
    });

    it("throttling storms on every AWS API at once (ECS, ECR, Logs, SSM, ELBv2) are retried and the release completes", async () => {
        world.commit({ accounts: { note: "storm" }, shipping: { note: "storm" } }, "accounts, shipping: a change");
        const marks = world.sim.calls.length;
        world.sim.faults = { throttle: { ecs: { rate: 0.3 }, ecr: { rate: 0.3 }, logs: { rate: 0.3 }, ssm: { rate: 0.3 }, elbv2: { rate: 0.3 } } };
        try {
            const { result, record } = await release("deploy");
            expect(result.code, explain(result)).to.equal(0);
            expect(record.state).to.equal("RELEASED");
            const refused = world.sim.calls.slice(marks).filter((c) => c.error);
            for (const [api, code] of [["ecs", "ThrottlingException"], ["ecr", "ThrottlingException"], ["logs", "ThrottlingException"], ["ssm", "ThrottlingException"], ["elbv2", "Throttling"]]) {
                expect(refused.filter((c) => c.api === api && c.error === code).length, `${api} throttled`).to.be.greaterThan(0);
            }
            // One retry layer: the SDK clients' (automation/adapters/aws.ts), one line per retry.
            expect(result.stderr).to.match(/retrying (ECS|ECR|SSM|CloudWatchLogs)\.\w+ \(attempt [2-8]\/8\): ThrottlingException: Rate exceeded/);
            expect(result.stderr).to.match(/retrying ElasticLoadBalancingV2\.DescribeTargetHealth \(attempt [2-8]\/8\): Throttling: /);
        } finally {
            world.sim.faults = {};
        }
        expect(world.status()).to.equal("");
        await expectSettled(world.released() as Released);
    });

    it("eventual consistency: a migration task missing from DescribeTasks at first and lagging SSM reads still release", async () => {
        world.commit({ accounts: { note: "eventual" } }, "accounts: another change");
        world.sim.faults = { missingTaskSeconds: 20, ssmLagSeconds: 30 };
        const hidden = world.sim.hiddenTaskReads;
        try {
            const { result, record } = await release("deploy");
            expect(result.code, explain(result)).to.equal(0);
            expect(record.state).to.equal("RELEASED");
            expect(world.sim.hiddenTaskReads - hidden, "DescribeTasks left the new task out").to.be.greaterThan(0);
            expect(world.released()!.releaseId).to.equal(record.id);
        } finally {
            world.sim.faults = {};
        }
    });

    it("F12: a second release while one is rolling out gets the stack's 409 and stops before building (exit 3)", async () => {
        // A large image (10 min to pull and start, sim time) keeps the first release's update holding the stack.
        world.commit({ notifications: { SIM_BEHAVIOUR: "slow-start" } }, "notifications: a large image");
        const other = path.join(world.root, "second-checkout");
        world.git("clone", "-q", world.project, other);
        const second = deferred();
        const first = world.run("deploy", ["--output", path.join(world.root, "concurrent-a.json")], {
            interrupt: (stderr) => {
                if (!/Updating service → notifications/.test(stderr)) return false;
                void second.resolve();
                return false;
            },
        });
        await Promise.race([second.promise, first]);
        const clash = await world.run("deploy", [], { cwd: other });
        expect(clash.code, explain(clash)).to.equal(3);
        expect(clash.stderr).to.include("stack dev is locked: another update is in progress");
        expect(clash.stderr).to.not.match(/building /);
        const done = await first;
        expect(done.code, explain(done)).to.equal(0);
        expect(world.status()).to.equal("");
    });

    it("Ctrl-C mid-rollout (SIGINT to the process group, as a terminal sends it) stops gracefully: INTERRUPTED, exit 2, no pending operations", async () => {
        world.commit({ orders: { note: "ctrl-c" }, payments: { note: "ctrl-c" } }, "orders, payments: a change");
        const file = path.join(world.root, "interrupted.json");
        const result = await world.run("deploy", ["--output", file], { interrupt: (stderr) => /Updating service → payments/.test(stderr) });
        expect(result.code, explain(result)).to.equal(2);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).state).to.equal("INTERRUPTED");
        // Only berth decides when the engine stops: the pulumi child sees one SIGINT, never the second that terminates.
        const sigints = world.pulumiInvocations().filter((i) => i.signal === "SIGINT");
        expect(sigints.map((i) => i.count)).to.deep.equal([1]);
        expect(world.pulumiState().stacks.dev.pendingOperations ?? []).to.deep.equal([]);
        expect(world.status(), "working tree").to.equal("");
        // Finish the release that was interrupted, so the next scenarios start from a verified one.
        const again = await release("deploy");
        expect(again.result.code, explain(again.result)).to.equal(0);
    });

    it("rollback without --to returns to the release before the current one", async () => {
        const current = world.released() as Released;
        const history = world.history();
        const previous = history.filter((h) => h.releaseId !== current.releaseId).at(-1) as Released;
        const { result, record } = await release("rollback");
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        expect(result.stderr).to.include(previous.releaseId);
        for (const [service, digest] of Object.entries(previous.images)) expect(world.digestOf(service), service).to.equal(digest);
        expect(world.status()).to.equal("");
        await expectSettled(world.released() as Released);
    });

    it("rollback --to <release id> returns every service to that release and records it as a new release", async () => {
        const { result, record } = await release("rollback", ["--to", first.releaseId]);
        expect(result.code, explain(result)).to.equal(0);
        expect(record.state).to.equal("RELEASED");
        const now = world.released() as Released;
        expect(now.releaseId).to.not.equal(first.releaseId);
        expect(now.images).to.deep.equal(first.images);
        expect(world.status()).to.equal("");
        await expectSettled(now);
    });

    it("a stack that was never provisioned gets one sentence saying to run `pulumi up` first (exit 3)", async () => {
        const result = await world.run("deploy", [], { stack: "staging" });
        expect(result.code, explain(result)).to.equal(3);
        expect(result.stderr).to.include("pulumi up");
        expect(result.stderr).to.not.match(/\n\s+2\. /);
        expect(result.stderr).to.not.include("a bug");
    });

    for (const kind of ["unrecognized", "expired"] as const) {
        it(`${kind} AWS credentials: one line naming the call, the cause and the fix; exit 3, nothing changed`, async () => {
            world.sim.faults = { credentials: kind };
            const mark = world.sim.calls.length;
            try {
                const result = await world.run("deploy");
                expect(result.code, explain(result)).to.equal(3);
                expect(result.stderr).to.include(kind === "unrecognized" ? "UnrecognizedClientException" : "ExpiredTokenException");
                expect(result.stderr).to.not.include("a bug");
                expect(result.stderr).to.not.match(/\n\s+at /);
                expect(world.sim.calls.slice(mark).filter((c) => !c.error)).to.deep.equal([]);
            } finally {
                world.sim.faults = {};
            }
        });
    }
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
}
