import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, type CliDeps } from "../../automation/cli";
import type { ReleaseRecord } from "../../automation/plan/report";
import { releaseRecord } from "../helpers/releaseRecord";
import { StackLockedError } from "../../automation/ports";
import type { PreviewPorts } from "../../automation/commands/preview";
import type { ComposeOptions } from "../../automation/compose";
import type { ReleaseOptions } from "../../automation/commands/deploy";
import type { StatusReport } from "../../automation/plan/status";
import { ReleaseInputError, type ReleaseDeps } from "../../automation/stages/types";

const ROOT = path.join(__dirname, "../..");

const record = (state: ReleaseRecord["state"]) => releaseRecord(state);

/** main() with captured output and no process-wide effects; `overrides` replace any dependency. */
async function cli(argv: string[], overrides: Partial<CliDeps> = {}) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const files = new Map<string, string>();
    const code = await main(argv, {
        stdout: (t) => stdout.push(t),
        stderr: (t) => stderr.push(t),
        env: {},
        cwd: "/project",
        writeFile: (f, t) => files.set(f, t),
        appendFile: (f, t) => files.set(f, (files.get(f) ?? "") + t),
        onInterrupt: () => () => undefined,
        composeRelease: async () => ({ fake: "deps" }) as unknown as ReleaseDeps,
        composePreview: async () => Promise.reject(new Error("preview not composed in this test")),
        ...overrides,
    });
    return { code, stdout: stdout.join(""), stderr: stderr.join(""), files };
}

const unused = () => Promise.reject(new Error("not called in this test"));

describe("berth CLI: Slack notification", () => {
    it("posts the outcome when SLACK_WEBHOOK_URL is set; a failed post warns and keeps the release's exit code", async () => {
        const posted: { url: string; text: string }[] = [];
        const driver = { runRelease: async () => record("ROLLED_BACK"), runRollback: unused, readStatus: unused };
        const ok = await cli(["deploy", "-s", "dev"], { env: { SLACK_WEBHOOK_URL: "https://hooks.example/T/B/x" }, driver, postSlack: async (url, p) => void posted.push({ url, text: p.text }) });
        expect(ok.code).to.equal(1);
        expect(posted.map((p) => [p.url, p.text.split("\n")[0]])).to.deep.equal([["https://hooks.example/T/B/x", ":leftwards_arrow_with_hook: berth *dev*: ROLLED_BACK — release `20260314-091502-1a2b3c4` (1a2b3c4)"]]);
        const failing = await cli(["deploy", "-s", "dev"], { env: { SLACK_WEBHOOK_URL: "https://hooks.example/T/B/x" }, driver, postSlack: async () => Promise.reject(new Error("Slack refused the message (404): no_team")) });
        expect(failing.code).to.equal(1);
        expect(failing.stderr).to.contain("warning: Slack refused the message (404): no_team; the release result above stands\n");
        const quiet = await cli(["deploy", "-s", "dev"], { driver, postSlack: async () => Promise.reject(new Error("must not be called")) });
        expect(quiet.stderr).to.not.contain("warning");
    });
});

