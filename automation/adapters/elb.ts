// LoadBalancerPort over ELBv2 DescribeTargetHealth (SDK v3); the call has no pagination.
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { LoadBalancerPort, TargetHealth } from "../ports";
import { retry, SDK_RETRY, type AwsAdapterOptions } from "./retry";

export class ElbAdapter implements LoadBalancerPort {
    private readonly client: ElasticLoadBalancingV2Client;

    constructor(private readonly options: AwsAdapterOptions<ElasticLoadBalancingV2Client> = {}) {
        this.client = options.client ?? new ElasticLoadBalancingV2Client({ region: options.region, ...SDK_RETRY });
    }

    async targetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
        const out = await retry(
            `elbv2:DescribeTargetHealth ${targetGroupArn}`,
            () => this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
            this.options.retry,
        );
        return (out.TargetHealthDescriptions ?? []).map((d) => ({
            targetId: d.Target?.Id ?? "",
            port: d.Target?.Port,
            state: d.TargetHealth?.State ?? "unavailable",
            reason: d.TargetHealth?.Reason,
            description: d.TargetHealth?.Description,
        }));
    }
}
