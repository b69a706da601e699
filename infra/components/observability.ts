// Alarms: ALB 5xx, target 5xx and unhealthy targets per routed service (the alarms ECS rolls a deployment back
// on), CPU and memory per service, RDS CPU and free storage, at the thresholds config resolved
// (`berth:alarms.thresholds` over the profile defaults). They notify an SNS topic when one is configured (an
// e-mail creates one; a topic ARN is reused).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { AlarmThresholds, Settings } from "../config/settings";
import type { Naming } from "../naming";

export interface ObservabilityArgs {
    naming: Naming;
    alarms: Settings["alarms"];
    loadBalancerArnSuffix: pulumi.Input<string>;
    targetGroupArnSuffixes: Record<string, pulumi.Input<string>>;
    /** Alternate target groups of blue/green, canary and linear services: their alarms watch both. */
    alternateTargetGroupArnSuffixes: Record<string, pulumi.Input<string>>;
    clusterName: pulumi.Input<string>;
    serviceNames: Record<string, pulumi.Input<string>>;
    dbIdentifier: string;
}

interface AlarmSpec {
    key: string;
    subject: string;
    metric: string;
    namespace: string;
    statistic: "Sum" | "Average" | "Maximum" | "Minimum";
    threshold: number;
    comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    dimensions: Record<string, pulumi.Input<string>>;
    /** When set, the alarm watches `FILL(m1,0) + FILL(m2,0) …` over the metric in each of these dimension sets. */
    sumOver?: Record<string, pulumi.Input<string>>[];
    periodSeconds: number;
    evaluationPeriods: number;
    description: string;
}

/** Per routed service, the alarms ECS watches during its deployments (`alarms` with rollback on the service). */
export const DEPLOYMENT_ALARM_METRICS = ["UnHealthyHostCount", "HTTPCode_Target_5XX_Count"] as const;

/** Names of a routed service's deployment alarms, as planAlarms names them (the service needs them before they exist). */
export function deploymentAlarmNames(naming: Naming, service: string): string[] {
    return DEPLOYMENT_ALARM_METRICS.map((metric) => naming.alarm(service, metric.toLowerCase()));
}

const GIB = 1024 ** 3;

