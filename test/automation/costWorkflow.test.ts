// The cost check of pull requests from forks (.github/workflows/preview.yml, job `cost`): which job runs for which
// pull request, that the fork job needs no secret and no cloud, and what its shell step does with the cost CLI's
// output and exit code — run with bash against a stand-in `npm`. The real CLI behind it is exercised end to end in
// test/integration/forkCostJob.test.ts.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

const WORKFLOW = path.join(__dirname, "../../.github/workflows/preview.yml");

interface Step {
    name?: string;
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    needs?: string;
    permissions?: Record<string, string>;
    strategy?: { matrix: Record<string, unknown> };
    env?: Record<string, string>;
    steps: Step[];
}
const workflow = parse(fs.readFileSync(WORKFLOW, "utf8")) as { env?: Record<string, string>; jobs: Record<string, Job> };

/** GitHub's `a == b` / `a != b` over context paths (a missing property is null, and null equals only null). */
function evaluate(condition: string, context: Record<string, unknown>): boolean {
    const m = /^\s*([\w.]+)\s*(==|!=)\s*([\w.]+)\s*$/.exec(condition);
    if (!m) throw new Error(`not a comparison of two context paths: ${condition}`);
    const value = (p: string): unknown => p.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? ((o as Record<string, unknown>)[k] ?? null) : null), context);
    const same = value(m[1]) === value(m[3]);
    return m[2] === "==" ? same : !same;
}

const event = (headRepo: string | null) => ({
    github: { repository: "acme/shop", event: { pull_request: { number: 7, base: { sha: "b".repeat(40) }, head: { repo: headRepo === null ? null : { full_name: headRepo } } } } },
});

