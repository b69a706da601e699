// The monthly cost of a synthesized environment: one line per billed dimension of each resource, priced from
// the price file and the stated usage assumptions. Pure: the same resources, prices and assumptions give the
// same figures. A resource berth has no rule for, or a price the file lacks, becomes a "not priced" line.
import type { CostAssumptions } from "../config/costAssumptions";
import { regionPrices, type PriceEntry, type PriceFile } from "./priceFile";
import { doubledMinutes } from "../config/rollout";

/** What the estimate reads of a resource: the synth engine's record, or its JSON. */
export interface CostResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
}

export interface CostLine {
    /** Outermost berth component ("network", "svc-orders") or "(stack)". */
    component: string;
    /** The AWS service that bills it. */
    awsService: string;
    resource: string;
    /** What is counted, in words. */
    item: string;
    /** Billed units a month at the point estimate (desiredCount). */
    quantity: number;
    unit: string;
    priceKey: string;
    unitUsd: number;
    monthly: number;
    /** Autoscaling min–max; equal to monthly when the line does not scale. */
    low: number;
    high: number;
}

/**
 * What one release of a blue/green, canary or linear service costs on top of the month: green's tasks run
 * next to blue's for the canary or linear steps and the bake (the time berth's test takes comes on top).
 * The alternate target group and the test rule have no charge of their own.
 */
export interface ReleaseCostLine {
    component: string;
    resource: string;
    strategy: string;
    tasks: number;
    minutes: number;
    /** Fargate vCPU and memory of one task for one minute, Spot discount applied. */
    unitUsdPerTaskMinute: number;
    usd: number;
}

export interface UnpricedLine {
    component: string;
    resource: string;
    type: string;
    reason: string;
    /** Set when the reason is a price the file lacks for the region. */
    priceKey?: string;
}

export interface CostEstimate {
    region: string;
    currency: "USD";
    hoursPerMonth: number;
    priceFile: string;
    /** Dates the prices used were read, oldest first. */
    priceDates: string[];
    assumptions: CostAssumptions;
    lines: CostLine[];
    unpriced: UnpricedLine[];
    total: { monthly: number; low: number; high: number };
    /** Per release, not in the monthly total. */
    perRelease: ReleaseCostLine[];
}

export interface EstimateInput {
    resources: readonly CostResource[];
    region: string;
    assumptions: CostAssumptions;
    prices: PriceFile;
}

/** Resources with no charge of their own (IAM, security groups, listeners, bucket settings, …). */
export const FREE_TYPES = new Set([
    "pulumi:providers:aws",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policy:Policy",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    // Billed through the log group it delivers to (priced there at the vended-logs rate).
    "aws:ec2/flowLog:FlowLog",
    // A local build; what it pushes is priced as ECR storage.
    "docker:index/image:Image",
    "aws:appautoscaling/target:Target",
]);

/** Charges that depend on volume berth does not assume: said, not guessed. */
const USAGE_ONLY: Record<string, string> = {
    "aws:sns/topic:Topic": "SNS bills per request and notification (the first 1,000 e-mail notifications a month are free); not priced",
};

const round = (n: number) => Math.round(n * 1e10) / 1e10;

