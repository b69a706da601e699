// Scenario tests of `rollback --to <release id | sha>` over the history of verified releases:
// every scenario ends in an asserted final state and exit code (input errors through the CLI: exit 3).
import { expect } from "chai";
import { main } from "../../../automation/cli";
import { EXIT_BAD_INPUT, exitCodeFor, renderMarkdown, type ReleaseRecord } from "../../../automation/plan/report";
import { runRelease } from "../../../automation/commands/deploy";
import { runRollback } from "../../../automation/commands/rollback";
import { ReleaseInputError } from "../../../automation/plan/errors";
import type { ReleasedSet } from "../../../automation/ports";
import { harness, type Harness } from "../fakes/harness";
import type { FakeSource } from "../fakes/world";

// S1 and S2 share their first 7 hex characters (an ambiguous short sha), S3 shares nothing.
const S1 = `abcdef1${"1".repeat(33)}`;
const S2 = `abcdef1${"2".repeat(33)}`;
const S3 = "5".repeat(40);

interface History {
    h: Harness;
    a: ReleaseRecord;
    b: ReleaseRecord;
    c: ReleaseRecord;
    release(sha: string, changed: string[]): Promise<ReleaseRecord>;
}

/** Three verified releases: A (S1: catalog), B (S2: catalog, search), C (S3: orders). */
async function threeReleases(): Promise<History> {
    const h = await harness();
    const release = async (sha: string, changed: string[]) => {
        (h.deps.source as FakeSource).sha = sha;
        // the example's services share one build context: mark the changed ones as built from another
        for (const s of changed) h.world.released!.contexts[s] = `sha256:${"0".repeat(64)}`;
        h.world.clock.t += 3600_000;
        return runRelease(h.deps, h.options);
    };
    const a = await release(S1, ["catalog"]);
    const b = await release(S2, ["catalog", "search"]);
    const c = await release(S3, ["orders"]);
    for (const r of [a, b, c]) expect(r.state).to.equal("RELEASED");
    return { h, a, b, c, release };
}

/** `berth rollback [--to <to>]` through the CLI with the scenario's fakes: the exit code and stderr the user sees. */
async function cliRollback(h: Harness, to?: string) {
    const stderr: string[] = [];
    const code = await main(["rollback", "--stack", "dev", ...(to ? ["--to", to] : [])], {
        stdout: () => undefined,
        stderr: (t) => stderr.push(t),
        env: {},
        cwd: h.options.projectDir,
        writeFile: () => undefined,
        appendFile: () => undefined,
        onInterrupt: () => () => undefined,
        composeRelease: async () => h.deps,
        postSlack: async () => undefined,
    });
    return { code, stderr: stderr.join("") };
}

const rollback = (h: Harness, to: string) => runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev", to });

