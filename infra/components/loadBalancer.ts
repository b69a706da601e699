// The public entry point: an ALB in the public subnets, HTTP (redirecting to HTTPS when a certificate is
// set), a fixed 404 by default, one target group per routed service and listener rules within AWS limits; for
// blue/green, canary and linear services a second target group and a test rule that ECS moves traffic with.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { ServiceSettings, Settings } from "../config/settings";
import type { Naming } from "../naming";
import { shiftsTraffic } from "../config/rollout";

export interface LoadBalancerArgs {
    naming: Naming;
    loadBalancer: Settings["loadBalancer"];
    services: ServiceSettings[];
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    securityGroupId: pulumi.Input<string>;
    accessLogsBucket?: pulumi.Input<string>;
    /** Value of the test header (Naming.testTrafficValue) that the test rules of traffic-shifting services match. */
    testTrafficValue: string;
}

/** What ECS needs to shift one service's traffic: the second target group and the two rules it rewrites. */
export interface TrafficShift {
    alternateTargetGroup: aws.lb.TargetGroup;
    productionRule: aws.lb.ListenerRule;
    testRule: aws.lb.ListenerRule;
    test: { header: string; value: string };
}

const NOT_FOUND = { type: "fixed-response", fixedResponse: { contentType: "application/json", messageBody: '{"error":"not found"}', statusCode: "404" } };

/** Public URL of the environment, from the listener (scheme and host, never a container port: F09). */
export function publicUrl(lb: Pick<Settings["loadBalancer"], "certificateArn" | "domainName">, dnsName: pulumi.Input<string>): pulumi.Output<string> {
    const scheme = lb.certificateArn ? "https" : "http";
    return pulumi.interpolate`${scheme}://${lb.domainName ?? dnsName}`;
}

export class LoadBalancer extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly targetGroups: Record<string, aws.lb.TargetGroup>;
    /** Listener rules per service: its ECS service must wait for them (a target group needs a listener). */
    readonly listenerRules: Record<string, aws.lb.ListenerRule[]>;
    /** Per blue/green, canary or linear service. */
    readonly trafficShifts: Record<string, TrafficShift>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:loadBalancer:LoadBalancer", name, {}, opts);
        const { loadBalancer: settings, naming } = args;
        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                name: naming.loadBalancer(),
                loadBalancerType: "application",
                internal: false,
                subnets: args.subnetIds,
                securityGroups: [args.securityGroupId],
                idleTimeout: settings.idleTimeoutSeconds,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "defensive",
                enableDeletionProtection: settings.deletionProtection,
                enableHttp2: true,
                accessLogs: args.accessLogsBucket ? { bucket: args.accessLogsBucket, enabled: true } : undefined,
            },
            { parent: this },
        );
        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.url = publicUrl(settings, alb.dnsName);

        const routeListener = this.createListeners(name, settings, alb);
        this.targetGroups = {};
        this.listenerRules = {};
        this.trafficShifts = {};
        const alternates: Record<string, aws.lb.TargetGroup> = {};
        for (const service of args.services.filter((s) => s.routes.length > 0)) {
            this.targetGroups[service.name] = this.createTargetGroup(`${name}-${service.name}-tg`, naming.targetGroup(service.name), service, args.vpcId);
            if (shiftsTraffic(service.rollout.strategy)) {
                alternates[service.name] = this.createTargetGroup(`${name}-${service.name}-alt-tg`, naming.alternateTargetGroup(service.name), service, args.vpcId);
            }
        }
        for (const rule of settings.rules) {
            const alternate = alternates[rule.service];
            // ECS rewrites the forward actions of both rules on every deployment (which target group is live
            // alternates): Pulumi must not put them back, so a traffic-shifting service's rules ignore `actions`.
            const owned: pulumi.CustomResourceOptions = { parent: this, ignoreChanges: alternate ? ["actions"] : [] };
            const production = new aws.lb.ListenerRule(
                `${name}-${rule.service}-rule-${rule.index}`,
                {
                    listenerArn: routeListener.arn,
                    priority: rule.priority,
                    conditions: [{ pathPattern: { values: rule.patterns } }],
                    actions: [{ type: "forward", targetGroupArn: this.targetGroups[rule.service].arn }],
                },
                owned,
            );
            (this.listenerRules[rule.service] ??= []).push(production);
            if (alternate && rule.testPriority !== undefined) {
                const service = args.services.find((s) => s.name === rule.service)!;
                const test = { header: service.rollout.testHeader, value: args.testTrafficValue };
                const testRule = new aws.lb.ListenerRule(
                    `${name}-${rule.service}-test-rule`,
                    {
                        listenerArn: routeListener.arn,
                        priority: rule.testPriority,
                        conditions: [{ pathPattern: { values: rule.patterns } }, { httpHeader: { httpHeaderName: test.header, values: [test.value] } }],
                        actions: [{ type: "forward", targetGroupArn: alternate.arn }],
                    },
                    owned,
                );
                this.listenerRules[rule.service].push(testRule);
                this.trafficShifts[rule.service] = { alternateTargetGroup: alternate, productionRule: production, testRule, test };
            }
        }
        this.registerOutputs({ dnsName: this.dnsName, url: this.url });
    }

    /** Returns the listener that carries the routing rules. */
    private createListeners(name: string, settings: Settings["loadBalancer"], alb: aws.lb.LoadBalancer): aws.lb.Listener {
        if (!settings.certificateArn) {
            return new aws.lb.Listener(`${name}-http`, { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [NOT_FOUND] }, { parent: this });
        }
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            },
            { parent: this },
        );
        return new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: settings.certificateArn,
                defaultActions: [NOT_FOUND],
            },
            { parent: this },
        );
    }

    /** A service's target group; the alternate of a traffic-shifting service is its twin (ECS alternates them). */
    private createTargetGroup(logicalName: string, physicalName: string, service: ServiceSettings, vpcId: pulumi.Input<string>): aws.lb.TargetGroup {
        const hc = service.healthCheck;
        return new aws.lb.TargetGroup(
            logicalName,
            {
                name: physicalName,
                targetType: "ip",
                port: service.port,
                protocol: "HTTP",
                vpcId,
                deregistrationDelay: service.deregistrationDelaySeconds,
                healthCheck: {
                    enabled: true,
                    path: hc.path,
                    port: "traffic-port",
                    protocol: "HTTP",
                    interval: hc.intervalSeconds,
                    timeout: hc.timeoutSeconds,
                    healthyThreshold: hc.healthyThreshold,
                    unhealthyThreshold: hc.unhealthyThreshold,
                    matcher: hc.matcher,
                },
                // WebSocket connections must return to the task that holds them (F09).
                stickiness: service.websocket ? { enabled: true, type: "lb_cookie", cookieDuration: 86400 } : { enabled: false, type: "lb_cookie" },
            },
            { parent: this },
        );
    }
}