function componentOf(resources: readonly CostResource[]): (r: CostResource) => string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return (r) => {
        let current = r;
        while (current.parent && byUrn.has(current.parent)) current = byUrn.get(current.parent)!;
        return current === r && !r.type.startsWith("berth:") ? "(stack)" : current.name;
    };
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Prices every resource; throws PriceFileError when the region has no prices at all. */
export function estimateCost(input: EstimateInput): CostEstimate {
    const { resources, region, assumptions: a, prices } = input;
    const table = regionPrices(prices, region);
    const H = prices.hoursPerMonth;
    const component = componentOf(resources);
    const lines: CostLine[] = [];
    const unpriced: UnpricedLine[] = [];
    const perRelease: ReleaseCostLine[] = [];
    const used = new Set<string>();

    const price = (key: string): PriceEntry | undefined => table[key];
    const missing = (r: CostResource, key: string, what: string) => {
        const e = price(key);
        const why = e ? `not found when the price file was written${e.note && e.note !== "not found" ? ` (${e.note})` : ""}` : "no such key in the file";
        unpriced.push({ component: component(r), resource: r.name, type: r.type, priceKey: key, reason: `${what}: no ${key} price for ${region} in ${displayFile(prices.file)} — ${why}` });
    };
    /** Adds a line; `scale` gives the quantity at [point, low, high]. */
    const add = (r: CostResource, awsService: string, item: string, unit: string, key: string, qty: [number, number, number], factor = 1) => {
        const e = price(key);
        if (!e || e.usd === null) return missing(r, key, item);
        used.add(e.read);
        const unitUsd = round(e.usd * factor);
        lines.push({
            component: component(r),
            awsService,
            resource: r.name,
            item,
            quantity: round(qty[0]),
            unit,
            priceKey: key,
            unitUsd,
            monthly: round(qty[0] * unitUsd),
            low: round(qty[1] * unitUsd),
            high: round(qty[2] * unitUsd),
        });
    };
    const fixed = (q: number): [number, number, number] => [q, q, q];
    const notPriced = (r: CostResource, reason: string) => unpriced.push({ component: component(r), resource: r.name, type: r.type, reason });

    const ofType = (t: string) => resources.filter((r) => r.type === t);
    const taskDefs = ofType("aws:ecs/taskDefinition:TaskDefinition");
    const scalingTargets = ofType("aws:appautoscaling/target:Target");
    const ecsServices = ofType("aws:ecs/service:Service");
    const flowLogDestinations = ofType("aws:ec2/flowLog:FlowLog").map((f) => str(f.inputs.logDestination) ?? "");
    const interfaceEndpoints = ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");

    /** Task counts of an ECS service: [desired, autoscaling min, autoscaling max]. */
    const taskCounts = (svc: CostResource): [number, number, number] => {
        const desired = num(svc.inputs.desiredCount) ?? 1;
        const name = str(svc.inputs.name);
        const target = scalingTargets.find((t) => name !== undefined && str(t.inputs.resourceId)?.endsWith(`/${name}`));
        if (!target) return [desired, desired, desired];
        return [desired, num(target.inputs.minCapacity) ?? desired, num(target.inputs.maxCapacity) ?? desired];
    };

    for (const r of resources) {
        if (r.type.startsWith("berth:") || FREE_TYPES.has(r.type)) continue;
        const i = r.inputs;
        switch (r.type) {
            case "aws:ecs/service:Service": {
                const family = /task-definition\/([^:/]+)(?::\d+)?$/.exec(str(i.taskDefinition) ?? "")?.[1];
                const td = taskDefs.find((t) => t.inputs.family === family);
                if (!td) {
                    notPriced(r, `its task definition (${str(i.taskDefinition) ?? "none"}) is not among the resources, so its size is unknown`);
                    break;
                }
                const vcpu = (num(td.inputs.cpu) ?? 0) / 1024;
                const gb = (num(td.inputs.memory) ?? 0) / 1024;
                const arch = str(obj(td.inputs.runtimePlatform).cpuArchitecture) === "ARM64" ? "arm64" : "x86_64";
                const strategies = arr(i.capacityProviderStrategies).map(obj);
                const weight = (p: string) => strategies.filter((s) => s.capacityProvider === p).reduce((sum, s) => sum + (num(s.weight) ?? 0), 0);
                const total = weight("FARGATE") + weight("FARGATE_SPOT");
                const spotShare = total > 0 ? weight("FARGATE_SPOT") / total : 0;
                const factor = 1 - spotShare * a.spotDiscount;
                const [n, lo, hi] = taskCounts(r);
                const scale = lo === hi && lo === n ? `${n} task${n === 1 ? "" : "s"}` : `${n} tasks (autoscaling ${lo}–${hi})`;
                const spot = spotShare > 0 ? `, Spot at ${Math.round(a.spotDiscount * 100)}% off${spotShare < 1 ? ` for ${Math.round(spotShare * 100)}%` : ""}` : "";
                const hours = (count: number, per: number) => count * per * H;
                add(r, "Fargate", `vCPU-hours: ${scale} × ${vcpu} vCPU, ${arch}${spot}`, "vCPU-h", `fargate.${arch}.vcpuHour`, [hours(n, vcpu), hours(lo, vcpu), hours(hi, vcpu)], factor);
                add(r, "Fargate", `GB-hours: ${scale} × ${gb} GB, ${arch}${spot}`, "GB-h", `fargate.${arch}.gbHour`, [hours(n, gb), hours(lo, gb), hours(hi, gb)], factor);
                const release = releaseMinutes(i.deploymentConfiguration);
                const vcpuPrice = price(`fargate.${arch}.vcpuHour`)?.usd;
                const gbPrice = price(`fargate.${arch}.gbHour`)?.usd;
                if (release && vcpuPrice != null && gbPrice != null) {
                    const perTaskMinute = round(((vcpu * vcpuPrice + gb * gbPrice) * factor) / 60);
                    perRelease.push({ component: component(r), resource: r.name, strategy: release.strategy, tasks: n, minutes: release.minutes, unitUsdPerTaskMinute: perTaskMinute, usd: round(n * release.minutes * perTaskMinute) });
                }
                if (obj(i.networkConfiguration).assignPublicIp === true) {
                    add(r, "VPC (public IPv4)", `public IPv4 addresses: one per task`, "IP-h", "ipv4.hour", [n * H, lo * H, hi * H]);
                }
                break;
            }
            case "aws:lb/loadBalancer:LoadBalancer": {
                if ((str(i.loadBalancerType) ?? "application") !== "application") {
                    notPriced(r, `berth prices application load balancers only (this is ${str(i.loadBalancerType)})`);
                    break;
                }
                add(r, "Elastic Load Balancing", "ALB hours", "h", "alb.hour", fixed(H));
                add(r, "Elastic Load Balancing", `LCU-hours: ${a.albLcuPerHour} LCU on average (assumption albLcuPerHour)`, "LCU-h", "alb.lcuHour", fixed(a.albLcuPerHour * H));
                if (i.internal !== true) {
                    const nodes = arr(i.subnets).length;
                    add(r, "VPC (public IPv4)", `public IPv4 addresses: ${nodes} (one ALB node per AZ; more under load)`, "IP-h", "ipv4.hour", fixed(nodes * H));
                }
                break;
            }
            case "awsx:ec2:Vpc": {
                const azs = arr(i.availabilityZoneNames).length || (num(i.numberOfAvailabilityZones) ?? 3);
                const strategy = str(obj(i.natGateways).strategy) ?? "OnePerAz";
                const nats = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
                if (nats === 0) break;
                add(r, "VPC (NAT gateway)", `NAT gateway hours: ${nats} gateway${nats === 1 ? "" : "s"} (${strategy === "Single" ? "single" : "one per AZ"})`, "h", "nat.hour", fixed(nats * H));
                add(r, "VPC (NAT gateway)", `NAT data processed: ${a.natGbPerMonth} GB (assumption natGbPerMonth)`, "GB", "nat.gb", fixed(a.natGbPerMonth));
                add(r, "VPC (public IPv4)", `public IPv4 addresses: ${nats} NAT gateway Elastic IP${nats === 1 ? "" : "s"}`, "IP-h", "ipv4.hour", fixed(nats * H));
                break;
            }
            case "aws:ec2/vpcEndpoint:VpcEndpoint": {
                if (i.vpcEndpointType !== "Interface") break; // gateway endpoints (S3, DynamoDB) have no charge
                const azs = arr(i.subnetIds).length;
                const service = (str(i.serviceName) ?? "").split(".").slice(3).join(".");
                add(r, "VPC (PrivateLink)", `interface endpoint ${service}: ${azs} AZ${azs === 1 ? "" : "s"}`, "AZ-h", "vpce.interface.azHour", fixed(azs * H));
                const share = a.endpointGbPerMonth / interfaceEndpoints.length;
                add(r, "VPC (PrivateLink)", `data processed: ${round(share)} GB (endpointGbPerMonth shared by ${interfaceEndpoints.length} endpoints)`, "GB", "vpce.interface.gb", fixed(share));
                break;
            }
            case "aws:rds/instance:Instance": {
                const engine = str(i.engine) ?? "postgres";
                const cls = str(i.instanceClass) ?? "?";
                const multi = i.multiAz === true;
                const copies = multi ? 2 : 1;
                const az = multi ? "Multi-AZ: primary and standby" : "Single-AZ";
                add(r, "RDS", `${cls} ${engine} instance-hours (${az})`, "h", `rds.${engine}.${cls}.hour`, fixed(copies * H));
                const storage = num(i.allocatedStorage) ?? 0;
                const type = str(i.storageType) ?? "gp2";
                if (type === "gp3") add(r, "RDS", `gp3 storage: ${storage} GB${multi ? " × 2 (standby)" : ""}`, "GB-mo", "rds.gp3.gbMonth", fixed(storage * copies));
                else notPriced(r, `storage type ${type}: berth prices gp3 only`);
                const retention = num(i.backupRetentionPeriod) ?? 0;
                if (retention > 0) {
                    const beyond = storage * a.backupChangePerDay * retention;
                    add(r, "RDS", `backup storage beyond the free allowance (= provisioned storage): ${storage} GB × ${a.backupChangePerDay} changed a day × ${retention} days`, "GB-mo", "rds.backup.gbMonth", fixed(beyond));
                }
                if (i.manageMasterUserPassword === true) add(r, "Secrets Manager", "RDS-managed master user secret", "secret-mo", "secretsmanager.secretMonth", fixed(1));
                const exports = arr(i.enabledCloudwatchLogsExports);
                if (exports.length > 0) notPriced(r, `log exports to CloudWatch Logs (${exports.join(", ")}): billed by volume, not assumed`);
                break;
            }
            case "aws:cloudwatch/logGroup:LogGroup": {
                const name = str(i.name) ?? r.name;
                const flow = flowLogDestinations.some((d) => d.endsWith(`:log-group:${name}`));
                const gb = flow ? a.flowLogGbPerMonth : a.logGbPerGroupPerMonth;
                const retention = num(i.retentionInDays);
                if (flow) add(r, "CloudWatch Logs", `VPC flow logs delivered: ${gb} GB (assumption flowLogGbPerMonth)`, "GB", "logs.vended.gb", fixed(gb));
                else add(r, "CloudWatch Logs", `ingested: ${gb} GB (assumption logGbPerGroupPerMonth)`, "GB", "logs.ingest.gb", fixed(gb));
                if (retention === undefined || retention === 0) notPriced(r, "log storage: kept forever, so it grows without bound; not priced");
                else add(r, "CloudWatch Logs", `stored: ${gb} GB a month kept ${retention} days`, "GB-mo", "logs.storage.gbMonth", fixed((gb * retention) / 30));
                break;
            }
            case "aws:s3/bucket:Bucket":
            case "aws:s3/bucketV2:BucketV2":
                add(r, "S3", `Standard storage: ${a.s3GbPerBucket} GB (assumption s3GbPerBucket); requests not priced`, "GB-mo", "s3.standard.gbMonth", fixed(a.s3GbPerBucket));
                break;
            case "aws:ecr/repository:Repository":
                add(r, "ECR", `image storage: ${a.ecrGbPerRepository} GB (assumption ecrGbPerRepository)`, "GB-mo", "ecr.storage.gbMonth", fixed(a.ecrGbPerRepository));
                break;
            case "aws:secretsmanager/secret:Secret":
                add(r, "Secrets Manager", "secret", "secret-mo", "secretsmanager.secretMonth", fixed(1));
                break;
            case "aws:kms/key:Key":
                add(r, "KMS", "customer managed key", "key-mo", "kms.keyMonth", fixed(1));
                break;
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                add(r, "CloudWatch", "alarm (standard resolution)", "alarm-mo", "cloudwatch.alarmMonth", fixed(1));
                break;
            case "aws:appautoscaling/policy:Policy":
                // Target tracking creates its own high and low CloudWatch alarms, billed like any other.
                if (i.policyType === "TargetTrackingScaling") add(r, "CloudWatch", "alarms target tracking creates (2)", "alarm-mo", "cloudwatch.alarmMonth", fixed(2));
                break;
            case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
                add(r, "Cloud Map (Route 53)", "private hosted zone behind the namespace", "zone-mo", "route53.hostedZoneMonth", fixed(1));
                break;
            case "aws:servicediscovery/service:Service": {
                const name = str(i.name);
                const svc = ecsServices.find((s) => name !== undefined && str(s.inputs.name)?.endsWith(`-${name}`));
                const counts = svc ? taskCounts(svc) : fixed(0);
                add(r, "Cloud Map (Route 53)", `registered instances: one per task (${counts[0]})`, "instance-mo", "cloudmap.instanceMonth", counts);
                break;
            }
            case "aws:ecs/cluster:Cluster": {
                const insights = arr(i.settings).map(obj).some((s) => s.name === "containerInsights" && s.value !== "disabled");
                if (insights) notPriced(r, "Container Insights: billed as CloudWatch metrics and logs by volume; not priced");
                break;
            }
            default:
                notPriced(r, USAGE_ONLY[r.type] ?? `berth has no price rule for ${r.type}; whatever it bills is not in the total`);
        }
    }

    const sum = (k: "monthly" | "low" | "high") => round(lines.reduce((s, l) => s + l[k], 0));
    return {
        region,
        currency: "USD",
        hoursPerMonth: H,
        priceFile: displayFile(prices.file),
        priceDates: [...used].sort(),
        assumptions: a,
        lines,
        unpriced,
        total: { monthly: sum("monthly"), low: sum("low"), high: sum("high") },
        perRelease,
    };
}