/** The alarms of a stack as data, so their coverage and exact inputs can be checked without a cloud. */
export function planAlarms(args: Omit<ObservabilityArgs, "naming" | "alarms">, thresholds: AlarmThresholds): AlarmSpec[] {
    const specs: AlarmSpec[] = [
        {
            key: "alb-5xx",
            subject: "alb",
            metric: "HTTPCode_ELB_5XX_Count",
            namespace: "AWS/ApplicationELB",
            statistic: "Sum",
            threshold: thresholds.alb5xxPerMinute,
            comparisonOperator: "GreaterThanThreshold",
            dimensions: { LoadBalancer: args.loadBalancerArnSuffix },
            periodSeconds: 60,
            evaluationPeriods: 3,
            description: "the load balancer answers 5xx itself (no healthy target, timeouts)",
        },
    ];
    for (const [service, tg] of Object.entries(args.targetGroupArnSuffixes)) {
        // Green runs in whichever target group ECS did not use last time, so a traffic-shifting service's alarms
        // add both up: blue takes no production traffic once shifted, so what the sum sees is green's.
        const alternate = args.alternateTargetGroupArnSuffixes[service];
        const dimensions = { TargetGroup: tg, LoadBalancer: args.loadBalancerArnSuffix };
        const sumOver = alternate ? [dimensions, { TargetGroup: alternate, LoadBalancer: args.loadBalancerArnSuffix }] : undefined;
        const both = alternate ? " (either target group)" : "";
        specs.push(
            {
                key: `${service}-unhealthy`,
                subject: service,
                metric: "UnHealthyHostCount",
                namespace: "AWS/ApplicationELB",
                statistic: "Maximum",
                threshold: thresholds.unhealthyTargets,
                comparisonOperator: "GreaterThanThreshold",
                dimensions,
                sumOver,
                periodSeconds: 60,
                evaluationPeriods: 5,
                description: `${service} has more than ${thresholds.unhealthyTargets} unhealthy targets${both}`,
            },
            {
                key: `${service}-target-5xx`,
                subject: service,
                metric: DEPLOYMENT_ALARM_METRICS[1],
                namespace: "AWS/ApplicationELB",
                statistic: "Sum",
                threshold: thresholds.target5xxPerMinute,
                comparisonOperator: "GreaterThanThreshold",
                dimensions,
                sumOver,
                periodSeconds: 60,
                evaluationPeriods: 2,
                description: `${service} answers more than ${thresholds.target5xxPerMinute} 5xx a minute${both}`,
            },
        );
    }
    for (const [service, serviceName] of Object.entries(args.serviceNames)) {
        for (const metric of ["CPUUtilization", "MemoryUtilization"]) {
            const percent = metric === "CPUUtilization" ? thresholds.serviceCpuPercent : thresholds.serviceMemoryPercent;
            specs.push({
                key: `${service}-${metric === "CPUUtilization" ? "cpu" : "memory"}`,
                subject: service,
                metric,
                namespace: "AWS/ECS",
                statistic: "Average",
                threshold: percent,
                comparisonOperator: "GreaterThanThreshold",
                dimensions: { ClusterName: args.clusterName, ServiceName: serviceName },
                periodSeconds: 300,
                evaluationPeriods: 2,
                description: `${service} ${metric} above ${percent}%`,
            });
        }
    }
    specs.push(
        {
            key: "db-cpu",
            subject: "db",
            metric: "CPUUtilization",
            namespace: "AWS/RDS",
            statistic: "Average",
            threshold: thresholds.databaseCpuPercent,
            comparisonOperator: "GreaterThanThreshold",
            dimensions: { DBInstanceIdentifier: args.dbIdentifier },
            periodSeconds: 300,
            evaluationPeriods: 2,
            description: `database CPU above ${thresholds.databaseCpuPercent}%`,
        },
        {
            key: "db-free-storage",
            subject: "db",
            metric: "FreeStorageSpace",
            namespace: "AWS/RDS",
            statistic: "Minimum",
            threshold: Math.round(thresholds.databaseFreeStorageGiB * GIB),
            comparisonOperator: "LessThanThreshold",
            dimensions: { DBInstanceIdentifier: args.dbIdentifier },
            periodSeconds: 300,
            evaluationPeriods: 1,
            description: `database free storage below ${thresholds.databaseFreeStorageGiB} GiB`,
        },
    );
    return specs;
}

export class Observability extends pulumi.ComponentResource {
    readonly topicArn?: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:observability:Observability", name, {}, opts);
        this.topicArn = this.createTopic(name, args);
        const actions = this.topicArn ? [this.topicArn] : [];
        for (const spec of planAlarms(args, args.alarms.thresholds)) {
            const metric = spec.sumOver
                ? {
                      metricQueries: [
                          { id: "total", expression: spec.sumOver.map((_, i) => `FILL(m${i + 1}, 0)`).join(" + "), label: `${spec.metric} (sum)`, returnData: true },
                          ...spec.sumOver.map((dimensions, i) => ({
                              id: `m${i + 1}`,
                              returnData: false,
                              metric: { namespace: spec.namespace, metricName: spec.metric, dimensions, period: spec.periodSeconds, stat: spec.statistic },
                          })),
                      ],
                  }
                : { namespace: spec.namespace, metricName: spec.metric, statistic: spec.statistic, dimensions: spec.dimensions, period: spec.periodSeconds };
            new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.key}`,
                {
                    name: args.naming.alarm(spec.subject, spec.metric.toLowerCase()),
                    alarmDescription: spec.description,
                    ...metric,
                    threshold: spec.threshold,
                    comparisonOperator: spec.comparisonOperator,
                    evaluationPeriods: spec.evaluationPeriods,
                    treatMissingData: "notBreaching",
                    alarmActions: actions,
                    okActions: actions,
                },
                { parent: this },
            );
        }
        this.registerOutputs({ topicArn: this.topicArn });
    }

    private createTopic(name: string, args: ObservabilityArgs): pulumi.Output<string> | undefined {
        if (args.alarms.topicArn) return pulumi.output(args.alarms.topicArn);
        if (!args.alarms.email) return undefined;
        // No aws/sns encryption: CloudWatch cannot publish to a topic under that AWS-managed key.
        const topic = new aws.sns.Topic(`${name}-topic`, { name: args.naming.topic() }, { parent: this });
        new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.alarms.email }, { parent: this });
        return topic.arn;
    }
}
