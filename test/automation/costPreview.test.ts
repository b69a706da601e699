// The pull request's cost change: prod moving from a single NAT gateway to one per AZ, priced from the real
// program under the mock engine; the preview comment shows before/after and the changed lines, and
// --fail-on cost-increase fails the check. The git side (the base commit's own program) is test/integration/revisionCost.test.ts.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { githubComments } from "../../automation/adapters/github";
import { diffCost, exceeds, parseCostThreshold, renderCostSection } from "../../infra/cost/diff";
import type { RevisionCost } from "../../infra/cost/revision";
import { runPreview, type PreviewPorts } from "../../automation/commands/preview";
import { estimateCost, type CostEstimate } from "../../infra/cost/estimate";
import { loadPriceFile } from "../../infra/cost/priceFile";
import { loadProject } from "../../infra/synth/stackFiles";
import { synthesize } from "../../infra/synth/synthesize";
import { PROJECT_DIR } from "../helpers/synth";
import { ReplayStack } from "./preview.test";

const prices = loadPriceFile();
const H = prices.hoursPerMonth;

/** Pulumi.prod.yaml with its network's NAT setting replaced. */
async function prodWith(natGateways: "single" | "onePerAz"): Promise<CostEstimate> {
    const loaded = loadProject(PROJECT_DIR, "prod");
    const config = { ...loaded.stackConfig.config };
    config["berth:network"] = JSON.stringify({ ...JSON.parse(config["berth:network"]), natGateways });
    const s = await synthesize({ project: "berth", stack: "prod", config, projectDir: PROJECT_DIR });
    return estimateCost({ resources: s.resources, region: "eu-west-1", assumptions: s.settings.costAssumptions, prices });
}

