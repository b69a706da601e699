import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchMetrics, loadBalancerDimension, targetGroupDimension } from "../../../automation/adapters/metrics";

const cwMock = mockClient(CloudWatchClient);
const LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/berth-dev-alb/2bcf97b850c9486f";
const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/berth-dev-orders-g/1111222233334444";

describe("CloudWatchMetrics (the canary's 5xx ratio)", () => {
    beforeEach(() => cwMock.reset());

    it("derives the AWS/ApplicationELB dimensions from the ARNs, and refuses anything else", () => {
        expect(targetGroupDimension(TG)).to.equal("targetgroup/berth-dev-orders-g/1111222233334444");
        expect(loadBalancerDimension(LB)).to.equal("app/berth-dev-alb/2bcf97b850c9486f");
        expect(() => targetGroupDimension(LB)).to.throw(`not a target group ARN: ${LB}`);
        expect(() => loadBalancerDimension(TG)).to.throw(`not a load balancer ARN: ${TG}`);
    });

    it("sums RequestCount and HTTPCode_Target_5XX_Count over every page of the window", async () => {
        cwMock
            .on(GetMetricDataCommand)
            .resolvesOnce({ MetricDataResults: [{ Id: "requests", Values: [60, 60] }, { Id: "errors", Values: [1] }], NextToken: "n" })
            .resolvesOnce({ MetricDataResults: [{ Id: "requests", Values: [30] }, { Id: "errors", Values: [] }] });
        const metrics = new CloudWatchMetrics({ client: new CloudWatchClient({ region: "eu-west-1" }), retry: { attempts: 1 } });
        expect(await metrics.targetGroupErrors(LB, TG, 60_000, 240_000)).to.deep.equal({ requests: 150, errors5xx: 1 });
        const inputs = cwMock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
        const dims = [
            { Name: "TargetGroup", Value: "targetgroup/berth-dev-orders-g/1111222233334444" },
            { Name: "LoadBalancer", Value: "app/berth-dev-alb/2bcf97b850c9486f" },
        ];
        expect(inputs[0]).to.deep.equal({
            MetricDataQueries: [
                { Id: "requests", MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCount", Dimensions: dims }, Period: 60, Stat: "Sum" }, ReturnData: true },
                { Id: "errors", MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Dimensions: dims }, Period: 60, Stat: "Sum" }, ReturnData: true },
            ],
            StartTime: new Date(60_000),
            EndTime: new Date(240_000),
        });
        expect(inputs[1].NextToken).to.equal("n");
    });
});