describe("preview workflow: pull requests from forks get the offline cost check", () => {
    const cost = workflow.jobs.cost;

    it("a same-repository pull request runs the cloud preview and not the fork job; a fork's (or a deleted fork's) runs the fork job only", () => {
        const runs = (ctx: Record<string, unknown>) => Object.entries(workflow.jobs).filter(([, j]) => !j.if || evaluate(j.if, ctx)).map(([name]) => name);
        expect(runs(event("acme/shop"))).to.deep.equal(["test", "preview"]);
        expect(runs(event("someone/shop"))).to.deep.equal(["test", "cost"]);
        expect(runs(event(null))).to.deep.equal(["test", "cost"]);
    });

    it("the fork job reads no secret, assumes no role, installs no Pulumi CLI and may only read the repository", () => {
        const text = JSON.stringify(cost);
        expect(text).to.not.match(/secrets\.|vars\./);
        expect(cost.steps.filter((s) => s.uses && !/^actions\/(checkout|setup-node)@/.test(s.uses))).to.deep.equal([]);
        expect(cost.permissions).to.deep.equal({ contents: "read" });
        expect(cost.needs).to.equal("test");
        expect(cost.strategy?.matrix.stack).to.deep.equal(["dev", "prod"]);
        // The base commit is priced from its own files: a shallow clone would lack it.
        expect(cost.steps[0]).to.deep.equal({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
        expect(cost.steps.map((s) => s.run?.split("\n")[0]).filter(Boolean)).to.deep.equal(["npm ci", "limit=()"]);
        expect(cost.steps[3].env).to.deep.equal({ STACK: "${{ matrix.stack }}", BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
    });

    it("both jobs take the cost limit from the workflow's own env (fork runs get no repository variables); empty checks nothing", () => {
        expect(workflow.env).to.deep.equal({ COST_INCREASE_LIMIT: "" });
        expect(workflow.jobs.preview.steps.map((s) => s.run).filter(Boolean)).to.include(
            'npm run preview -- --stack ${{ matrix.stack }} --comment ${COST_INCREASE_LIMIT:+--fail-on "cost-increase=$COST_INCREASE_LIMIT"}',
        );
    });

    describe("the shell steps, run with bash against a stand-in npm", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-fork-cost-"));
            fs.mkdirSync(path.join(dir, "bin"));
            // Records its arguments, prints what it is told to, exits with the code it is told to.
            fs.writeFileSync(
                path.join(dir, "bin", "npm"),
                '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$FAKE_DIR/args"\ncat "$FAKE_DIR/stdout"\ncat "$FAKE_DIR/stderr" >&2\nexit "$FAKE_EXIT"\n',
                { mode: 0o755 },
            );
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        /** Runs the step as GitHub does (`bash -e`), in a fresh working directory, with the job's env. */
        function runStep(cli: { stdout: string; stderr?: string; exit: number }, limit = workflow.env!.COST_INCREASE_LIMIT) {
            fs.writeFileSync(path.join(dir, "stdout"), cli.stdout);
            fs.writeFileSync(path.join(dir, "stderr"), cli.stderr ?? "");
            const work = fs.mkdtempSync(path.join(dir, "work-"));
            const script = path.join(dir, "step.sh");
            fs.writeFileSync(script, cost.steps[3].run!);
            const summary = path.join(dir, "summary.md");
            fs.writeFileSync(summary, "earlier step\n");
            const r = spawnSync("bash", ["--noprofile", "--norc", "-e", script], {
                cwd: work,
                encoding: "utf8",
                env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_EXIT: String(cli.exit), GITHUB_STEP_SUMMARY: summary, STACK: "prod", BASE_SHA: "b".repeat(40), COST_INCREASE_LIMIT: limit },
            });
            return { status: r.status, stdout: r.stdout, stderr: r.stderr, args: fs.readFileSync(path.join(dir, "args"), "utf8").trim().split("\n"), summary: fs.readFileSync(summary, "utf8") };
        }

        const estimate = "berth cost: stack prod of project berth — region eu-west-1 …\n  Total: $270.87 a month\n";
        const change = `Change from ${"b".repeat(40)}:\n**Monthly cost estimate**\n\n| before | after | change |\n|---:|---:|---:|\n| $231.66 | $270.87 | +$39.21 (+16.9%) |\n`;
        const heading = "### Stack prod: monthly cost change (offline; a fork's pull request gets no cloud preview)\n\n";

        it("without a limit: prices the stack against the base commit, prints everything, appends the change section to the job summary, passes", () => {
            const r = runStep({ stdout: `${estimate}\n${change}`, exit: 0 });
            expect(r.args).to.deep.equal(["run", "--silent", "cost", "--", "--stack", "prod", "--base", "b".repeat(40)]);
            expect(r.status).to.equal(0);
            expect(r.stdout).to.equal(`${estimate}\n${change}`);
            expect(r.summary).to.equal(`earlier step\n${heading}${change}`);
        });

        it("with a limit: passes it as --fail-on-increase; an increase above it fails the step, with the reason in the summary", () => {
            const reason = "--fail-on-increase 10%: the monthly estimate rises by $39.21, from $231.66 to $270.87\n";
            const r = runStep({ stdout: `${estimate}\n${change}`, stderr: reason, exit: 1 }, "10%");
            expect(r.args).to.deep.equal(["run", "--silent", "cost", "--", "--stack", "prod", "--base", "b".repeat(40), "--fail-on-increase", "10%"]);
            expect(r.status).to.equal(1);
            expect(r.stderr).to.equal(reason);
            expect(r.summary).to.equal(`earlier step\n${heading}${change}\n\`\`\`\n${reason.trimEnd()}\n\`\`\`\n`);
        });

        it("the preview job's command passes the limit as --fail-on cost-increase=… only when one is set", () => {
            const run = workflow.jobs.preview.steps.find((st) => st.run?.startsWith("npm run preview"))!.run!.replace("${{ matrix.stack }}", "prod");
            const args = (limit: string) => {
                fs.writeFileSync(path.join(dir, "stdout"), "");
                fs.writeFileSync(path.join(dir, "stderr"), "");
                const r = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", run], { encoding: "utf8", env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_EXIT: "0", COST_INCREASE_LIMIT: limit } });
                expect(r.status, r.stderr).to.equal(0);
                return fs.readFileSync(path.join(dir, "args"), "utf8").trim().split("\n");
            };
            expect(args("")).to.deep.equal(["run", "preview", "--", "--stack", "prod", "--comment"]);
            expect(args("10%")).to.deep.equal(["run", "preview", "--", "--stack", "prod", "--comment", "--fail-on", "cost-increase=10%"]);
        });

        it("a base commit that cannot be priced fails the step (exit 3) and says why in the summary", () => {
            const why = `the base commit ${"b".repeat(40)} is not in this clone and could not be fetched: check out with fetch-depth: 0 (actions/checkout) or pass --base with a commit that is present\n`;
            const r = runStep({ stdout: "", stderr: why, exit: 3 });
            expect(r.status).to.equal(3);
            expect(r.summary).to.equal(`earlier step\n${heading}\n\`\`\`\n${why.trimEnd()}\n\`\`\`\n`);
        });
    });
});
