// `deploy --promote-from` over the scenario fakes: the source stack's verified release is read through the
// promotion port, its images copied by digest (a fake copier), then the ordinary migrate → rollout → verify →
// record path runs with the source's sha; nothing is built.
import { expect } from "chai";
import { createHash } from "crypto";
import { runRelease } from "../../../automation/commands/deploy";
import { readStatus } from "../../../automation/commands/status";
import { exitCodeFor, renderMarkdown } from "../../../automation/plan/report";
import { renderStatus } from "../../../automation/plan/status";
import { SCHEMA_IDS } from "../../../infra/contracts/results";
import { resultJson } from "../../../infra/contracts/resultJson";
import type { ImageCopyRequest, PromotionPort, ReleasedSet, ReleaseOutcome, StackHistoryEntry } from "../../../automation/ports";
import { ReleaseInputError } from "../../../automation/stages/types";
import { harness, type Harness } from "../fakes/harness";

const SOURCE_SHA = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
const digest = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

interface Setup {
    h: Harness;
    copies: ImageCopyRequest[];
    source: ReleasedSet;
    port: PromotionPort;
}

/** The target is the harness's stack; the source stack "staging" released new images of orders and payments. */
async function promotion(options: { copyFails?: string; updates?: StackHistoryEntry[]; outcomes?: () => Promise<ReleaseOutcome[]> } = {}): Promise<Setup> {
    const h = await harness();
    const released = h.world.released!;
    const images: Record<string, string> = { ...released.images, orders: digest("orders@5e5e"), payments: digest("payments@5e5e") };
    for (const s of ["orders", "payments"]) h.world.versions.set(images[s], SOURCE_SHA);
    const source: ReleasedSet = { version: 1, releaseId: "20260302-080000-5e5e5e5", sha: SOURCE_SHA, releasedAt: "2026-03-02T08:00:00.000Z", images, contexts: { orders: "ctx-orders", payments: "ctx-payments" } };
    const outputs = JSON.parse(JSON.stringify(h.world.outputs));
    for (const [name, svc] of Object.entries<{ repositoryUrl: string }>(outputs.services)) svc.repositoryUrl = `210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/staging/${name}`;
    const copies: ImageCopyRequest[] = [];
    const port: PromotionPort = {
        readSource: async (stack) => {
            expect(stack).to.equal("staging");
            return { outputs, released: source, history: [source], outcomes: options.outcomes ? await options.outcomes() : [], updates: options.updates ?? [] };
        },
        images: {
            copy: async (request) => {
                copies.push(request);
                if (request.service === options.copyFails) throw new Error(`${request.from} has no blob sha256:abc (GET answered 404): the image is incomplete in the source repository`);
                return { copied: true, verified: request.digest, detail: `copied from ${request.from} to ${request.to}; digest verified` };
            },
        },
    };
    h.deps.promotion = port;
    return { h, copies, source, port };
}