describe("berth CLI (automation/cli.ts)", () => {
    describe("--help", () => {
        for (const command of ["deploy", "rollback"]) {
            it(`${command} --help documents the release exit codes 0–3`, async () => {
                const r = await cli([command, "--help"]);
                expect(r.code).to.equal(0);
                expect(r.stdout).to.contain("Exit codes:\n");
                expect(r.stdout).to.contain("  0  released, or nothing to do (RELEASED, NOTHING_TO_DO)\n");
                expect(r.stdout).to.contain("  1  failed and rolled back, or failed before any service changed (ROLLED_BACK, FAILED_BEFORE_CHANGE)\n");
                expect(r.stdout).to.contain("  2  failed and NOT rolled back — needs attention (also: interrupted, or an unexpected error, a bug: stack trace printed) (NEEDS_ATTENTION, INTERRUPTED)\n");
                expect(r.stdout).to.contain(
                    "  3  nothing started: bad input (flags, config, stack outputs), stack locked or not found, Pulumi CLI missing,\n" +
                        "     AWS credentials/permissions/network or retries given up before anything changed (one line: call, cause, fix),\n" +
                        "     rollback with no earlier release\n",
                );
            });
        }

        it("status and preview --help list their exit codes; the top-level help lists the commands", async () => {
            const status = await cli(["status", "--help"]);
            expect(status.stdout).to.contain("Exit codes:\n  0  status read\n  2  unexpected error (a bug: stack trace printed)\n  3  bad input");
            const preview = await cli(["preview", "--help"]);
            expect(preview.stdout).to.contain("  1  --fail-on stateful-replace: a stateful resource would be replaced or deleted\n");
            expect(preview.stdout).to.match(/--fail-on <what> +exit 1 when a stateful resource/);
            const top = await cli(["--help"]);
            expect(top.code).to.equal(0);
            for (const c of ["deploy", "rollback", "status", "preview", "drift", "synth", "cost"]) expect(top.stdout).to.match(new RegExp(`\\n  ${c} `));
            const drift = await cli(["drift", "--help"]);
            expect(drift.stdout).to.contain("Exit codes:\n  0  no drift: every resource matches the state\n  4  drift: resources changed or deleted outside berth (listed)\n  2  the refresh preview failed");
            expect(top.stdout).to.contain("  3  nothing started: bad input");
        });
    });

    it("berth synth hands every argument after it to the synthesis CLI and exits with its code", async () => {
        const seen: string[][] = [];
        const code = await main(["synth", "--stack", "dev", "--json", "--help"], { synth: async (argv) => (seen.push(argv), 1), stdout: () => undefined, stderr: () => undefined });
        expect(seen).to.deep.equal([["--stack", "dev", "--json", "--help"]]);
        expect(code).to.equal(1);
    });

    it("berth cost hands every argument after it to the cost CLI and exits with its code", async () => {
        const seen: string[][] = [];
        const code = await main(["cost", "--stack", "prod", "--json"], { cost: async (argv) => (seen.push(argv), 3), synth: async () => 0, stdout: () => undefined, stderr: () => undefined });
        expect(seen).to.deep.equal([["--stack", "prod", "--json"]]);
        expect(code).to.equal(3);
    });

    describe("bad input exits 3 before anything is composed", () => {
        const cases: [string[], string][] = [
            [["deploy"], "error: required option '-s, --stack <name>' not specified"],
            [["deploy", "--stack", "dev", "--parallel", "0"], "error: option '--parallel <n>' argument '0' is invalid. must be a whole number of at least 1"],
            [["deploy", "--stack", "dev", "--services", " , "], "error: option '--services <a,b>' argument ' , ' is invalid. name at least one service, comma-separated (a,b)"],
            [["deploy", "--stack", "dev", "--bogus"], "error: unknown option '--bogus'"],
            [["deploy", "--stak", "dev"], "error: unknown option '--stak'\n(Did you mean --stack?)"],
            [["rollback", "--stak", "dev"], "error: unknown option '--stak'\n(Did you mean --stack?)"],
            [["status"], "error: required option '-s, --stack <name>' not specified"],
            [["preview", "--stack", "dev", "--fail-on", "anything"], "error: option '--fail-on <what>' argument 'anything' is invalid. use stateful-replace or cost-increase=<USD a month, or a percentage such as 10%>"],
            [["preview", "--stack", "dev", "--fail-on", "cost-increase=lots"], `error: option '--fail-on <what>' argument 'cost-increase=lots' is invalid. cost-increase takes USD a month (cost-increase=25) or a percentage (cost-increase=10%), not "lots"`],
            [["launch", "--stack", "dev"], "error: unknown command 'launch'"],
            [[], "Usage: berth"],
        ];
        for (const [argv, message] of cases) {
            it(`${JSON.stringify(argv)} → 3`, async () => {
                const r = await cli(argv, { composeRelease: unused, composePreview: unused });
                expect(r.code).to.equal(3);
                expect(r.stderr).to.contain(message);
            });
        }
    });

    it("a missing pulumi CLI gives the one-sentence install hint and exit 3 (real adapter, PATH without pulumi)", function () {
        this.timeout(60_000);
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "berth-nopath-"));
        try {
            for (const command of ["status", "preview"]) {
                const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "automation/cli.ts", command, "--stack", "dev"], {
                    cwd: ROOT,
                    env: { PATH: empty, HOME: process.env.HOME, TS_NODE_TRANSPILE_ONLY: "true" },
                    encoding: "utf8",
                });
                expect(r.status, r.stderr).to.equal(3);
                expect(r.stderr).to.equal(`berth ${command}: the Pulumi CLI was not found (pulumi is not on PATH) — install the Pulumi CLI: https://www.pulumi.com/docs/install/\n`);
                expect(r.stdout).to.equal("");
            }
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    describe("deploy wiring", () => {
        it("passes the parsed flags and the interrupt signal to the driver, reports Markdown, step summary and JSON", async () => {
            let seen: { deps: ReleaseDeps; options: ReleaseOptions } | undefined;
            let controller: AbortController | undefined;
            const r = await cli(["deploy", "--stack", "dev", "--services", "api, web", "--parallel", "2", "--skip-migration", "--dry-run", "--output", "out/report.json"], {
                env: { GITHUB_STEP_SUMMARY: "/summary.md" },
                onInterrupt: (c) => ((controller = c), () => undefined),
                driver: {
                    runRelease: async (deps, options) => ((seen = { deps, options }), record("ROLLED_BACK")),
                    runRollback: unused,
                    readStatus: unused,
                },
            });
            expect(r.code).to.equal(1);
            expect(seen!.deps).to.deep.equal({ fake: "deps" });
            const { signal, ...options } = seen!.options;
            expect(signal).to.equal(controller!.signal);
            expect(options).to.deep.equal({ projectDir: "/project", stackName: "dev", services: ["api", "web"], parallel: 2, skipMigration: true, allowDirty: false, dryRun: true });
            expect(r.stdout.startsWith("### berth release 20260314-091502-1a2b3c4 — ROLLED_BACK (exit 1)\n")).to.equal(true);
            expect(r.files.get("/summary.md")).to.equal(r.stdout);
            expect(JSON.parse(r.files.get("/project/out/report.json")!)).to.include({ schema: "berth.deploy/v1", state: "ROLLED_BACK", exitCode: 1 });
            expect(r.stderr).to.equal("berth.deploy/v1 result written to /project/out/report.json\n");
        });

        it("--json: the record as berth.deploy/v1 on stdout and nothing else; the Markdown report goes to stderr and the step summary", async () => {
            const driver = { runRelease: async () => record("ROLLED_BACK"), runRollback: async () => record("RELEASED"), readStatus: unused };
            const r = await cli(["deploy", "--stack", "dev", "--json"], { env: { GITHUB_STEP_SUMMARY: "/summary.md" }, driver });
            expect(r.code).to.equal(1);
            expect(JSON.parse(r.stdout)).to.deep.equal({ schema: "berth.deploy/v1", ...record("ROLLED_BACK"), exitCode: 1 });
            expect(r.stderr.startsWith("### berth release 20260314-091502-1a2b3c4 — ROLLED_BACK (exit 1)\n")).to.equal(true);
            expect(r.files.get("/summary.md")).to.equal(r.stderr);
            const both = await cli(["rollback", "--stack", "dev", "--json", "--output", "rb.json"], { driver });
            expect(both.code).to.equal(0);
            expect(JSON.parse(both.stdout).schema).to.equal("berth.rollback/v1");
            expect(both.files.get("/project/rb.json")).to.equal(both.stdout);
        });

        it("--json <file> (its meaning before every command shared --json) exits 3 naming --output", async () => {
            const r = await cli(["deploy", "--stack", "dev", "--json", "report.json"], { composeRelease: unused });
            expect(r.code).to.equal(3);
            expect(r.stderr).to.contain("error: unexpected argument 'report.json': --json takes no file name; --output report.json writes the JSON to a file");
            const stray = await cli(["status", "--stack", "dev", "extra"], { composeRelease: unused });
            expect([stray.code, stray.stderr.split("\n")[0]]).to.deep.equal([3, "error: unexpected argument 'extra'"]);
        });

        it("--promote-from <stack[:release]> reaches the driver parsed and composes the promotion ports; a malformed one is exit 3", async () => {
            let seen: ReleaseOptions | undefined;
            let composed: ComposeOptions | undefined;
            const driver = { runRelease: async (_d: ReleaseDeps, options: ReleaseOptions) => ((seen = options), record("RELEASED")), runRollback: unused, readStatus: unused };
            const r = await cli(["deploy", "--stack", "prod", "--promote-from", "staging:1a2b3c4"], { driver, composeRelease: async (o) => ((composed = o), { fake: "deps" }) as unknown as ReleaseDeps });
            expect(r.code).to.equal(0);
            expect(seen!.promoteFrom).to.deep.equal({ stack: "staging", ref: "1a2b3c4" });
            expect(composed!.promote).to.equal(true);
            const bad = await cli(["deploy", "--stack", "prod", "--promote-from", "staging:"], { driver });
            expect(bad.code).to.equal(3);
            expect(bad.stderr).to.contain("option '--promote-from <stack[:release]>' argument 'staging:' is invalid. --promote-from staging:: nothing after the colon");
        });

        it("defaults: --parallel 4, no services filter; exit code follows the final state", async () => {
            for (const [state, code] of [
                ["RELEASED", 0],
                ["NOTHING_TO_DO", 0],
                ["FAILED_BEFORE_CHANGE", 1],
                ["NEEDS_ATTENTION", 2],
                ["INTERRUPTED", 2],
            ] as const) {
                let options: ReleaseOptions | undefined;
                const r = await cli(["deploy", "-s", "dev"], { driver: { runRelease: async (_d, o) => ((options = o), record(state)), runRollback: unused, readStatus: unused } });
                expect([state, r.code]).to.deep.equal([state, code]);
                expect(options).to.include({ parallel: 4, skipMigration: false, allowDirty: false, dryRun: false });
                expect(options).to.not.have.property("services");
            }
        });

        it("expected failures print one line and exit 3; anything else is a bug: exit 2 with the stack", async () => {
            const failing = (error: Error) => ({ driver: { runRelease: () => Promise.reject(error), runRollback: unused, readStatus: unused } });
            const input = await cli(["deploy", "-s", "dev"], failing(new ReleaseInputError("the working tree has uncommitted changes: a.ts; commit them or pass --allow-dirty")));
            expect([input.code, input.stderr]).to.deep.equal([3, "berth deploy: the working tree has uncommitted changes: a.ts; commit them or pass --allow-dirty\n"]);

            const locked = await cli(["deploy", "-s", "dev"], failing(new StackLockedError("stack dev is locked: another update is in progress")));
            expect(locked.code).to.equal(3);
            expect(locked.stderr).to.equal(
                "berth deploy: stack dev is locked: another update is in progress — another update is running on stack dev; wait for it to finish, or check `pulumi stack history --stack dev`\n",
            );

            const bug = await cli(["deploy", "-s", "dev"], failing(new TypeError("cannot read properties of undefined")));
            expect(bug.code).to.equal(2);
            expect(bug.stderr).to.match(/^berth deploy failed unexpectedly \(a bug\): .*\nTypeError: cannot read properties of undefined\n {4}at /);
        });
    });

    it("rollback --to passes the target and reports like deploy", async () => {
        let to: string | undefined;
        const r = await cli(["rollback", "--stack", "dev", "--to", "20260301-101010-abcdef0"], {
            driver: { runRelease: unused, runRollback: async (_d, o) => ((to = o.to), record("RELEASED")), readStatus: unused },
        });
        expect([r.code, to]).to.deep.equal([0, "20260301-101010-abcdef0"]);
        expect(r.stdout).to.contain("— RELEASED (exit 0)");
    });

    it("status prints what runs now as a table, or as JSON with --json; exit 0", async () => {
        const report: StatusReport = {
            stack: "dev",
            cluster: "berth-dev",
            released: { releaseId: "20260314-091502-1a2b3c4", sha: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", releasedAt: "2026-03-14T09:19:02.000Z" },
            services: [
                {
                    service: "api",
                    serviceName: "berth-dev-api",
                    runningTaskDefinition: "berth-dev-api:6",
                    stackTaskDefinition: "berth-dev-api:7",
                    matchesStack: false,
                    counts: { desired: 2, running: 2, pending: 0 },
                    deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: "berth-dev-api:6", running: 2, desired: 2, failedTasks: 3 }],
                    targets: { healthy: 2, total: 2, states: { healthy: 2 } },
                    releasedDigest: `sha256:${"b".repeat(64)}`,
                },
            ],
        };
        const driver = { runRelease: unused, runRollback: unused, readStatus: async () => report };
        const table = await cli(["status", "--stack", "dev"], { driver });
        expect(table.code).to.equal(0);
        expect(table.stdout.split("\n")).to.deep.equal([
            "### berth status — stack `dev`",
            "",
            "cluster `berth-dev` · release 20260314-091502-1a2b3c4 (sha 1a2b3c4d5e6f, 2026-03-14T09:19:02.000Z)",
            "",
            "| service | task definition | tasks (running/desired, pending) | deployments | targets healthy | released image |",
            "|---|---|---|---|---|---|",
            "| api | berth-dev-api:6 (stack: berth-dev-api:7) | 2/2, 0 | PRIMARY COMPLETED 2/2, 3 failed | 2/2 | bbbbbbbbbbbb |",
            "",
        ]);
        const json = await cli(["status", "--stack", "dev", "--json"], { driver });
        expect(JSON.parse(json.stdout)).to.deep.equal({ schema: "berth.status/v1", ...report });
        expect(json.stderr).to.equal("");
        const file = await cli(["status", "--stack", "dev", "--output", "status.json"], { driver });
        expect(file.stdout).to.equal(table.stdout);
        expect(JSON.parse(file.files.get("/project/status.json")!)).to.deep.equal({ schema: "berth.status/v1", ...report });
        expect(file.stderr).to.equal("berth.status/v1 result written to /project/status.json\n");
    });

    it("preview: composed ports get the CLI's env and stdout; --fail-on stateful-replace sets the exit code", async () => {
        let seen: { ports: PreviewPorts; options: unknown } | undefined;
        const r = await cli(["preview", "--stack", "prod", "--comment", "--fail-on", "stateful-replace", "--output-dir", "previews"], {
            env: { GITHUB_TOKEN: "t" },
            composePreview: async (o) => ({ composed: o.stackName }) as unknown as PreviewPorts,
            runPreview: async (ports, options) => ((seen = { ports, options }), { exitCode: 1 }) as never,
        });
        expect(r.code).to.equal(1);
        expect(seen!.ports).to.include({ composed: "prod" });
        expect(seen!.ports.env).to.deep.equal({ GITHUB_TOKEN: "t" });
        expect(seen!.options).to.deep.include({ comment: true, failOnStatefulReplace: true, outputDir: "/project/previews" });
    });

    it("preview --json: berth.preview/v1 on stdout, the Markdown on stderr; --output writes the same JSON", async () => {
        const outcome = {
            exitCode: 0,
            summary: { counts: { create: 1, update: 0, replace: 0, delete: 0, same: 3 }, changes: [], dangerous: [] },
            release: { levels: [["api"]], migration: false },
            fullText: "### berth preview",
            body: "### berth preview",
            file: "/project/preview-dev.md",
            delivery: "stdout",
        };
        const fake = async (ports: PreviewPorts) => (ports.stdout("### berth preview\n"), outcome) as never;
        const composePreview = async () => ({ stack: { name: "dev" } }) as unknown as PreviewPorts;
        const expected = { schema: "berth.preview/v1", stack: "dev", exitCode: 0, counts: outcome.summary.counts, changes: [], dangerous: [], release: outcome.release, file: outcome.file, delivery: "stdout" };
        const r = await cli(["preview", "--stack", "dev", "--json"], { composePreview, runPreview: fake });
        expect(r.code).to.equal(0);
        expect(JSON.parse(r.stdout)).to.deep.equal(expected);
        expect(r.stderr).to.equal("### berth preview\n");
        const f = await cli(["preview", "--stack", "dev", "--output", "p.json"], { composePreview, runPreview: fake });
        expect(f.stdout).to.equal("### berth preview\n");
        expect(JSON.parse(f.files.get("/project/p.json")!)).to.deep.equal(expected);
    });

    it("every command's --help names its JSON schema", async () => {
        for (const [command, id] of [["deploy", "berth.deploy/v1"], ["rollback", "berth.rollback/v1"], ["status", "berth.status/v1"], ["preview", "berth.preview/v1"]]) {
            const r = await cli([command, "--help"]);
            expect(r.code).to.equal(0);
            expect(r.stdout).to.contain(`--json prints the result as ${id} (docs/json.md) on stdout`);
            expect(r.stdout).to.contain("--output <file>");
        }
    });

    it("preview: --fail-on is repeatable; cost-increase=<USD or %> and --base reach the flow", async () => {
        let seen: { compose: ComposeOptions; options: unknown } | undefined;
        let composed: ComposeOptions | undefined;
        const r = await cli(["preview", "--stack", "prod", "--fail-on", "stateful-replace", "--fail-on", "cost-increase=15%", "--base", "abc123"], {
            composePreview: async (o) => ((composed = o), {}) as unknown as PreviewPorts,
            runPreview: async (_ports, options) => ((seen = { compose: composed!, options }), { exitCode: 0 }) as never,
        });
        expect(r.code).to.equal(0);
        expect(seen!.compose.base).to.equal("abc123");
        expect(seen!.options).to.deep.include({ failOnStatefulReplace: true, failOnCostIncrease: { percent: 15 } });
    });
});