describe("rollback --to scenarios (history of verified releases)", () => {
    it("a verified release appends to the history (newest first); a rolled-back one does not", async () => {
        const { h, a, b, c, release } = await threeReleases();
        const history = await h.deps.store.listReleases();
        expect(history.map((r) => r.releaseId)).to.deep.equal([c.id, b.id, a.id]);
        expect(history.map((r) => r.sha)).to.deep.equal([S3, S2, S1]);
        expect(history[0].images).to.deep.equal(c.imagesNow);
        expect(history[2].images).to.deep.equal(a.imagesNow);
        expect(h.world.released).to.deep.equal(history[0]);

        h.world.faults.smoke5xx = ["reviews"];
        const failed = await release("6".repeat(40), ["reviews"]);
        expect(failed.state).to.equal("ROLLED_BACK");
        expect(exitCodeFor(failed.state)).to.equal(1);
        expect((await h.deps.store.listReleases()).map((r) => r.releaseId)).to.deep.equal([c.id, b.id, a.id]);
        expect(h.world.released!.releaseId).to.equal(c.id);
    });

    it("--to <release id> restores that release's images, verifies, and records a new release (RELEASED, exit 0)", async () => {
        const { h, a, b, c } = await threeReleases();
        const upsBefore = h.stack.ups.length;
        const back = await rollback(h, a.id);
        expect(back.state).to.equal("RELEASED");
        expect(exitCodeFor(back.state)).to.equal(0);
        expect(back.id).to.not.equal(a.id);
        expect(back.sha).to.equal(S1);
        expect(back.imagesNow).to.deep.equal(a.imagesNow);
        for (const s of Object.keys(a.imagesNow)) expect(h.world.running(s), s).to.equal(a.imagesNow[s]);
        expect(back.services.filter((s) => s.changed).map((s) => s.name).sort()).to.deep.equal(["catalog", "orders", "search"]);
        for (const s of ["catalog", "orders", "search"]) expect(back.services.find((x) => x.name === s)!.verification!.ok, s).to.equal(true);
        expect(h.stack.ups).to.have.length(upsBefore + 1);
        expect(h.lines).to.include(`--to ${a.id}: release ${a.id} (sha ${S1.slice(0, 12)}, released ${(await h.deps.store.listReleases()).find((r) => r.releaseId === a.id)!.releasedAt}), matched by release id`);
        // the rollback is itself a verified release: the released set and the head of the history
        const history = await h.deps.store.listReleases();
        expect(history.map((r) => r.releaseId)).to.deep.equal([back.id, c.id, b.id, a.id]);
        expect(history[0]).to.deep.include({ releaseId: back.id, sha: S1, images: a.imagesNow });
        expect(history[0].contexts).to.deep.equal(h.world.history.get(a.id)!.contexts);
        expect(h.world.released).to.deep.equal(history[0]);
    });

    it("--to <sha prefix> finds the release of that commit; a commit released twice resolves to its newest release", async () => {
        const { h, b } = await threeReleases();
        const back = await rollback(h, S2.slice(0, 8));
        expect(back.state).to.equal("RELEASED");
        expect(exitCodeFor(back.state)).to.equal(0);
        expect(back.imagesNow).to.deep.equal(b.imagesNow);
        expect(h.world.running("search")).to.equal(b.imagesNow.search);
        expect(h.lines.some((l) => l.startsWith(`--to ${S2.slice(0, 8)}: release ${b.id} `) && l.endsWith("matched by sha"))).to.equal(true);

        // S2 now has two releases (b and the rollback); the full sha picks the rollback, the newest. The stack
        // already runs its images: a no-op, NOTHING_TO_DO (exit 0), no update and no duplicate history entry.
        h.world.clock.t += 3600_000;
        const ups = h.stack.ups.length;
        const again = await rollback(h, S2);
        expect(again.state).to.equal("NOTHING_TO_DO");
        expect(exitCodeFor(again.state)).to.equal(0);
        expect(again.summary).to.equal(`stack dev already runs the images of release ${back.id}: nothing to roll back, nothing recorded`);
        expect(h.lines.some((l) => l.startsWith(`--to ${S2}: release ${back.id} `) && l.endsWith(`the newest of 2 releases of that commit (also ${b.id})`))).to.equal(true);
        expect(again.services.filter((s) => s.changed)).to.deep.equal([]);
        expect(h.stack.ups).to.have.length(ups);
        expect((await h.deps.store.listReleases())[0].releaseId).to.equal(back.id);
        expect(h.world.history.size).to.equal(4);
    });

    it("rollback without --to returns to the release before the current one, says which, and honours --parallel", async () => {
        const { h, b, c } = await threeReleases();
        const history = await h.deps.store.listReleases();
        const describe = (id: string) => {
            const set = history.find((r) => r.releaseId === id)!;
            return `${id} (sha ${set.sha.slice(0, 12)}, released ${set.releasedAt})`;
        };
        const back = await runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev", parallel: 1 });
        expect(back.state).to.equal("RELEASED");
        expect(exitCodeFor(back.state)).to.equal(0);
        expect(h.lines).to.include(`rolling back from the current release ${describe(c.id)} to the release before it: ${describe(b.id)}`);
        expect(back.sha).to.equal(S2);
        expect(back.imagesNow).to.deep.equal(b.imagesNow);
        for (const s of Object.keys(b.imagesNow)) expect(h.world.running(s), s).to.equal(b.imagesNow[s]);
        expect(h.stack.ups[h.stack.ups.length - 1].parallel).to.equal(1);
        // the report shows the rollback stage and the re-deployed services as rows
        expect(back.stages.map((st) => st.name)).to.deep.equal(["plan", "rollback", "verify", "record"]);
        const md = renderMarkdown(back);
        expect(md).to.match(/Stages: plan ok .* · rollback ok .* · verify ok .* · record ok/);
        expect(md).to.contain("| orders | context changed, none |");
        expect((await h.deps.store.listReleases()).map((r) => r.releaseId)).to.deep.equal([back.id, c.id, b.id, history[2].releaseId]);
    });

    it("F13: rollback without --to right after a release, while SSM reads still return the set before it, still lands on the release before the current one", async () => {
        const { h, b, c } = await threeReleases();
        h.world.faults.ssmReadLagMs = 60_000; // the rollback job starts seconds after the deploy job wrote C
        expect((await h.deps.store.readReleased())!.releaseId).to.equal(b.id); // the fake's lag is real
        const back = await runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev" });
        expect(back.state).to.equal("RELEASED");
        expect(back.sha).to.equal(S2);
        expect(back.imagesNow).to.deep.equal(b.imagesNow);
        for (const s of Object.keys(b.imagesNow)) expect(h.world.running(s), s).to.equal(b.imagesNow[s]);
        expect(h.world.running("orders")).to.not.equal(c.imagesNow.orders);
    });

    it("a second rollback without --to goes further back instead of returning to the release the first one left", async () => {
        const { h, a, b, c } = await threeReleases();
        const describe = async (id: string) => {
            const set = (await h.deps.store.listReleases()).find((r) => r.releaseId === id)!;
            return `${id} (sha ${set.sha.slice(0, 12)}, released ${set.releasedAt})`;
        };
        h.world.clock.t += 60_000;
        const first = await runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev" });
        expect(first.state).to.equal("RELEASED");
        expect(first.imagesNow).to.deep.equal(b.imagesNow);
        // the history entry of the rollback names the release it rolled back from
        expect(h.world.history.get(first.id)!.rolledBackFrom).to.equal(c.id);
        expect(h.world.released!.rolledBackFrom).to.equal(c.id);

        h.world.clock.t += 60_000;
        const second = await runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev" });
        expect(second.state).to.equal("RELEASED");
        expect(h.lines).to.include(
            `rolling back from the current release ${await describe(first.id)} to the release before it: ${await describe(a.id)} (passing over ${c.id}: a rollback left them)`,
        );
        expect(second.sha).to.equal(S1);
        expect(second.imagesNow).to.deep.equal(a.imagesNow);
        for (const s of Object.keys(a.imagesNow)) expect(h.world.running(s), s).to.equal(a.imagesNow[s]);
        expect(h.world.history.get(second.id)!.rolledBackFrom).to.equal(first.id);

        // a third has nowhere left to go: every older release with other images was left by a rollback
        h.world.clock.t += 60_000;
        const ups = h.stack.ups.length;
        const { code, stderr } = await cliRollback(h);
        expect(code).to.equal(EXIT_BAD_INPUT);
        expect(stderr).to.equal(
            `berth rollback: stack dev runs release ${await describe(second.id)} and no earlier recorded release has other images (passing over ${first.id}, ${c.id}, ${b.id}: a rollback left them): there is nothing to roll back to (name one with --to to return to it anyway)\n`,
        );
        expect(h.stack.ups).to.have.length(ups);
    });

    it("rollback without --to after a rollback-that-needs-attention returns to the released set itself", async () => {
        const { h, c } = await threeReleases();
        // the stack runs an image no verified release recorded (a release whose own rollback failed)
        const stray = `sha256:${"7".repeat(64)}`;
        h.world.outputs.services.orders.image = `${h.world.outputs.services.orders.repositoryUrl}@${stray}`;
        h.stack.applied.orders = stray;
        const back = await runRollback(h.deps, { projectDir: h.options.projectDir, stackName: "dev" });
        expect(back.state).to.equal("RELEASED");
        expect(h.lines.some((l) => l.startsWith(`stack dev does not run the released set: returning to the current release ${c.id} `))).to.equal(true);
        expect(h.world.running("orders")).to.equal(c.imagesNow.orders);
    });

    it("rollback without --to when no earlier release differs is bad input (exit 3) and changes nothing", async () => {
        const h = await harness();
        h.world.history.set(h.world.released!.releaseId, h.world.released!);
        const ups = h.stack.ups.length;
        const { code, stderr } = await cliRollback(h);
        expect(code).to.equal(EXIT_BAD_INPUT).and.to.equal(3);
        expect(stderr).to.equal(
            `berth rollback: stack dev runs release 20260301-120000-0000000 (sha ${"0".repeat(12)}, released 2026-03-01T12:00:00.000Z) and no earlier recorded release has other images: there is nothing to roll back to\n`,
        );
        expect(h.stack.ups).to.have.length(ups);
        expect(h.world.releasedWrites).to.have.length(0);
    });

    it("an ambiguous sha prefix is bad input (exit 3) naming every candidate; nothing changes", async () => {
        const { h, a, b } = await threeReleases();
        const ups = h.stack.ups.length;
        const released = h.world.released;
        const error = await rollback(h, S1.slice(0, 7)).catch((e: Error) => e);
        expect(error).to.be.instanceOf(ReleaseInputError);
        const r = await cliRollback(h, S1.slice(0, 7));
        expect(r.code).to.equal(EXIT_BAD_INPUT).and.to.equal(3);
        expect(r.stderr).to.include(`--to abcdef1 is ambiguous: it prefixes the sha of 2 released commits: ${S2} (${b.id}); ${S1} (${a.id}); give more of the sha or a release id`);
        expect(h.stack.ups).to.have.length(ups);
        expect(h.world.released).to.equal(released);
    });

    it("an unknown release id or sha is bad input (exit 3) listing the recorded releases; nothing changes", async () => {
        const { h, a, b, c } = await threeReleases();
        const ups = h.stack.ups.length;
        const unknownSha = await cliRollback(h, "9999999");
        expect(unknownSha.code).to.equal(3);
        expect(unknownSha.stderr).to.match(new RegExp(`^berth rollback: no recorded release has the id or sha 9999999; recorded releases, newest first: ${c.id} \\(sha 555555555555, released [^)]+\\), ${b.id} \\(sha abcdef122222, released [^)]+\\), ${a.id} \\(sha abcdef111111, released [^)]+\\)\\n$`));
        const unknownId = await cliRollback(h, "20250101-000000-deadbee");
        expect(unknownId.code).to.equal(3);
        expect(unknownId.stderr).to.include("--to 20250101-000000-deadbee is neither a recorded release id nor a git sha (7 to 40 hex characters); recorded releases, newest first:");
        const tooShort = await cliRollback(h, "abcdef");
        expect(tooShort.code).to.equal(3);
        expect(tooShort.stderr).to.include("--to abcdef is neither a recorded release id nor a git sha");
        expect(h.stack.ups).to.have.length(ups);
        expect(h.world.released!.releaseId).to.equal(c.id);
    });

    it("a service the release did not have keeps its current image; one no longer in the catalogue is not restored", async () => {
        const { h, a } = await threeReleases();
        const old: ReleasedSet = JSON.parse(JSON.stringify(h.world.history.get(a.id)));
        old.releaseId = "20260101-000000-abcdef1";
        old.releasedAt = "2026-01-01T00:00:00.000Z";
        delete old.images.reviews;
        delete old.contexts.reviews;
        old.images.legacy = `sha256:${"9".repeat(64)}`;
        h.world.history.set(old.releaseId, old);
        const reviews = h.world.running("reviews");
        const back = await rollback(h, old.releaseId);
        expect(back.state).to.equal("RELEASED");
        expect(exitCodeFor(back.state)).to.equal(0);
        expect(h.lines).to.include(`reviews did not exist in release ${old.releaseId}: they keep their current image`);
        expect(h.lines).to.include(`legacy of release ${old.releaseId} are no longer in the catalogue: not restored`);
        expect(h.world.running("reviews")).to.equal(reviews);
        expect(h.world.running("catalog")).to.equal(a.imagesNow.catalog);
        expect(h.world.released!.images.reviews).to.equal(reviews);
        expect(h.world.released!.images).to.not.have.property("legacy");
        expect(back.summary).to.include("reviews kept their current image");
    });

    it("a verified rollback that cannot be recorded ends NEEDS_ATTENTION (exit 2); the history is unchanged", async () => {
        const { h, a, c } = await threeReleases();
        h.world.faults.storeWriteFails = true;
        const back = await rollback(h, a.id);
        expect(back.state).to.equal("NEEDS_ATTENTION");
        expect(exitCodeFor(back.state)).to.equal(2);
        expect(back.summary).to.match(/^the rollback to .* is verified, but it could not be recorded \(AccessDeniedException: ssm:PutParameter\)/);
        expect(h.world.running("catalog")).to.equal(a.imagesNow.catalog);
        expect((await h.deps.store.listReleases()).map((r) => r.releaseId)[0]).to.equal(c.id);
        expect(h.world.released!.releaseId).to.equal(c.id);
    });
});