const STRATEGY_NAMES: Record<string, "blueGreen" | "canary" | "linear"> = { BLUE_GREEN: "blueGreen", CANARY: "canary", LINEAR: "linear" };

/** Minutes green runs next to blue in one release, from the service's deploymentConfiguration (minutes are strings). */
function releaseMinutes(config: unknown): { strategy: string; minutes: number } | undefined {
    const c = obj(config);
    const strategy = STRATEGY_NAMES[str(c.strategy) ?? "ROLLING"];
    if (!strategy) return undefined;
    const canary = obj(c.canaryConfiguration);
    const linear = obj(c.linearConfiguration);
    const minutes = doubledMinutes({
        strategy,
        bakeMinutes: num(c.bakeTimeInMinutes) ?? 0,
        canary: strategy === "canary" ? { percent: num(canary.canaryPercent) ?? 0, bakeMinutes: num(canary.canaryBakeTimeInMinutes) ?? 0 } : undefined,
        linear: strategy === "linear" ? { stepPercent: num(linear.stepPercent) ?? 100, intervalMinutes: num(linear.stepBakeTimeInMinutes) ?? 0 } : undefined,
    });
    return { strategy, minutes };
}

function displayFile(file: string): string {
    const marker = `${"infra"}/cost/prices.json`;
    return file.endsWith(marker) ? marker : file;
}

/** Sums by a key of the line, largest first. */
export function totalsBy(lines: readonly CostLine[], key: "component" | "awsService"): { name: string; monthly: number; low: number; high: number }[] {
    const out = new Map<string, { name: string; monthly: number; low: number; high: number }>();
    for (const l of lines) {
        const t = out.get(l[key]) ?? { name: l[key], monthly: 0, low: 0, high: 0 };
        t.monthly = round(t.monthly + l.monthly);
        t.low = round(t.low + l.low);
        t.high = round(t.high + l.high);
        out.set(l[key], t);
    }
    return [...out.values()].sort((x, y) => y.monthly - x.monthly || x.name.localeCompare(y.name));
}