describe("promotion scenarios (deploy --promote-from)", () => {
    it("copies the two differing images by digest, builds nothing, migrates and rolls them, verifies the source's sha, records the source release", async () => {
        const { h, copies, source } = await promotion();
        const record = await runRelease(h.deps, { ...h.options, promoteFrom: { stack: "staging" } });
        expect(record.state).to.equal("RELEASED");
        expect(exitCodeFor(record.state)).to.equal(0);
        expect(h.world.builds).to.have.length(0);
        expect(h.builder.logins).to.equal(0);
        expect(copies.map((c) => [c.service, c.digest, c.from, c.to])).to.deep.equal(
            ["orders", "payments"].map((s) => [s, source.images[s], `210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/staging/${s}`, h.world.outputs.services[s].repositoryUrl]),
        );
        expect(record.sha).to.equal(SOURCE_SHA);
        expect(record.promotedFrom).to.deep.equal({ stack: "staging", releaseId: source.releaseId, sha: SOURCE_SHA });
        expect(record.services.filter((s) => s.changed).map((s) => [s.name, s.reason, s.action, s.verification?.ok])).to.deep.equal([
            ["orders", "promoted", "copy", true],
            ["payments", "promoted", "copy", true],
        ]);
        expect(record.stages.map((s) => s.name)).to.include("copy").and.not.include("build");
        for (const s of ["orders", "payments"]) expect(h.world.running(s)).to.equal(source.images[s]);
        expect(h.world.released!.promotedFrom).to.deep.equal({ stack: "staging", releaseId: source.releaseId, sha: SOURCE_SHA });
        expect(h.world.released!.contexts.orders).to.equal("ctx-orders");

        const markdown = renderMarkdown(record);
        expect(markdown.split("\n")[3]).to.equal(`promoted from stack \`staging\` release ${source.releaseId} (sha \`5e5e5e5e5e5e\`): no build, the same digests`);
        expect(markdown).to.contain("| orders | promoted, copy |");
        const report = await readStatus(h.deps);
        const status = renderStatus(report);
        expect(status).to.contain(`, promoted from stack \`staging\` release ${source.releaseId}\n`);
        // status --json carries it too (its schema once lacked promotedFrom and refused the document)
        expect(JSON.parse(resultJson("status", { schema: SCHEMA_IDS.status, ...report })).released.promotedFrom).to.deep.equal({ stack: "staging", releaseId: source.releaseId, sha: SOURCE_SHA });
        expect(h.lines).to.include(`promoting the latest verified release of staging: ${source.releaseId} (sha 5e5e5e5e5e5e, released 2026-03-02T08:00:00.000Z)`);
    });

    it("a copy that fails stops the release before any update: FAILED_BEFORE_CHANGE naming the service and why", async () => {
        const { h } = await promotion({ copyFails: "payments" });
        const record = await runRelease(h.deps, { ...h.options, promoteFrom: { stack: "staging" } });
        expect(record.state).to.equal("FAILED_BEFORE_CHANGE");
        expect(record.summary).to.equal(
            `promotion of payments: copying ${digest("payments@5e5e")} from 210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/staging/payments to ${h.world.outputs.services.payments.repositoryUrl} failed: 210987654321.dkr.ecr.eu-west-1.amazonaws.com/berth/staging/payments has no blob sha256:abc (GET answered 404): the image is incomplete in the source repository; no stack update ran, no service was changed`,
        );
        expect(h.stack.ups).to.have.length(0);
    });

    it("refusals happen before anything: a release never recorded as verified, and the stack promoting from itself", async () => {
        const { h } = await promotion({ updates: [{ version: 4, kind: "update", result: "failed", startTime: "2026-03-03T08:00:00Z", message: "berth 20260303-080000-7a7a7a7" }] });
        const err = await runRelease(h.deps, { ...h.options, promoteFrom: { stack: "staging", ref: "7a7a7a7" } }).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(ReleaseInputError);
        expect((err as Error).message).to.match(
            /^release 20260303-080000-7a7a7a7 of stack staging did not end RELEASED \(it ended ROLLED_BACK, FAILED_BEFORE_CHANGE, NEEDS_ATTENTION or INTERRUPTED; no outcome history is recorded on staging: a release from before berth kept one\): its last update \("berth 20260303-080000-7a7a7a7", Pulumi update 4\) failed;/,
        );
        const self = await runRelease(h.deps, { ...h.options, promoteFrom: { stack: "dev" } }).then(() => undefined, (e: unknown) => e);
        expect((self as Error).message).to.equal("--promote-from dev names the stack being deployed; promote from another stack");
        expect(h.stack.ups).to.have.length(0);
        expect(h.stack.previews).to.equal(0);
    });

    it("F13: a source release that rolled back is refused naming ROLLED_BACK, once the source's outcome history shows it (SSM reads lag)", async () => {
        // The source stack's own run, over its own fakes: orders never stabilises, the release rolls back.
        const src = await harness({ changed: ["orders"] });
        src.world.faults.neverStabilises = ["orders"];
        src.world.faults.ssmReadLagMs = 10_000;
        const failed = await runRelease(src.deps, src.options);
        expect(failed.state).to.equal("ROLLED_BACK");
        const { h } = await promotion({ outcomes: () => src.deps.store.listOutcomes() });
        const refuse = () => runRelease(h.deps, { ...h.options, promoteFrom: { stack: "staging", ref: failed.id } }).then(() => expect.fail("promoted"), (e: Error) => e);
        // Read at once, the write is not visible yet: today's wording, from the (empty) update history.
        expect((await refuse()).message).to.match(new RegExp(`^no verified release of stack staging has the id or sha ${failed.id}; `));
        src.world.clock.t += 10_000;
        const err = await refuse();
        expect(err).to.be.instanceOf(ReleaseInputError);
        expect(err.message).to.equal(
            `release ${failed.id} of stack staging ended ROLLED_BACK at ${failed.finishedAt}: ${failed.summary}; only a release that ended RELEASED can be promoted — verified releases of staging, newest first: 20260302-080000-5e5e5e5 (sha 5e5e5e5e5e5e, released 2026-03-02T08:00:00.000Z)`,
        );
        const bySha = await runRelease(h.deps, { ...h.options, promoteFrom: { stack: "staging", ref: failed.sha.slice(0, 10) } }).then(() => expect.fail("promoted"), (e: Error) => e);
        expect(bySha.message).to.equal(err.message);
        expect(h.stack.ups).to.have.length(0);
        expect(h.world.outcomeWrites).to.deep.equal([]);
    });

    it("--dry-run prints each copy it would make and changes nothing", async () => {
        const { h, copies } = await promotion();
        const record = await runRelease(h.deps, { ...h.options, dryRun: true, promoteFrom: { stack: "staging" } });
        expect(record.state).to.equal("NOTHING_TO_DO");
        expect(copies).to.deep.equal([]);
        expect(h.lines.filter((l) => l.startsWith("[dry-run] would copy")).length).to.equal(2);
        expect(h.lines).to.include("DRY RUN OK");
    });
});
