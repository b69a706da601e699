// The eu-west-1 figures (the region of both example stacks): a small stack summed by hand from the price file,
// and README truth for the cost section — the example totals are what `npm run cost` prints for the example
// stacks (the same synthesis and estimate as infra/cost/cli.ts), the lines it checks by hand are the estimate's
// own, and the figures it says are missing are the ones the price file lacks.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { estimateCost, type CostEstimate, type CostLine } from "../../infra/cost/estimate";
import { loadPriceFile } from "../../infra/cost/priceFile";
import { exampleStack, PROJECT_DIR, synth } from "../helpers/synth";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
/** The README's prose with its line breaks as spaces, so reflowing a paragraph breaks nothing. */
const prose = readme.replace(/[ \t]*\n[ \t]*/g, " ");
const prices = loadPriceFile();

/** What `npm run cost -- --stack <stack>` computes: the stack file synthesized offline, priced in its region. */
async function costOf(stack: "dev" | "prod"): Promise<CostEstimate> {
    const s = await exampleStack(stack);
    return estimateCost({ resources: s.resources, region: String((s.outputs as { region?: string }).region), assumptions: s.settings.costAssumptions, prices });
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const line = (e: CostEstimate, resource: string, priceKey: string): CostLine => {
    const found = e.lines.filter((l) => l.resource === resource && l.priceKey === priceKey);
    if (found.length !== 1) throw new Error(`expected one ${priceKey} line for ${resource}, found ${found.length}`);
    return found[0];
};
/** "730 h × $0.0252 = $18.40", as the README writes a line by hand. */
const byHand = (l: CostLine, unit: string) => `${l.quantity.toFixed(l.quantity % 1 ? 2 : 0)} ${unit} × $${l.unitUsd} = ${usd(l.monthly)}`;

describe("cost estimate in eu-west-1: a small stack synthesized and summed by hand", () => {
    it("dev, one routed service: every priced line from the price file; the figures eu-west-1 lacks are named, not zero", async () => {
        const s = await synth({ "aws:region": "eu-west-1", "berth:environment": "dev", "berth:services": [{ name: "web", build: { context: "test/fixtures/context" }, port: 8080, routes: ["/*"] }] });
        const e = estimateCost({ resources: s.resources, region: "eu-west-1", assumptions: s.settings.costAssumptions, prices });
        const H = prices.hoursPerMonth;
        const p = (key: string): number => {
            const v = prices.regions["eu-west-1"][key].usd;
            if (v === null) throw new Error(`no eu-west-1 ${key}`);
            return v;
        };
        const A = s.settings.costAssumptions;
        const expected =
            H * p("nat.hour") + A.natGbPerMonth * p("nat.gb") + H * p("ipv4.hour") + // one NAT gateway and its Elastic IP
            H * p("alb.hour") + H * A.albLcuPerHour * p("alb.lcuHour") + 3 * H * p("ipv4.hour") + // the ALB over 3 AZs
            H * p("rds.postgres.db.t4g.micro.hour") + p("secretsmanager.secretMonth") +
            20 * p("rds.gp3.gbMonth") + 20 * A.backupChangePerDay * 1 * p("rds.backup.gbMonth") + // dev: 20 GB gp3, 1 day of backups
            0.25 * H * p("fargate.x86_64.vcpuHour") + 0.5 * H * p("fargate.x86_64.gbHour") +
            A.logGbPerGroupPerMonth * p("logs.ingest.gb") + ((A.logGbPerGroupPerMonth * 7) / 30) * p("logs.storage.gbMonth") +
            A.s3GbPerBucket * p("s3.standard.gbMonth") + A.ecrGbPerRepository * p("ecr.storage.gbMonth") +
            // six stack alarms and the routed service's 5xx alarm (ECS rolls back on it)
            7 * p("cloudwatch.alarmMonth") + p("route53.hostedZoneMonth");
        expect(e.total.monthly).to.be.closeTo(expected, 1e-6);
        expect(e.total.monthly.toFixed(2)).to.equal("102.72");
        expect(e.unpriced.map((u) => `${u.resource}: ${u.priceKey ?? u.reason.split(":")[0]}`).sort()).to.deep.equal([
            "cluster-ecs: Container Insights",
            "database-instance: log exports to CloudWatch Logs (postgresql, upgrade)",
            "discovery-web: cloudmap.instanceMonth",
        ]);
    });
});

describe("README cost section", () => {
    let dev: CostEstimate;
    let prod: CostEstimate;
    before(async () => {
        dev = await costOf("dev");
        prod = await costOf("prod");
    });

    it("the example totals, their autoscaling maximum and the count of not-priced lines are npm run cost's, with the price date", () => {
        const row = (stack: string) => {
            const m = new RegExp(`^\\| \`${stack}\` \\([^)]*\\) \\| (\\$[\\d.]+) \\| (\\$[\\d.]+) \\| (\\d+) lines`, "m").exec(readme);
            if (!m) throw new Error(`no example row for ${stack} in the README`);
            return m.slice(1);
        };
        expect(row("dev")).to.deep.equal([usd(dev.total.monthly), usd(dev.total.high), String(dev.unpriced.length)]);
        expect(row("prod")).to.deep.equal([usd(prod.total.monthly), usd(prod.total.high), String(prod.unpriced.length)]);
        expect([dev.region, prod.region]).to.deep.equal(["eu-west-1", "eu-west-1"]);
        expect(prose).to.contain(`Example totals (prices read ${[...new Set([...dev.priceDates, ...prod.priceDates])].join(", ")}, default assumptions, both stacks in eu-west-1;`);
    });

    it("the lines it checks by hand (dev: a Fargate task, the ALB, the NAT gateway, the database; prod: the Multi-AZ database) are the estimate's", () => {
        const vcpu = line(dev, "svc-accounts-service", "fargate.x86_64.vcpuHour");
        const gb = line(dev, "svc-accounts-service", "fargate.x86_64.gbHour");
        expect(prose).to.contain(`one 0.25 vCPU / 0.5 GB Fargate task is ${vcpu.quantity.toFixed(2)} vCPU-h × $${vcpu.unitUsd} + ${gb.quantity} GB-h × $${gb.unitUsd} = ${usd(vcpu.monthly + gb.monthly)} a month`);
        expect(prose).to.contain(`the ALB is ${byHand(line(dev, "edge-alb", "alb.hour"), "h")}`);
        const natHours = line(dev, "network-vpc", "nat.hour");
        const natData = line(dev, "network-vpc", "nat.gb");
        expect(prose).to.contain(`one NAT gateway is ${byHand(natHours, "h")} plus ${byHand(natData, "GB")} processed`);
        expect(prose).to.contain(`db.t4g.micro is ${byHand(line(dev, "database-instance", "rds.postgres.db.t4g.micro.hour"), "h")}`);
        expect(prose).to.contain(`its gp3 storage is ${byHand(line(dev, "database-instance", "rds.gp3.gbMonth"), "GB-mo")}`);
        const medium = line(prod, "database-instance", "rds.postgres.db.t4g.medium.hour");
        expect(prose).to.contain(`the Multi-AZ db.t4g.medium (primary and standby at the Single-AZ rate) is ${byHand(medium, "h")}, which is the price list's own Multi-AZ row: 730 h × $0.138`);
        expect(medium.monthly).to.be.closeTo(730 * 0.138, 1e-9);
    });

    it("names exactly the eu-west-1 figures the price file lacks (fill one in, and this says to update the README)", () => {
        const missing = (region: string) => Object.entries(prices.regions[region]).filter(([, e]) => e.usd === null).map(([k]) => k);
        expect(missing("eu-west-1")).to.deep.equal(["rds.postgres.db.t4g.small.hour", "logs.vended.gb", "cloudmap.instanceMonth"]);
        expect(missing("eu-central-1")).to.deep.equal(["rds.postgres.db.t4g.medium.hour", "logs.vended.gb", "cloudmap.instanceMonth"]);
        expect(missing("us-east-1")).to.deep.equal(["logs.vended.gb"]);
        expect(prose).to.contain(
            "for eu-west-1 that is RDS db.t4g.small, vended logs (the flow-log group) and Cloud Map instances; for eu-central-1 db.t4g.medium, vended logs and Cloud Map instances; for us-east-1 vended logs.",
        );
    });
});
