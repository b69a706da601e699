// The base figure comes from the base commit's own program and stack file, synthesized offline in a child
// process from a git archive — checked here on a throwaway repository holding a copy of this project. No Docker
// needed, but two child-process synths take tens of seconds, so it runs with the integration suite.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { checkoutRevision, GitRevisionCost, RevisionCostError } from "../../infra/cost/revision";
import { diffCost } from "../../infra/cost/diff";
import type { CostEstimate } from "../../infra/cost/estimate";
import { PROJECT_DIR } from "../helpers/synth";

function git(cwd: string, ...args: string[]): string {
    const r = spawnSync("git", args, { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
}

describe("cost of a git revision (GitRevisionCost)", function () {
    this.timeout(180_000);
    let root: string;
    let project: string;
    let base: string;

    before(() => {
        // A copy of this project as committed (its program and stack files), as a repository of its own.
        ({ root, project } = checkoutRevision(PROJECT_DIR, "HEAD"));
        git(project, "init", "-q");
        git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "empty");
        const stackFile = path.join(project, "Pulumi.prod.yaml");
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("    cidr: 10.30.0.0/16\n", "    cidr: 10.30.0.0/16\n    natGateways: single\n"));
        git(project, "add", "-A", "--", ".", ":!node_modules");
        git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "prod with a single NAT gateway");
        base = git(project, "rev-parse", "HEAD");
        // The pull request: one NAT gateway per AZ, in the working tree.
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("    natGateways: single\n", "    natGateways: onePerAz\n"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("prices the base commit's stack file with its own program, and this checkout's; the delta is the two extra NAT gateways", async () => {
        const checkouts = () => fs.readdirSync(path.dirname(root)).filter((f) => f.startsWith("berth-base-")).length;
        const checkoutsBefore = checkouts();
        const port = new GitRevisionCost(project, "prod", base);
        const before = (await port.estimate(base)) as CostEstimate;
        const after = (await port.estimate()) as CostEstimate;
        const d = diffCost(before, after);
        expect(d.changed.map((c) => c.item)).to.deep.equal(["NAT gateway hours: 3 gateways (one per AZ)", "public IPv4 addresses: 3 NAT gateway Elastic IPs"]);
        expect(d.delta).to.be.closeTo(2 * 730 * 0.048 + 2 * 730 * 0.005, 1e-6);
        expect(checkouts()).to.equal(checkoutsBefore, "the base checkout is removed after use");
    });

    it("a stack the base commit does not have counts as absent (a new stack)", async () => {
        const r = await new GitRevisionCost(project, "qa", base).estimate(base);
        expect(r).to.deep.equal({ absent: `the base commit ${base} has no Pulumi.qa.yaml (a new stack)` });
    });

    it("a base commit missing from the clone is an error saying how to fetch it", () => {
        const missing = "0".repeat(40);
        expect(() => checkoutRevision(project, missing)).to.throw(
            RevisionCostError,
            `the base commit ${missing} is not in this clone and could not be fetched: check out with fetch-depth: 0 (actions/checkout) or pass --base with a commit that is present`,
        );
    });
});
