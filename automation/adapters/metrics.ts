// MetricsPort over CloudWatch GetMetricData: a target group's requests and target 5xx over a window, the input
// of the canary check (ALB metrics are per minute; a window shorter than one sees nothing yet).
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { MetricsPort, TargetGroupErrors } from "../ports";
import { retry, SDK_RETRY, type AwsAdapterOptions } from "./retry";

/** `arn:…:targetgroup/name/id` → `targetgroup/name/id`, the TargetGroup dimension of AWS/ApplicationELB. */
export function targetGroupDimension(targetGroupArn: string): string {
    const at = targetGroupArn.indexOf(":targetgroup/");
    if (at === -1) throw new Error(`not a target group ARN: ${targetGroupArn}`);
    return targetGroupArn.slice(at + 1);
}

/** `arn:…:loadbalancer/app/name/id` → `app/name/id`, the LoadBalancer dimension. */
export function loadBalancerDimension(loadBalancerArn: string): string {
    const at = loadBalancerArn.indexOf(":loadbalancer/");
    if (at === -1) throw new Error(`not a load balancer ARN: ${loadBalancerArn}`);
    return loadBalancerArn.slice(at + ":loadbalancer/".length);
}

const PERIOD_SECONDS = 60;

export class CloudWatchMetrics implements MetricsPort {
    private readonly client: CloudWatchClient;

    constructor(private readonly options: AwsAdapterOptions<CloudWatchClient> = {}) {
        this.client = options.client ?? new CloudWatchClient({ region: options.region, ...SDK_RETRY });
    }

    async targetGroupErrors(loadBalancerArn: string, targetGroupArn: string, fromMs: number, toMs: number): Promise<TargetGroupErrors> {
        const dimensions = [
            { Name: "TargetGroup", Value: targetGroupDimension(targetGroupArn) },
            { Name: "LoadBalancer", Value: loadBalancerDimension(loadBalancerArn) },
        ];
        const query = (id: string, metricName: string): MetricDataQuery => ({
            Id: id,
            MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: metricName, Dimensions: dimensions }, Period: PERIOD_SECONDS, Stat: "Sum" },
            ReturnData: true,
        });
        const sums: Record<string, number> = { requests: 0, errors: 0 };
        let nextToken: string | undefined;
        do {
            const token = nextToken;
            const out = await retry(
                `cloudwatch:GetMetricData ${targetGroupDimension(targetGroupArn)}`,
                () =>
                    this.client.send(
                        new GetMetricDataCommand({
                            MetricDataQueries: [query("requests", "RequestCount"), query("errors", "HTTPCode_Target_5XX_Count")],
                            StartTime: new Date(fromMs),
                            EndTime: new Date(toMs),
                            ...(token ? { NextToken: token } : {}),
                        }),
                    ),
                this.options.retry,
            );
            for (const result of out.MetricDataResults ?? []) {
                if (result.Id && result.Id in sums) sums[result.Id] += (result.Values ?? []).reduce((a, b) => a + b, 0);
            }
            nextToken = out.NextToken;
        } while (nextToken);
        return { requests: sums.requests, errors5xx: sums.errors };
    }
}
