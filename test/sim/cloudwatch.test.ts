// The simulator's CloudWatch over the wire (JSON 1.0, the unmodified SDK client): per-target-group ALB metrics
// from the listener's traffic, readable only a minute after each minute ends, exact dimension matching, and the
// metric alarms ECS watches. The clock is a hand-moved one.
import { expect } from "chai";
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { SimClock } from "./clock";
import { AwsSimulator } from "./server";
import { unmocked } from "./unmocked";

const REGION = "eu-west-1";
const TG = `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/berth-dev-search/cccccccccccccccc`;
const LB = "app/berth-dev-alb/2bcf97b850c9486f";

describe("sim: CloudWatch metrics and alarms over the wire", function () {
    this.timeout(30_000);
    let sim: AwsSimulator;
    let clock: { t: number };
    let cw: CloudWatchClient;

    beforeEach(async () => {
        clock = { t: Date.UTC(2026, 2, 14, 9, 0, 0) };
        sim = new AwsSimulator({ clock: { nowMs: () => clock.t } as unknown as SimClock, region: REGION, registry: "127.0.0.1:9" });
        sim.loadBalancerDimension = LB;
        await sim.start();
        cw = unmocked(new CloudWatchClient({ region: REGION, endpoint: sim.endpoint, credentials: { accessKeyId: "AKIASIMULATOR0000000", secretAccessKey: "x" }, maxAttempts: 1 }));
        sim.ecs.createTargetGroup({ arn: TG, intervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 10, port: 8089, routes: ["/search"] });
        const td = sim.ecs.registerTaskDefinition("berth-dev-search", [{ name: "search", image: "r/search@sha256:1" }], { kind: "smoke-5xx", migration: "ok", version: "v1" });
        sim.ecs.createService("berth-dev", "berth-dev-search", td.arn, 1, TG);
        sim.ecs.cloudwatch.defineAlarm({ name: "berth-dev-search-5xx", metric: "HTTPCode_Target_5XX_Count", targetGroupArns: [TG], threshold: 5, periodSeconds: 60 });
    });
    afterEach(async () => {
        cw.destroy();
        await sim.stop();
    });

    async function sums(dimensions: { Name: string; Value: string }[], from: number, to: number): Promise<Record<string, number[]>> {
        const query = (id: string, name: string) => ({ Id: id, MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: name, Dimensions: dimensions }, Period: 60, Stat: "Sum" } });
        const out = await cw.send(new GetMetricDataCommand({ MetricDataQueries: [query("requests", "RequestCount"), query("errors", "HTTPCode_Target_5XX_Count")], StartTime: new Date(from), EndTime: new Date(to) }));
        return Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id!, r.Values ?? []]));
    }

    it("counts the listener's requests and target 5xx per minute, readable a minute after the minute ends", async () => {
        const start = clock.t;
        for (let i = 0; i < 3; i++) expect((await fetch(`${sim.albUrl}/search`)).status).to.equal(502);
        const dims = [
            { Name: "TargetGroup", Value: "targetgroup/berth-dev-search/cccccccccccccccc" },
            { Name: "LoadBalancer", Value: LB },
        ];
        clock.t = start + 90_000;
        expect(await sums(dims, start, clock.t), "the minute has not been ingested yet").to.deep.equal({ requests: [], errors: [] });
        clock.t = start + 120_000;
        // 3 requests of our own plus 2 a second of background production traffic for the 59 steps left in that
        // minute (the first step is a second after the start), all answered 502 by this image.
        expect(await sums(dims, start, clock.t)).to.deep.equal({ requests: [121], errors: [121] });
        const wrongLb = dims.map((d) => (d.Name === "LoadBalancer" ? { ...d, Value: "app/other/0000000000000000" } : d));
        expect(await sums(wrongLb, start, clock.t), "dimensions match exactly").to.deep.equal({ requests: [], errors: [] });
    });

    it("an alarm over the 5xx count goes into ALARM once an ingested minute crosses its threshold", async () => {
        const state = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["berth-dev-search-5xx"] }))).MetricAlarms![0].StateValue;
        expect(await state()).to.equal("INSUFFICIENT_DATA");
        clock.t += 60_000;
        expect(await state(), "the first minute is not ingested yet").to.equal("OK");
        clock.t += 60_000;
        expect(await state()).to.equal("ALARM");
    });
});
