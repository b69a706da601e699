// Scenario tests of the release orchestrator over faithful fakes: every scenario ends in an
// asserted final state and exit code. Failure ids from shared/FAILURES.md are cited in the test names.
import { expect } from "chai";
import { runRelease } from "../../../automation/commands/deploy";
import { runRollback } from "../../../automation/commands/rollback";
import { readStatus } from "../../../automation/commands/status";
import { ReleaseInputError } from "../../../automation/plan/errors";
import { exitCodeFor, renderMarkdown } from "../../../automation/plan/report";
import { StackLockedError } from "../../../automation/ports";
import { main } from "../../../automation/cli";
import { imageTagFor } from "../../../automation/plan/release";
import { CONTEXT, harness, SHA } from "../fakes/harness";
import type { FakeSource } from "../fakes/world";

const ALL = ["config-server", "discovery-server", "api-gateway", "accounts", "catalog", "inventory", "orders", "payments", "shipping", "notifications", "reviews", "search"];

describe("release scenarios (12-service example)", () => {
    it("F02/F07/F11/F12: happy path builds all 12, migrates first, rolls in level order, verifies, tags and records", async () => {
        const h = await harness({ changed: ALL });
        const owner = h.world.outputs.migration.service as string;
        const sequence: string[] = [];
        const up = h.stack.up.bind(h.stack);
        h.stack.up = async (o) => (sequence.push(`up ${h.stack.ups.length + 1}`), up(o));
        const runTask = h.ecs.runTask.bind(h.ecs);
        h.ecs.runTask = async (r) => (sequence.push("migration"), runTask(r));
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        expect(exitCodeFor(record.state)).to.equal(0);
        expect(h.world.builds).to.have.length(12);
        expect(h.builder.logins).to.equal(1);
        // prepare (berth:migrationImage: the migration task definition only), the migration, then one rollout update
        expect(sequence).to.deep.equal(["up 1", "migration", "up 2"]);
        expect(h.stack.ups).to.have.length(2);
        expect(h.stack.ups[0].migrationImage).to.equal(record.imagesNow[owner]);
        for (const s of ALL) expect(h.stack.ups[0].images[s]).to.equal(h.world.services.get(s)!.originalImage);
        expect(h.stack.ups[0].changed).to.deep.equal(["migration"]);
        expect(h.stack.ups[1]).to.not.have.property("migrationImage");
        expect(h.stack.ups[1].changed).to.not.include("migration"); // already on the owner's new image
        expect(h.stack.migrationImage).to.equal(undefined);
        expect(h.world.runTasks).to.have.length(1);
        expect(h.world.runTasks[0].subnets).to.deep.equal(h.world.outputs.network.privateSubnetIds);
        expect(h.world.runTasks[0].securityGroups).to.deep.equal(h.world.outputs.migration.securityGroupIds);
        expect(h.world.runTasks[0].taskDefinition).to.match(/berth-dev-migrate:2$/);
        expect(record.migration.outcome).to.equal("succeeded");
        expect(h.lines.some((l) => l.includes("migrate | applying 0042_orders.sql"))).to.equal(true);
        const order = h.stack.ups[1].changed;
        expect(order.indexOf("config-server")).to.be.lessThan(order.indexOf("discovery-server"));
        expect(order.indexOf("shipping")).to.be.lessThan(order.indexOf("api-gateway"));
        for (const s of ALL) {
            expect(h.world.running(s)).to.equal(record.imagesNow[s]);
            expect(h.world.versions.get(h.world.running(s))).to.equal(SHA);
            expect(record.services.find((x) => x.name === s)!.verification!.ok).to.equal(true);
        }
        expect(h.world.releasedWrites).to.have.length(1);
        expect(h.world.released!.images).to.deep.equal(record.imagesNow);
        expect(h.world.addedTags.filter((t) => t.tag === `rel-${record.id}`)).to.have.length(12);
        expect(h.lines.some((l) => /Updated service → api-gateway/.test(l))).to.equal(true);
    });

    it("nothing changed: 0 builds, 0 updates, NOTHING_TO_DO (exit 0)", async () => {
        const h = await harness({ changed: [] });
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("NOTHING_TO_DO");
        expect(exitCodeFor(record.state)).to.equal(0);
        expect(h.world.builds).to.have.length(0);
        expect(h.stack.ups).to.have.length(0);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("F06: one of many builds fails → FAILED_BEFORE_CHANGE naming the service and log tail; no stack update", async () => {
        const h = await harness({ changed: ["catalog", "orders", "search", "reviews"] });
        h.world.faults.buildFails = { orders: ["Step 7/9 : RUN npm ci", "\u001b[31mnpm ERR!\u001b[0m code E404"] };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(exitCodeFor(record.state)).to.equal(1);
        expect(record.summary).to.match(/build of orders failed/);
        expect(h.lines).to.include("  build orders | npm ERR! code E404");
        expect(h.stack.ups).to.have.length(0);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("F06: a tag that already exists is reused, not rebuilt", async () => {
        const h = await harness({ changed: ["catalog", "search"] });
        const existing = `sha256:${"e".repeat(64)}`;
        h.world.tags.set("berth/dev/catalog", new Map([[SHA, existing]]));
        h.world.versions.set(existing, SHA);
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        expect(exitCodeFor(record.state)).to.equal(0);
        expect(h.world.builds.map((b) => b.imageRef)).to.deep.equal([`${h.world.outputs.services.search.repositoryUrl}:${SHA}`]);
        expect(record.services.find((s) => s.name === "catalog")!.action).to.equal("reuse-tag");
        expect(h.world.running("catalog")).to.equal(existing);
    });

    it("F06: --allow-dirty never reuses the clean build of the sha: the dirty tree is built and tagged <sha>-dirty-<contexts>", async () => {
        const h = await harness({ changed: ["catalog"] });
        const clean = `sha256:${"e".repeat(64)}`;
        h.world.tags.set("berth/dev/catalog", new Map([[SHA, clean]]));
        h.world.versions.set(clean, SHA);
        (h.deps.source as FakeSource).dirty = ["services/app/src/index.ts"];
        const record = await runRelease(h.deps, { ...h.options, allowDirty: true });
        expect(record.state).to.equal("RELEASED");
        const dirtyTag = imageTagFor(SHA, Object.fromEntries(ALL.map((s) => [s, CONTEXT])));
        expect(dirtyTag).to.match(new RegExp(`^${SHA}-dirty-[0-9a-f]{12}$`));
        expect(h.world.builds.map((b) => b.imageRef)).to.deep.equal([`${h.world.outputs.services.catalog.repositoryUrl}:${dirtyTag}`]);
        const catalog = record.services.find((s) => s.name === "catalog")!;
        expect(catalog.action).to.equal("build");
        expect(catalog.digest).to.not.equal(clean);
        expect(h.world.running("catalog")).to.equal(catalog.digest);
        // the sha's tag still names the clean build; the dirty build has its own
        expect(h.world.tags.get("berth/dev/catalog")!.get(SHA)).to.equal(clean);
        expect(h.world.tags.get("berth/dev/catalog")!.get(dirtyTag)).to.equal(catalog.digest);
        expect(h.lines).to.include(`dirty tree: images are tagged ${dirtyTag}, not ${SHA.slice(0, 12)}`);
    });

    it("F02: migration exits non-zero → FAILED_BEFORE_CHANGE, no service changed, config restored", async () => {
        const h = await harness({ changed: ["accounts", "orders"] });
        h.world.faults.migration = { exitCode: 1, logLines: ["applying 0042", "ERROR: relation exists"] };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(exitCodeFor(record.state)).to.equal(1);
        expect(record.migration).to.include({ outcome: "failed", exitCode: 1 });
        expect(record.summary).to.match(/migration failed .*see the 2 log lines above; no service was changed/);
        for (const s of ALL) expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
        // prepare, then the update pointing the migration task definition back; neither changes a service
        expect(h.stack.ups).to.have.length(2);
        expect(h.stack.ups.map((u) => u.changed)).to.deep.equal([["migration"], ["migration"]]);
        expect(h.stack.ups[1]).to.not.have.property("migrationImage");
        expect(h.stack.migrationImage).to.equal(undefined);
        expect(h.stack.config.accounts).to.equal(h.world.services.get("accounts")!.originalImage);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("F02: migration cannot start (RunTask failures, or stopped without exit code) → could-not-start", async () => {
        for (const cannotStart of ["failures", "stopped"] as const) {
            const h = await harness({ changed: ["accounts"] });
            h.world.faults.migration = { cannotStart };
            const record = await runRelease(h.deps, h.options);
            expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
            expect(exitCodeFor(record.state)).to.equal(1);
            expect(record.migration.outcome).to.equal("could-not-start");
            expect(record.migration.detail).to.match(cannotStart === "failures" ? /capacity/ : /CannotPullContainerError/);
            expect(h.world.running("accounts")).to.equal(h.world.services.get("accounts")!.originalImage);
        }
    });

    it("F02: migration never stops → timed-out at the overall timeout with steady polls", async () => {
        const h = await harness({ changed: ["accounts"] });
        h.world.faults.migration = { neverStops: true };
        const t0 = h.world.clock.now();
        const record = await runRelease(h.deps, { ...h.options, timeouts: { migrationSeconds: 120, pollSeconds: 5 } });
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(record.migration.outcome).to.equal("timed-out");
        expect(record.migration.durationMs).to.be.within(120_000, 125_000);
        expect(h.world.clock.now() - t0).to.be.lessThan(400_000);
        expect(h.world.running("accounts")).to.equal(h.world.services.get("accounts")!.originalImage);
    });

    it("F02: a failing migration changes no service's task definition; the migration task definition points back (FAILED_BEFORE_CHANGE)", async () => {
        const h = await harness({ changed: ["accounts", "orders", "catalog"] });
        h.world.faults.migration = { exitCode: 3 };
        const owner = h.world.outputs.migration.service as string;
        const taskDefinitions = Object.fromEntries(ALL.map((s) => [s, h.world.outputs.services[s].taskDefinitionArn as string]));
        const ownerImage = h.world.tds.get(h.world.outputs.migration.taskDefinitionArn)!.image;
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(exitCodeFor(record.state)).to.equal(1);
        expect(record.summary).to.match(/no service was changed/);
        for (const s of ALL) {
            expect(h.world.outputs.services[s].taskDefinitionArn).to.equal(taskDefinitions[s]);
            expect(h.world.revisions.get(h.world.outputs.services[s].taskDefinitionFamily)).to.equal(1);
            expect(h.world.services.get(s)!.deployments).to.have.length(1);
            expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
        }
        // the migration ran on this release's image of its owner; afterwards its task definition is back on the current one
        expect(h.world.tds.get(h.world.runTasks[0].taskDefinition)!.image).to.equal(record.services.find((x) => x.name === owner)!.digest);
        expect(h.world.tds.get(h.world.outputs.migration.taskDefinitionArn)!.image).to.equal(ownerImage);
        expect(h.stack.ups.map((u) => u.migrationImage)).to.deep.equal([record.services.find((x) => x.name === owner)!.digest, undefined]);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("F13: a service that never stabilises → update fails → ROLLED_BACK to the previous images", async () => {
        const h = await harness({ changed: ["catalog", "orders"] });
        h.world.faults.neverStabilises = ["orders"];
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(exitCodeFor(record.state)).to.equal(1);
        for (const s of ["catalog", "orders"]) {
            expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
            expect(record.services.find((x) => x.name === s)!.rollback).to.equal("restored");
        }
        expect(h.world.released!.releaseId).to.equal("20260301-120000-0000000");
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("F07/F13: circuit breaker rolled back while the update 'succeeded' → detected by task definition, ROLLED_BACK", async () => {
        const h = await harness({ changed: ["payments"] });
        h.world.faults.circuitBreaker = ["payments"];
        const record = await runRelease(h.deps, h.options);
        expect(h.stack.ups[1].result).to.equal("succeeded");
        expect(record.state).to.equal("ROLLED_BACK");
        expect(exitCodeFor(record.state)).to.equal(1);
        const v = record.services.find((s) => s.name === "payments")!.verification!;
        expect(v.checks.find((c) => c.name === "task definition")!.ok).to.equal(false);
        expect(h.world.running("payments")).to.equal(h.world.services.get("payments")!.originalImage);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("F12/F13: unhealthy targets → stops after one failed task (not the circuit-breaker threshold of 3), ROLLED_BACK", async () => {
        const h = await harness({ changed: ["inventory"] });
        h.world.faults.unhealthyTargets = ["inventory"];
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        const v = record.services.find((s) => s.name === "inventory")!.verification!;
        expect(v.checks.find((c) => c.name === "targets healthy")!.ok).to.equal(false);
        expect(v.checks.find((c) => c.name === "gave up")!.detail).to.match(/failed task|polls in a row/);
        expect(h.world.primary("inventory").failedTasks).to.equal(0); // restored deployment
        expect(h.lines.some((l) => /inventory failed verification/.test(l))).to.equal(true);
        expect(record.stages.find((s) => s.name === "verify")!.durationMs).to.be.lessThan(90_000);
        expect(h.world.running("inventory")).to.equal(h.world.services.get("inventory")!.originalImage);
    });

    it("F12: smoke returns 5xx → bounded retries, ROLLED_BACK", async () => {
        const h = await harness({ changed: ["search"] });
        h.world.faults.smoke5xx = ["search"];
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("ROLLED_BACK");
        expect(exitCodeFor(record.state)).to.equal(1);
        const v = record.services.find((s) => s.name === "search")!.verification!;
        expect(v.checks.find((c) => c.name === "smoke")!.detail).to.match(/search\/health 503/);
        expect(h.http.calls.filter((u) => u.endsWith("/search/health")).length).to.be.within(3, 5);
    });

    it("F13: the rollback itself fails → NEEDS_ATTENTION saying what runs now", async () => {
        const h = await harness({ changed: ["search"] });
        h.world.faults.smoke5xx = ["search"];
        h.world.faults.rollbackUpFails = true;
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("NEEDS_ATTENTION");
        expect(exitCodeFor(record.state)).to.equal(2);
        expect(record.summary).to.match(/What runs now: search: PRIMARY berth-dev-search:2/);
        expect(record.services.find((s) => s.name === "search")!.rollback).to.equal("failed");
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("throttling burst on ECS describes → retried by the SDK client (a line per retry) and RELEASED", async () => {
        // 4 throttled attempts fit in one call's 8 attempts (AWS_RETRY in adapters/aws.ts); nothing above the client retries.
        const h = await harness({ changed: ["reviews", "accounts"] });
        h.world.faults.throttleDescribes = 4;
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("RELEASED");
        expect(exitCodeFor(record.state)).to.equal(0);
        expect(h.world.faults.throttleDescribes).to.equal(0);
        expect(h.lines).to.include("retrying ECS.DescribeTasks (attempt 2/8): ThrottlingException: Rate exceeded");
        expect(h.lines).to.include("retrying ECS.DescribeTasks (attempt 5/8): ThrottlingException: Rate exceeded");
        expect(h.lines.filter((l) => l.startsWith("retrying "))).to.have.length(4);
    });

    it("F13: the AWS client gives up during verification (persistent throttling) → rollback attempted, record, NEEDS_ATTENTION (exit 2), no crash", async () => {
        const h = await harness({ changed: ["search"] });
        const up = h.stack.up.bind(h.stack);
        // from the end of the rollout update on, every DescribeServices attempt is throttled
        h.stack.up = async (o) => {
            const result = await up(o);
            h.world.faults.throttleAlways = ["ecs:DescribeServices"];
            return result;
        };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("NEEDS_ATTENTION");
        expect(exitCodeFor(record.state)).to.equal(2);
        const gaveUp =
            "ecs:DescribeServices: AWS kept failing, retries given up after 8 attempts (ThrottlingException: Rate exceeded) — AWS is throttling or unavailable: wait a few minutes and rerun (a smaller --parallel makes fewer calls)";
        expect(record.stages.map((st) => [st.name, st.outcome])).to.deep.include.members([["verify", "failed"], ["rollback", "failed"]]);
        expect(record.stages.find((st) => st.name === "verify")!.detail).to.equal(`verification failed: ${gaveUp}`);
        expect(record.summary).to.match(new RegExp(`^verification failed: .*; the rollback update succeeded but search \\(verify: .*\\) did not verify`));
        // the rollback update ran: search is back on its previous image
        expect(h.stack.ups).to.have.length(2);
        expect(h.world.running("search")).to.equal(h.world.services.get("search")!.originalImage);
        expect(record.services.find((x) => x.name === "search")!.rollback).to.equal("failed");
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("a credentials error before anything changed is one line naming the call, the cause and the fix (exit 3)", async () => {
        const h = await harness({ changed: ["search"] });
        h.world.faults.awsError = { "ssm:GetParameter": Object.assign(new Error("The security token included in the request is invalid."), { name: "UnrecognizedClientException", $metadata: { httpStatusCode: 400 } }) };
        const stderr: string[] = [];
        const code = await main(["deploy", "--stack", "dev"], {
            stdout: () => undefined,
            stderr: (t) => stderr.push(t),
            env: {},
            cwd: "/srv/berth",
            writeFile: () => undefined,
            appendFile: () => undefined,
            onInterrupt: () => () => undefined,
            composeRelease: async () => h.deps,
            postSlack: async () => undefined,
        });
        expect(code).to.equal(3);
        expect(stderr.join("")).to.equal(
            "berth deploy: ssm:GetParameter: the AWS credentials are not valid (UnrecognizedClientException: The security token included in the request is invalid.) — sign in again (`aws sso login`, AWS_PROFILE) or, in CI, check the aws-actions/configure-aws-credentials step\n",
        );
        expect(h.world.builds).to.have.length(0);
        expect(h.stack.ups).to.have.length(0);
    });

    it("F02: access denied while following the migration → the migration task definition is pointed back, FAILED_BEFORE_CHANGE (exit 1)", async () => {
        const h = await harness({ changed: ["accounts"] });
        h.world.faults.awsError = { "ecs:DescribeTasks": Object.assign(new Error("User is not authorized to perform: ecs:DescribeTasks"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }) };
        const record = await runRelease(h.deps, { ...h.options, parallel: 2 });
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(exitCodeFor(record.state)).to.equal(1);
        expect(record.summary).to.match(/^the migration could not be run or followed: ecs:DescribeTasks: access denied \(AccessDeniedException: User is not authorized to perform: ecs:DescribeTasks\) — the role berth runs as needs permission for ecs:DescribeTasks: .*; no service was changed$/);
        expect(h.stack.ups.map((u) => u.changed)).to.deep.equal([["migration"], ["migration"]]);
        // --parallel reaches the prepare update and the one pointing the migration back
        expect(h.stack.ups.map((u) => u.parallel)).to.deep.equal([2, 2]);
        for (const s of ALL) expect(h.world.running(s)).to.equal(h.world.services.get(s)!.originalImage);
    });

    it("F02: a prepare update that changes services (the stack ran other images) says so; the summary never claims no service changed", async () => {
        const h = await harness({ changed: ["accounts"] });
        // an interrupted earlier release left orders on a newer image than the released set
        const newer = `sha256:${"7".repeat(64)}`;
        h.world.outputs.services.orders.image = `${h.world.outputs.services.orders.repositoryUrl}@${newer}`;
        h.stack.applied.orders = newer;
        h.world.faults.migration = { exitCode: 1 };
        const record = await runRelease(h.deps, h.options);
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(h.stack.ups[0].changed).to.deep.equal(["migration", "orders"]);
        expect(record.stages.find((st) => st.name === "prepare")!.detail).to.equal(
            "migration task definition on the new image; orders changed back to the released set (the stack ran other images)",
        );
        expect(record.summary).to.match(/no service took this release's image, but orders changed back to the released set \(the stack ran other images before this release\)$/);
        expect(record.summary).to.not.match(/no service (image )?was changed/);
        expect(record.services.find((x) => x.name === "orders")!.changedBy).to.equal("the prepare update (back to the released set)");
        expect(renderMarkdown(record)).to.contain("| orders | changed by the prepare update (back to the released set) |");
    });

    it("--parallel reaches the rollback after a failed verification, and the fake engine honours it", async () => {
        const h = await harness({ changed: ["catalog", "inventory", "orders", "payments"] });
        h.world.faults.smoke5xx = ["orders"];
        const record = await runRelease(h.deps, { ...h.options, parallel: 1 });
        expect(record.state).to.equal("ROLLED_BACK");
        expect(h.stack.ups.map((u) => u.parallel)).to.deep.equal([1, 1]);
        expect(h.stack.maxConcurrentRollouts).to.equal(1);
        const wide = await harness({ changed: ["catalog", "inventory", "orders", "payments"] });
        await runRelease(wide.deps, { ...wide.options, parallel: 4 });
        expect(wide.stack.maxConcurrentRollouts).to.be.greaterThan(1);
    });

    it("concurrent release: StackLockedError before anything is built (the CLI maps it to exit 3)", async () => {
        const h = await harness({ changed: ["reviews"] });
        h.world.faults.locked = true;
        let caught: unknown;
        await runRelease(h.deps, h.options).catch((e) => (caught = e));
        expect(caught).to.be.instanceOf(StackLockedError);
        expect(h.world.builds).to.have.length(0);
    });

    it("interrupt mid-rollout → INTERRUPTED with what runs now and the next command; no released set written", async () => {
        const h = await harness({ changed: ["config-server", "catalog", "orders"] });
        const controller = new AbortController();
        h.world.faults.abortMidRollout = controller;
        const record = await runRelease(h.deps, { ...h.options, signal: controller.signal });
        expect(record.state).to.equal("INTERRUPTED");
        expect(exitCodeFor(record.state)).to.equal(2);
        expect(record.summary).to.match(/config-server stable/);
        expect(record.summary).to.match(/What runs now: .*config-server: PRIMARY berth-dev-config-server:2/);
        expect(h.lines.some((l) => l.startsWith("next: pulumi refresh --stack dev"))).to.equal(true);
        expect(h.world.running("orders")).to.equal(h.world.services.get("orders")!.originalImage);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("dry run: every read, prints the exact requests, mutates nothing, ends DRY RUN OK", async () => {
        const h = await harness({ changed: ["accounts", "orders"] });
        const record = await runRelease(h.deps, { ...h.options, dryRun: true });
        expect(exitCodeFor(record.state)).to.equal(0);
        expect(h.lines[h.lines.length - 3]).to.equal("DRY RUN OK");
        expect(h.lines.some((l) => l.startsWith("[dry-run] would RunTask") && l.includes("subnet-private-0"))).to.equal(true);
        expect(h.lines.some((l) => l.startsWith("[dry-run] would set berth:images") && l.includes("<digest pushed for orders>"))).to.equal(true);
        expect(h.lines.some((l) => l.startsWith("[dry-run] would set berth:migrationImage = <digest pushed for accounts>"))).to.equal(true);
        expect(h.world.builds).to.have.length(0);
        expect(h.stack.ups).to.have.length(0);
        expect(h.world.runTasks).to.have.length(0);
        expect(h.world.addedTags).to.have.length(0);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("bad input: unknown --services, a dirty tree, unusable outputs → ReleaseInputError", async () => {
        const h = await harness({ changed: ["orders"] });
        await runRelease(h.deps, { ...h.options, services: ["ordres"] }).then(
            () => expect.fail("accepted"),
            (e) => expect(e).to.be.instanceOf(ReleaseInputError).and.have.property("message").that.matches(/ordres/),
        );
        (h.deps.source as any).dirty = ["services/app/src/x.ts"];
        await runRelease(h.deps, h.options).then(
            () => expect.fail("accepted"),
            (e) => expect(e).to.be.instanceOf(ReleaseInputError).and.have.property("message").that.matches(/services\/app\/src\/x\.ts/),
        );
        (h.deps.source as any).dirty = [];
        delete h.world.outputs.clusterName;
        await runRelease(h.deps, h.options).then(
            () => expect.fail("accepted"),
            (e) => expect(e).to.be.instanceOf(ReleaseInputError).and.have.property("message").that.matches(/clusterName/),
        );
        expect(h.world.builds).to.have.length(0);
    });

    it("released set: a second, failed release leaves it pointing at the last good release; rollback --to it is a no-op", async () => {
        const h = await harness({ changed: ["catalog"] });
        const first = await runRelease(h.deps, h.options);
        expect(first.state).to.equal("RELEASED");
        const good = h.world.running("catalog");
        // a new commit changes catalog again and breaks its smoke check
        (h.deps.source as any).sha = "2".repeat(40);
        h.deps.contextDigest = () => `sha256:${"d".repeat(64)}`;
        h.world.services.get("catalog")!.originalImage = good;
        h.world.faults.smoke5xx = ["catalog"];
        h.world.clock.t += 3600_000;
        const second = await runRelease(h.deps, h.options);
        expect(second.state).to.equal("ROLLED_BACK");
        expect(h.world.released!.releaseId).to.equal(first.id);
        expect(h.world.running("catalog")).to.equal(good);
        const writes = h.world.releasedWrites.length;
        const back = await runRollback(h.deps, { projectDir: "/srv/berth", stackName: "dev", to: first.id });
        expect(back.state).to.equal("NOTHING_TO_DO");
        expect(back.imagesNow.catalog).to.equal(good);
        expect(h.world.releasedWrites).to.have.length(writes);
        const status = await readStatus(h.deps);
        const catalog = status.services.find((s) => s.service === "catalog")!;
        expect(catalog.matchesStack).to.equal(true);
        expect(catalog.releasedDigest).to.equal(good);
        expect(catalog.counts.running).to.equal(catalog.counts.desired);
    });
});
