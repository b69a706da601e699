// LoadBalancerPort over ELBv2 DescribeTargetHealth (SDK v3); the call has no pagination.
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { LoadBalancerPort, TargetHealth } from "../ports";
import { awsClient, type AwsAdapterOptions } from "./aws";

export class ElbAdapter implements LoadBalancerPort {
    private readonly client: ElasticLoadBalancingV2Client;

    constructor(options: AwsAdapterOptions<ElasticLoadBalancingV2Client> = {}) {
        this.client = options.client ?? awsClient(ElasticLoadBalancingV2Client, options);
    }

    async targetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
        const out = await this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
        return (out.TargetHealthDescriptions ?? []).map((d) => ({
            targetId: d.Target?.Id ?? "",
            port: d.Target?.Port,
            state: d.TargetHealth?.State ?? "unavailable",
            reason: d.TargetHealth?.Reason,
            description: d.TargetHealth?.Description,
        }));
    }
}
