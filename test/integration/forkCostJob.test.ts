// The fork pull-request cost job of .github/workflows/preview.yml, its shell step run as written with the real
// `npm run cost`, in a throwaway repository holding a copy of this project: the base commit has prod on one NAT
// gateway, the pull request one per AZ. No cloud, no secrets — what a fork's run has. The step's branches against a
// stand-in npm are in test/automation/costWorkflow.test.ts; this checks the real CLI's output feeds it.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { checkoutRevision } from "../../infra/cost/revision";
import { loadPriceFile } from "../../infra/cost/priceFile";
import { PROJECT_DIR } from "../helpers/synth";

function git(cwd: string, ...args: string[]): string {
    const r = spawnSync("git", args, { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
}

describe("the fork pull-request cost job, run as written with the real cost CLI", function () {
    this.timeout(300_000);
    let root: string;
    let project: string;
    let base: string;

    before(() => {
        ({ root, project } = checkoutRevision(PROJECT_DIR, "HEAD"));
        git(project, "init", "-q");
        const stackFile = path.join(project, "Pulumi.prod.yaml");
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("    cidr: 10.30.0.0/16\n", "    cidr: 10.30.0.0/16\n    natGateways: single\n"));
        git(project, "add", "-A", "--", ".", ":!node_modules");
        git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "prod with a single NAT gateway");
        base = git(project, "rev-parse", "HEAD");
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("    natGateways: single\n", "    natGateways: onePerAz\n"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("prints the change, puts it in the job summary, and fails above COST_INCREASE_LIMIT", () => {
        const workflow = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows/preview.yml"), "utf8"));
        const step = (workflow.jobs.cost.steps as { run?: string }[]).find((s) => s.run?.includes("npm run --silent cost"))!;
        const script = path.join(root, "step.sh");
        fs.writeFileSync(script, step.run!);
        const summary = path.join(root, "summary.md");
        const r = spawnSync("bash", ["--noprofile", "--norc", "-e", script], {
            cwd: project,
            encoding: "utf8",
            env: { ...process.env, STACK: "prod", BASE_SHA: base, COST_INCREASE_LIMIT: "10%", GITHUB_STEP_SUMMARY: summary },
        });
        const prices = loadPriceFile(path.join(project, "infra/cost/prices.json")).regions["eu-west-1"];
        const nat = prices["nat.hour"].usd!;
        const ip = prices["ipv4.hour"].usd!;
        const usd = (n: number) => `$${n.toFixed(2)}`;
        expect(r.status, r.stderr).to.equal(1);
        expect(r.stderr).to.match(/^--fail-on-increase 10%: the monthly estimate rises by \$77\.38, from \$\d+\.\d\d to \$\d+\.\d\d\n$/);
        const text = fs.readFileSync(summary, "utf8");
        expect(text.startsWith(`### Stack prod: monthly cost change (offline; a fork's pull request gets no cloud preview)\n\nChange from ${base}:\n**Monthly cost estimate**\n`)).to.equal(true, text);
        expect(text).to.contain(`| network | network-vpc | NAT gateway hours: 3 gateways (one per AZ) | ${usd(730 * nat)} | ${usd(3 * 730 * nat)} |`);
        expect(text).to.contain(`| network | network-vpc | public IPv4 addresses: 3 NAT gateway Elastic IPs | ${usd(730 * ip)} | ${usd(3 * 730 * ip)} |`);
        expect(text.endsWith(`\n\`\`\`\n${r.stderr.trimEnd()}\n\`\`\`\n`)).to.equal(true, text);
        // The job log carries the whole estimate of the pull request's commit too.
        expect(r.stdout).to.match(/^berth cost: stack prod of project berth — region eu-west-1/);
    });
});