describe("cost change of a pull request: prod from a single NAT gateway to one per AZ", () => {
    let single: CostEstimate;
    let perAz: CostEstimate;
    before(async () => {
        single = await prodWith("single");
        perAz = await prodWith("onePerAz");
    });

    it("adds two NAT gateways' hours and their two Elastic IPs, and nothing else", () => {
        const d = diffCost(single, perAz);
        const nat = prices.regions["eu-west-1"]["nat.hour"].usd!;
        const ip = prices.regions["eu-west-1"]["ipv4.hour"].usd!;
        expect(d.delta).to.be.closeTo(2 * H * nat + 2 * H * ip, 1e-6);
        expect(d.changed.map((c) => [c.resource, c.item, c.before.toFixed(2), c.after.toFixed(2)])).to.deep.equal([
            ["network-vpc", "NAT gateway hours: 3 gateways (one per AZ)", (H * nat).toFixed(2), (3 * H * nat).toFixed(2)],
            ["network-vpc", "public IPv4 addresses: 3 NAT gateway Elastic IPs", (H * ip).toFixed(2), (3 * H * ip).toFixed(2)],
        ]);
        expect(d.percent).to.be.closeTo((d.delta / single.total.monthly) * 100, 1e-9);
    });

    it("renders before, after, the change and the changed lines", () => {
        const d = diffCost(single, perAz);
        const text = renderCostSection(d).join("\n");
        expect(text).to.contain(`| $${single.total.monthly.toFixed(2)} | $${perAz.total.monthly.toFixed(2)} | +$${d.delta.toFixed(2)} (+${d.percent!.toFixed(1)}%) |`);
        expect(text).to.contain(`| network | network-vpc | NAT gateway hours: 3 gateways (one per AZ) | $${(H * 0.048).toFixed(2)} | $${(3 * H * 0.048).toFixed(2)} |`);
    });

    it("cost-increase thresholds: USD a month or a percentage; a decrease never fails", () => {
        const d = diffCost(single, perAz);
        expect(parseCostThreshold("25")).to.deep.equal({ usd: 25 });
        expect(parseCostThreshold("10%")).to.deep.equal({ percent: 10 });
        expect(() => parseCostThreshold("ten")).to.throw('cost-increase takes USD a month (cost-increase=25) or a percentage (cost-increase=10%), not "ten"');
        expect(exceeds(d, { usd: Math.floor(d.delta) })).to.equal(true);
        expect(exceeds(d, { usd: Math.ceil(d.delta) })).to.equal(false);
        expect(exceeds(d, { percent: Math.floor(d.percent!) })).to.equal(true);
        expect(exceeds(d, { percent: Math.ceil(d.percent!) })).to.equal(false);
        expect(exceeds(diffCost(perAz, single), { usd: 0 })).to.equal(false);
    });

    describe("in the preview flow", () => {
        let dir: string;
        const progress: string[] = [];
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-cost-preview-"));
            progress.length = 0;
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        function ports(cost: PreviewPorts["cost"]): PreviewPorts {
            return {
                stack: new ReplayStack("prod", [], {}),
                storeFor: () => {
                    throw new Error("no release plan without outputs");
                },
                contextDigests: () => ({}),
                source: { headSha: async () => "a".repeat(40), dirtyPaths: async () => [] },
                now: () => 0,
                comments: githubComments,
                files: { write: (f, t) => fs.writeFileSync(f, t), append: () => undefined, read: (f) => fs.readFileSync(f, "utf8") },
                env: {},
                stdout: () => undefined,
                progress: (l) => progress.push(l),
                cost,
            };
        }
        const port = (base: string | undefined, byRevision: Record<string, RevisionCost | Error>): PreviewPorts["cost"] => ({
            base,
            estimate: async (revision) => {
                const r = byRevision[revision ?? "HEAD"];
                if (r instanceof Error) throw r;
                return r;
            },
        });

        it("the comment shows the monthly total before and after and the changed lines; --fail-on cost-increase=$20 fails", async () => {
            const outcome = await runPreview(ports(port("b".repeat(40), { HEAD: perAz, ["b".repeat(40)]: single })), { comment: false, failOnStatefulReplace: false, failOnCostIncrease: { usd: 20 }, outputDir: dir });
            expect(outcome.exitCode).to.equal(1);
            expect(outcome.fullText).to.contain("**Monthly cost estimate**");
            expect(outcome.fullText).to.contain(`| $${single.total.monthly.toFixed(2)} | $${perAz.total.monthly.toFixed(2)} |`);
            expect(progress.at(-1)).to.equal(
                `--fail-on cost-increase=$20.00 a month: the monthly estimate rises by $${outcome.cost!.delta.toFixed(2)} (${outcome.cost!.percent!.toFixed(1)}%), from $${single.total.monthly.toFixed(2)} to $${perAz.total.monthly.toFixed(2)}`,
            );
        });

        it("a threshold above the increase passes", async () => {
            const outcome = await runPreview(ports(port("b".repeat(40), { HEAD: perAz, ["b".repeat(40)]: single })), { comment: false, failOnStatefulReplace: false, failOnCostIncrease: { percent: 90 }, outputDir: dir });
            expect(outcome.exitCode).to.equal(0);
        });

        it("a base that cannot be priced is shown and fails a cost check (fail closed); without a base the check is skipped", async () => {
            const broken = await runPreview(ports(port("c".repeat(40), { HEAD: perAz, ["c".repeat(40)]: new Error("synthesizing stack prod at the base commit ccc failed (exit 3): bad config") })), {
                comment: false,
                failOnStatefulReplace: false,
                failOnCostIncrease: { usd: 1 },
                outputDir: dir,
            });
            expect(broken.exitCode).to.equal(1);
            expect(broken.fullText).to.contain("Not estimated: synthesizing stack prod at the base commit ccc failed (exit 3): bad config");
            const noBase = await runPreview(ports(port(undefined, { HEAD: perAz })), { comment: false, failOnStatefulReplace: false, failOnCostIncrease: { usd: 1 }, outputDir: dir });
            expect(noBase.exitCode).to.equal(0);
            expect(noBase.fullText).to.contain(`Not estimated: no base commit to compare with (not a pull request; pass --base <commit>); this commit: $${perAz.total.monthly.toFixed(2)} a month`);
        });

        it("a stack new in the pull request counts from $0.00 and says so", async () => {
            const outcome = await runPreview(ports(port("d".repeat(40), { HEAD: perAz, ["d".repeat(40)]: { absent: `the base commit ${"d".repeat(40)} has no Pulumi.prod.yaml (a new stack)` } })), { comment: false, failOnStatefulReplace: false, outputDir: dir });
            expect(outcome.cost!.before).to.equal(0);
            expect(outcome.fullText).to.contain(`_Before counts as $0.00: the base commit ${"d".repeat(40)} has no Pulumi.prod.yaml (a new stack)._`);
        });
    });
});
