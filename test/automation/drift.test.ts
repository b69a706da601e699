// `berth drift` end to end over the scripted `pulumi` (test/fixtures/fake-pulumi: `refresh --preview-only` with real
// engine-event shapes) and the loopback GitHub issues API: the real compose, adapters, command and CLI.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/cli";
import { issueBody } from "../../automation/commands/drift";
import { fakeGitHubIssues } from "../helpers/fakeGitHubIssues";

const FAKE_DIR = path.resolve(__dirname, "../fixtures/fake-pulumi");
const FIXTURE = path.resolve(__dirname, "../fixtures/drift/dev-refresh.jsonl");

function refreshEvents(sameEverywhere: boolean): object[] {
    return fs
        .readFileSync(FIXTURE, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((e) => e.resourcePreEvent || e.resOutputsEvent)
        .map(({ sequence: _s, timestamp: _t, ...e }) => (sameEverywhere && e.resOutputsEvent ? { resOutputsEvent: { metadata: { ...e.resOutputsEvent.metadata, op: "same" } } } : e));
}

describe("berth drift (fake pulumi CLI, loopback GitHub)", function () {
    this.timeout(30_000);
    const saved = { PATH: process.env.PATH, state: process.env.FAKE_PULUMI_STATE, scenario: process.env.FAKE_PULUMI_SCENARIO };
    let root: string;

    function scenario(value: object) {
        const file = path.join(root, "scenario.json");
        fs.writeFileSync(file, JSON.stringify(value));
        process.env.FAKE_PULUMI_SCENARIO = file;
    }

    async function drift(argv: string[], env: NodeJS.ProcessEnv = {}) {
        const stdout: string[] = [];
        const stderr: string[] = [];
        const files = new Map<string, string>();
        const code = await main(["drift", "--stack", "dev", "-C", path.join(root, "project"), ...argv], {
            stdout: (t) => stdout.push(t),
            stderr: (t) => stderr.push(t),
            env,
            cwd: root,
            appendFile: (f, t) => files.set(f, (files.get(f) ?? "") + t),
            onInterrupt: () => () => undefined,
        });
        return { code, stdout: stdout.join(""), stderr: stderr.join(""), files };
    }

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "berth-drift-"));
        fs.mkdirSync(path.join(root, "project"));
        fs.mkdirSync(path.join(root, "state"));
        fs.writeFileSync(path.join(root, "project", "Pulumi.yaml"), "name: berth\nruntime: nodejs\n");
        process.env.PATH = `${FAKE_DIR}${path.delimiter}${saved.PATH}`;
        process.env.FAKE_PULUMI_STATE = path.join(root, "state");
    });
    afterEach(() => {
        process.env.PATH = saved.PATH;
        for (const [key, value] of [["FAKE_PULUMI_STATE", saved.state], ["FAKE_PULUMI_SCENARIO", saved.scenario]] as const) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("drift found: exit 4, the grouped report on stdout and in the step summary, the stack's issue opened; once gone: exit 0 and the issue closed", async () => {
        const gh = await fakeGitHubIssues({ issues: [], token: "t" });
        const env = { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/shop", GITHUB_API_URL: gh.baseUrl, GITHUB_STEP_SUMMARY: "/summary.md" };
        try {
            scenario({ refresh: { events: refreshEvents(false) } });
            const found = await drift(["--issue"], env);
            expect(found.code).to.equal(4);
            expect(found.stdout.split("\n").slice(0, 4)).to.deep.equal(["<!-- berth-drift stack=dev -->", "### berth drift — stack `dev`", "", found.stdout.split("\n")[3]]);
            expect(found.stdout).to.contain("#### network (1)\n- ~ changed outside berth `network-app-sg` (aws:ec2/securityGroup:SecurityGroup): `ingress`\n");
            expect(found.files.get("/summary.md")).to.equal(found.stdout);
            expect(found.stderr).to.contain("drift on stack dev: 2 changed, 1 deleted outside berth\n");
            expect(found.stderr).to.contain("drift issue #1 (https://github.example/acme/shop/issues/1) created\n");
            expect(gh.issues.map((i) => [i.title, i.labels, i.state, i.body])).to.deep.equal([["berth drift: stack dev", ["berth-drift"], "open", found.stdout]]);

            scenario({ refresh: { events: refreshEvents(true) } });
            const clean = await drift(["--issue", "--json"], env);
            expect(clean.code).to.equal(0);
            const json = JSON.parse(clean.stdout);
            expect(json).to.deep.include({ schema: "berth.drift/v1", stack: "dev", drifted: false, exitCode: 0, resources: [], counts: { changed: 0, deleted: 0, unchanged: 4 } });
            expect(json.issue).to.deep.equal({ action: "closed", number: 1, url: "https://github.example/acme/shop/issues/1" });
            expect(gh.issues[0].state).to.equal("closed");
        } finally {
            await gh.close();
        }
    });

    it("--issue without GITHUB_TOKEN is bad input (exit 3) before any refresh runs; a failed refresh is exit 2 with the engine's words", async () => {
        scenario({ refresh: { events: refreshEvents(false) } });
        const noToken = await drift(["--issue"], { GITHUB_REPOSITORY: "acme/shop" });
        expect(noToken.code).to.equal(3);
        expect(noToken.stderr).to.contain("berth drift: --issue needs GITHUB_TOKEN (the workflow's token, with `permissions: issues: write`)\n");

        scenario({ refresh: { events: [], exitCode: 255, stderr: "error: reading EC2 Security Group (sg-1): UnauthorizedOperation" } });
        const failed = await drift([]);
        expect(failed.code).to.equal(2);
        expect(failed.stderr).to.contain("berth drift: the refresh preview of stack dev failed: error: reading EC2 Security Group (sg-1): UnauthorizedOperation\n");
        expect(failed.stderr).to.not.contain("    at ");
    });

    it("an unknown stack keeps its existing exit code (3) and hint", async () => {
        scenario({ stacks: ["prod"] });
        const r = await drift([]);
        expect(r.code).to.equal(3);
        expect(r.stderr).to.contain("berth drift: no stack named dev");
    });

    it("a report longer than GitHub's limit is cut at a line, saying where the full one is", () => {
        const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
        const body = issueBody(text, 200);
        expect(body.length).to.be.at.most(200);
        expect(body).to.match(/\nline \d+\n\n_Trimmed to GitHub's limit: the full report is in the workflow run's log and job summary._$/);
        expect(issueBody("short", 200)).to.equal("short");
    });
});
