// A loopback AWS for end-to-end runs: the JSON 1.1 protocol (X-Amz-Target) for ECS, ECR, CloudWatch Logs and SSM,
// JSON 1.0 for CloudWatch (metrics and alarms), the query protocol with XML answers for ELBv2, errors in each
// protocol's own shape, and an ALB listener that serves the healthy targets of the simulated services by its
// listener rules (a blue/green service's test header reaches its green target group). Reached by the unmodified
// SDK clients through AWS_ENDPOINT_URL. Faults (throttling, eventual consistency, bad credentials) are switched per
// scenario.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EcsModel, SimError, reportedStage, type AdvancedLoadBalancer, type Behaviour, type ContainerDef, type Deployment, type DeploymentConfig, type ServiceDeploymentRecord, type Service, type Task, ACCOUNT } from "./ecs";
import type { MetricName } from "./cloudwatch";
import type { SimClock } from "./clock";

export type Api = "ecs" | "ecr" | "logs" | "ssm" | "elbv2" | "cloudwatch";

export interface Faults {
    /** Per API: every call is throttled while `rate` of calls fail (deterministic: n of each 10), or the next `burst` calls. */
    throttle?: Partial<Record<Api, { rate?: number; burst?: number; operations?: string[] }>>;
    /** A task is missing from DescribeTasks for this many sim seconds after RunTask. */
    missingTaskSeconds?: number;
    /** SSM reads return what was written this many sim seconds ago. */
    ssmLagSeconds?: number;
    /** Every call is refused as if the credentials were invalid or expired. */
    credentials?: "unrecognized" | "expired";
    /** The listener answers requests matched by a test rule (the test header) this many wall ms late: a slow green. */
    testTrafficDelayMs?: number;
}

export interface Call {
    api: Api;
    operation: string;
    at: number;
    /** Set when the simulator refused the call (its error code). */
    error?: string;
    input: Record<string, unknown>;
}

export class AwsError extends Error {
    constructor(
        readonly code: string,
        message: string,
        readonly status = 400,
        readonly type: "Sender" | "Receiver" = "Sender",
    ) {
        super(message);
    }
}

interface Parameter {
    /** The retained versions, oldest first: SSM keeps the 100 newest. */
    versions: { value: string; type: string; at: number; version: number; tier: string; labels: string[] }[];
}

/** Parameter Store retains this many versions of a parameter; a new one deletes the oldest (unless it has a label). */
export const SSM_VERSIONS_KEPT = 100;

export interface SimOptions {
    clock: SimClock;
    region: string;
    /** `host:port` of the OCI registry standing in for ECR. */
    registry: string;
}

const TARGET_PREFIX: Record<string, Api> = {
    AmazonEC2ContainerServiceV20141113: "ecs",
    AmazonEC2ContainerRegistry_V20150921: "ecr",
    Logs_20140328: "logs",
    AmazonSSM: "ssm",
    GraniteServiceVersion20100801: "cloudwatch",
};

const MANIFEST_TYPES = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/** The stages a lifecycle hook may name (@aws-sdk/client-ecs DeploymentLifecycleHookStage). */
const HOOK_STAGES: readonly string[] = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"];

export class AwsSimulator {
    readonly ecs: EcsModel;
    readonly calls: Call[] = [];
    faults: Faults = {};
    /** DescribeTasks answers that left out a task which exists (eventual consistency). */
    hiddenTaskReads = 0;
    /** Every request the ALB listener answered: which rule's target group served it, with which status. */
    readonly albRequests: { at: number; path: string; headers: Record<string, string>; targetGroupArn?: string; version?: string; status: number }[] = [];
    /** Requests the listener holds back (testTrafficDelayMs) and has not answered yet. */
    readonly albPending: { at: number; path: string; headers: Record<string, string> }[] = [];
    private readonly parameters = new Map<string, Parameter>();
    private readonly counters = new Map<string, number>();
    private api?: http.Server;
    private alb?: http.Server;
    endpoint = "";
    albUrl = "";

    constructor(readonly options: SimOptions) {
        this.ecs = new EcsModel(options.region, () => options.clock.nowMs());
    }

    async start(): Promise<void> {
        this.api = http.createServer((req, res) => void this.handleApi(req, res));
        this.alb = http.createServer((req, res) => this.handleAlb(req, res));
        this.endpoint = `http://127.0.0.1:${await listen(this.api)}`;
        this.albUrl = `http://127.0.0.1:${await listen(this.alb)}`;
    }

    async stop(): Promise<void> {
        for (const server of [this.api, this.alb]) {
            if (!server) continue;
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
        }
    }

    /** Calls the simulator refused with `code` (throttling, credentials, ...). */
    refused(api: Api, code: string): Call[] {
        return this.calls.filter((c) => c.api === api && c.error === code);
    }

    callsTo(api: Api, operation?: string): Call[] {
        return this.calls.filter((c) => c.api === api && (operation === undefined || c.operation === operation) && !c.error);
    }

    // ---- SSM state, also for seeding
    putParameter(name: string, value: string, type = "String", tier = "Standard"): number {
        const p = this.parameters.get(name) ?? { versions: [] };
        if (p.versions.length >= SSM_VERSIONS_KEPT) {
            const oldest = p.versions[0];
            if (oldest.labels.length > 0) {
                throw new AwsError(
                    "ParameterMaxVersionLimitExceeded",
                    `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
                );
            }
            p.versions.shift();
        }
        this.parameters.set(name, p);
        const version = (p.versions[p.versions.length - 1]?.version ?? 0) + 1;
        p.versions.push({ value, type, at: this.options.clock.nowMs(), version, tier, labels: [] });
        return version;
    }

    /** LabelParameterVersion, for seeding: a labelled version is never deleted to make room for a new one. */
    labelParameterVersion(name: string, version: number, label: string): void {
        const v = this.parameters.get(name)?.versions.find((x) => x.version === version);
        if (!v) throw new Error(`no version ${version} of ${name}`);
        v.labels.push(label);
    }

    /**
     * The value a read sees now (SSM's eventual consistency: a write becomes visible after the lag). `name:<version>`
     * selects a version, which is visible after the same lag.
     */
    readParameter(name: string, lagged = true): Parameter["versions"][number] | undefined {
        const cutoff = this.options.clock.nowMs() - (lagged ? (this.faults.ssmLagSeconds ?? 0) * 1000 : 0);
        const selector = /^(.*):(\d+)$/.exec(name);
        const versions = this.parameters.get(selector ? selector[1] : name)?.versions ?? [];
        return [...versions].reverse().find((v) => v.at <= cutoff && (!selector || v.version === Number(selector[2])));
    }

    /** Reads an image's environment from the registry: what the container would run with. */
    async behaviourOf(image: string): Promise<Behaviour> {
        const m = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image);
        if (!m) return { kind: "cannot-start", migration: "cannot-start", pullError: `CannotPullContainerError: invalid reference format: ${image}` };
        const [, , repo, digest] = m;
        const base = `http://${this.options.registry}/v2/${repo}`;
        const manifest = await fetch(`${base}/manifests/${digest}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
        if (manifest.status !== 200) {
            return { kind: "cannot-start", migration: "cannot-start", pullError: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: not found` };
        }
        const body = (await manifest.json()) as { config?: { digest: string } };
        const config = body.config ? ((await (await fetch(`${base}/blobs/${body.config.digest}`)).json()) as { config?: { Env?: string[] } }) : {};
        const env = Object.fromEntries((config.config?.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
        const kinds = ["healthy", "crash", "unhealthy", "cannot-start", "smoke-5xx", "slow-start", "degrades"];
        const migrations = ["ok", "fail", "hang", "cannot-start"];
        return {
            kind: (kinds.includes(env.SIM_BEHAVIOUR) ? env.SIM_BEHAVIOUR : "healthy") as Behaviour["kind"],
            migration: (migrations.includes(env.SIM_MIGRATION) ? env.SIM_MIGRATION : "ok") as Behaviour["migration"],
            ...(env.GIT_SHA ? { version: env.GIT_SHA } : {}),
        };
    }

    // ---- HTTP

    private async handleApi(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const body = await readBody(req);
        const target = String(req.headers["x-amz-target"] ?? "");
        if (target) {
            const [prefix, operation] = target.split(".");
            const api = TARGET_PREFIX[prefix];
            let input: Record<string, unknown> = {};
            try {
                input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
                if (!api) throw new AwsError("UnknownOperationException", `unknown target ${target}`);
                this.admit(api, operation, req);
                const out = await this.dispatchJson(api, operation, input);
                this.calls.push({ api, operation, at: this.options.clock.nowMs(), input });
                res.writeHead(200, { "Content-Type": `application/x-amz-json-${api === "cloudwatch" ? "1.0" : "1.1"}`, "x-amzn-RequestId": randomUUID() });
                res.end(JSON.stringify(out));
            } catch (error) {
                const e =
                    error instanceof AwsError
                        ? error
                        : error instanceof SimError
                          ? new AwsError(error.code, error.message)
                          : new AwsError("InternalFailure", String((error as Error)?.stack ?? error), 500, "Receiver");
                this.calls.push({ api: api ?? "ecs", operation, at: this.options.clock.nowMs(), error: e.code, input });
                // JSON 1.1 errors: the code in x-amzn-ErrorType and __type (the SDK reads either).
                res.writeHead(e.status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": randomUUID(), "x-amzn-ErrorType": `${e.code}:http://internal.amazon.com/coral/com.amazonaws.${api}/` });
                res.end(JSON.stringify({ __type: e.code, message: e.message }));
            }
            return;
        }
        const form = new URLSearchParams(body);
        const action = form.get("Action");
        if (req.method === "POST" && action) {
            const input = Object.fromEntries(form.entries());
            try {
                this.admit("elbv2", action, req);
                const xml = this.dispatchQuery(action, form);
                this.calls.push({ api: "elbv2", operation: action, at: this.options.clock.nowMs(), input });
                res.writeHead(200, { "Content-Type": "text/xml" });
                res.end(xml);
            } catch (error) {
                const e = error instanceof AwsError ? error : new AwsError("InternalFailure", String(error), 500, "Receiver");
                this.calls.push({ api: "elbv2", operation: action, at: this.options.clock.nowMs(), error: e.code, input });
                res.writeHead(e.status, { "Content-Type": "text/xml" });
                res.end(
                    `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>${e.type}</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
                );
            }
            return;
        }
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not an AWS API request");
    }

    /** Credentials and throttling, before the operation runs. */
    private admit(api: Api, operation: string, req: http.IncomingMessage): void {
        if (!/Credential=/.test(String(req.headers.authorization ?? ""))) throw new AwsError(api === "elbv2" ? "MissingAuthenticationToken" : "MissingAuthenticationTokenException", "Missing Authentication Token", 403);
        if (this.faults.credentials === "unrecognized") {
            if (api === "elbv2") throw new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
            throw new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
        }
        if (this.faults.credentials === "expired") {
            if (api === "elbv2") throw new AwsError("ExpiredToken", "The security token included in the request is expired", 403);
            throw new AwsError("ExpiredTokenException", "The security token included in the request is expired", 400);
        }
        const rule = this.faults.throttle?.[api];
        if (!rule || (rule.operations && !rule.operations.includes(operation))) return;
        const n = (this.counters.get(api) ?? 0) + 1;
        this.counters.set(api, n);
        const throttled = rule.burst !== undefined ? n <= rule.burst : (n - 1) % 10 < Math.round((rule.rate ?? 0) * 10);
        if (!throttled) return;
        // ELBv2's query protocol calls it Throttling; the JSON services ThrottlingException.
        if (api === "elbv2") throw new AwsError("Throttling", "Rate exceeded", 400);
        throw new AwsError("ThrottlingException", "Rate exceeded", 400);
    }

    private async dispatchJson(api: Api, op: string, input: Record<string, any>): Promise<unknown> {
        const key = `${api}:${op}`;
        const ecs = this.ecs;
        switch (key) {
            case "ecs:RegisterTaskDefinition": {
                const containers: ContainerDef[] = (input.containerDefinitions ?? []).map((c: any) => ({
                    name: c.name,
                    image: c.image,
                    logGroup: c.logConfiguration?.options?.["awslogs-group"],
                    logStreamPrefix: c.logConfiguration?.options?.["awslogs-stream-prefix"],
                }));
                if (containers.length === 0) throw new AwsError("ClientException", "Container definitions must not be empty.");
                const td = ecs.registerTaskDefinition(input.family, containers, await this.behaviourOf(containers[0].image));
                return { taskDefinition: { taskDefinitionArn: td.arn, family: td.family, revision: td.revision, status: "ACTIVE", containerDefinitions: input.containerDefinitions } };
            }
            case "ecs:UpdateService": {
                const svc = ecs.service(input.cluster, input.service);
                if (!svc) throw new AwsError("ServiceNotFoundException", "Service not found.");
                const td = input.taskDefinition ? ecs.taskDefinition(input.taskDefinition) : ecs.taskDefinition(svc.deployments.find((d) => d.status === "PRIMARY")!.taskDefinition);
                if (!td) throw new AwsError("ClientException", "TaskDefinition not found.");
                const { config, advanced } = this.deploymentSettings(svc, input);
                const lb = (input.loadBalancers ?? [])[0];
                return { service: this.serviceJson(ecs.updateService(svc, td.arn, input.desiredCount, config, lb?.targetGroupArn ? { targetGroupArn: lb.targetGroupArn, advanced } : undefined)) };
            }
            case "ecs:DescribeServices": {
                const names: string[] = input.services ?? [];
                if (names.length > 10) throw new AwsError("InvalidParameterException", "services can have at most 10 items.");
                const services = [];
                const failures = [];
                for (const name of names) {
                    const svc = ecs.service(input.cluster, name);
                    if (svc) services.push(this.serviceJson(svc));
                    else failures.push({ arn: `arn:aws:ecs:${this.options.region}:${ACCOUNT}:service/${input.cluster}/${name}`, reason: "MISSING" });
                }
                return { services, failures };
            }
            case "ecs:RunTask": {
                const td = ecs.taskDefinition(input.taskDefinition);
                if (!td) throw new AwsError("InvalidParameterException", "TaskDefinition not found.");
                const subnets = input.networkConfiguration?.awsvpcConfiguration?.subnets ?? [];
                if (subnets.length === 0) throw new AwsError("InvalidParameterException", "subnets can not be empty.");
                const task = ecs.runTask(input.cluster, td.arn, input.startedBy);
                return { tasks: [this.taskJson(task)], failures: [] };
            }
            case "ecs:DescribeTasks": {
                const tasks = [];
                const failures = [];
                for (const arn of input.tasks ?? []) {
                    const task = ecs.task(input.cluster, arn);
                    const hidden = task && this.options.clock.nowMs() - task.createdAt < (this.faults.missingTaskSeconds ?? 0) * 1000;
                    if (task && !hidden) tasks.push(this.taskJson(task));
                    else failures.push({ arn, reason: "MISSING" });
                    if (hidden) this.hiddenTaskReads += 1;
                }
                return { tasks, failures };
            }
            case "ecs:ListServiceDeployments": {
                const svc = ecs.service(input.cluster ?? "default", input.service);
                if (!svc) throw new AwsError("ServiceNotFoundException", "Service not found.");
                const after = input.createdAt?.after !== undefined ? Number(input.createdAt.after) * 1000 : -Infinity;
                const before = input.createdAt?.before !== undefined ? Number(input.createdAt.before) * 1000 : Infinity;
                const statuses: string[] | undefined = input.status;
                const matching = svc.records.filter((r) => r.createdAt >= after && r.createdAt <= before && (!statuses || statuses.includes(r.status)));
                // Pages of maxResults (default 20, at most 100), newest first.
                const size = Math.min(100, Number(input.maxResults ?? 20));
                const from = input.nextToken ? Number(Buffer.from(String(input.nextToken), "base64").toString("utf8")) : 0;
                const page = matching.slice(from, from + size);
                return {
                    serviceDeployments: page.map((r) => ({
                        serviceDeploymentArn: r.arn,
                        serviceArn: r.service,
                        clusterArn: `arn:aws:ecs:${this.options.region}:${ACCOUNT}:cluster/${r.cluster}`,
                        status: r.status,
                        ...(r.statusReason ? { statusReason: r.statusReason } : {}),
                        createdAt: r.createdAt / 1000,
                        startedAt: r.startedAt / 1000,
                        ...(r.finishedAt ? { finishedAt: r.finishedAt / 1000 } : {}),
                        targetServiceRevisionArn: r.revisionArn,
                    })),
                    ...(from + size < matching.length ? { nextToken: Buffer.from(String(from + size)).toString("base64") } : {}),
                };
            }
            case "ecs:DescribeServiceDeployments": {
                ecs.advance();
                const arns: string[] = input.serviceDeploymentArns ?? [];
                if (arns.length > 20) throw new AwsError("InvalidParameterException", "serviceDeploymentArns can have at most 20 items.");
                const found = [];
                const failures = [];
                for (const arn of arns) {
                    const hit = ecs.serviceDeployment(arn);
                    if (hit) found.push(this.serviceDeploymentJson(hit.svc, hit.record));
                    else failures.push({ arn, reason: "MISSING", detail: "The service deployment was not found." });
                }
                return { serviceDeployments: found, failures };
            }
            case "ecs:DescribeServiceRevisions": {
                const arns: string[] = input.serviceRevisionArns ?? [];
                if (arns.length > 20) throw new AwsError("InvalidParameterException", "serviceRevisionArns can have at most 20 items.");
                const revisions = [];
                const failures = [];
                for (const arn of arns) {
                    const r = ecs.serviceRevisions.get(arn);
                    if (r) revisions.push({ serviceRevisionArn: r.arn, serviceArn: r.serviceArn, clusterArn: `arn:aws:ecs:${this.options.region}:${ACCOUNT}:cluster/${r.cluster}`, taskDefinition: r.taskDefinition, launchType: "FARGATE", createdAt: r.createdAt / 1000 });
                    else failures.push({ arn, reason: "MISSING" });
                }
                return { serviceRevisions: revisions, failures };
            }
            case "ecs:ContinueServiceDeployment": {
                const action = input.action ?? "CONTINUE";
                if (action !== "CONTINUE" && action !== "ROLLBACK") throw new AwsError("InvalidParameterException", `The action ${action} is not valid. Valid values: CONTINUE, ROLLBACK.`);
                ecs.continueDeployment(String(input.serviceDeploymentArn), String(input.hookId), action);
                return { serviceDeploymentArn: input.serviceDeploymentArn };
            }
            case "ecs:StopServiceDeployment": {
                ecs.stopDeployment(String(input.serviceDeploymentArn), String(input.stopType ?? "ROLLBACK"));
                return { serviceDeploymentArn: input.serviceDeploymentArn };
            }
            case "cloudwatch:GetMetricData": {
                ecs.advance();
                const from = Number(input.StartTime) * 1000;
                const to = Number(input.EndTime) * 1000;
                if (!(to > from)) throw new AwsError("ValidationError", "The parameter StartTime must be less than the parameter EndTime.");
                const results = (input.MetricDataQueries ?? []).map((q: any) => {
                    const metric = q.MetricStat?.Metric;
                    const dims = Object.fromEntries((metric?.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));
                    const tg = [...ecs.targetGroups.keys()].find((arn) => arn.endsWith(`:${dims.TargetGroup}`));
                    const known = metric?.Namespace === "AWS/ApplicationELB" && ["RequestCount", "HTTPCode_Target_5XX_Count"].includes(metric?.MetricName) && q.MetricStat?.Stat === "Sum";
                    // The LoadBalancer dimension must name this ALB: CloudWatch matches dimensions exactly, so a wrong one gets no data.
                    const lbOk = dims.LoadBalancer === undefined || dims.LoadBalancer === this.loadBalancerDimension;
                    const data = known && tg && lbOk ? ecs.cloudwatch.series(tg, metric.MetricName as MetricName, from, to, Number(q.MetricStat.Period ?? 60)) : { timestamps: [], values: [] };
                    return { Id: q.Id, Label: metric?.MetricName, Timestamps: data.timestamps.map((t) => t / 1000), Values: data.values, StatusCode: "Complete" };
                });
                return { MetricDataResults: results, Messages: [] };
            }
            case "cloudwatch:DescribeAlarms": {
                ecs.advance();
                const names: string[] | undefined = input.AlarmNames;
                const alarms = [...ecs.cloudwatch.alarms.values()].filter((a) => !names || names.includes(a.name));
                return {
                    MetricAlarms: alarms.map((a) => ({
                        AlarmName: a.name,
                        AlarmArn: `arn:aws:cloudwatch:${this.options.region}:${ACCOUNT}:alarm:${a.name}`,
                        StateValue: a.state,
                        StateReason: a.stateReason,
                        StateUpdatedTimestamp: a.stateUpdatedAt / 1000,
                        MetricName: a.metric,
                        Namespace: "AWS/ApplicationELB",
                        Statistic: "Sum",
                        Period: a.periodSeconds,
                        EvaluationPeriods: 1,
                        Threshold: a.threshold,
                        ComparisonOperator: "GreaterThanOrEqualToThreshold",
                    })),
                    CompositeAlarms: [],
                };
            }
            case "ecr:GetAuthorizationToken":
                return { authorizationData: [{ authorizationToken: Buffer.from("AWS:sim-registry-password").toString("base64"), proxyEndpoint: `http://${this.options.registry}`, expiresAt: this.options.clock.nowMs() / 1000 + 43200 }] };
            case "ecr:DescribeImages": {
                const repo = input.repositoryName;
                const ids: { imageTag?: string; imageDigest?: string }[] = input.imageIds ?? [];
                const details = [];
                for (const id of ids) {
                    const ref = id.imageDigest ?? id.imageTag!;
                    const head = await fetch(`http://${this.options.registry}/v2/${repo}/manifests/${ref}`, { method: "HEAD", headers: { Accept: MANIFEST_TYPES.join(", ") } });
                    if (head.status !== 200) {
                        throw new AwsError("ImageNotFoundException", `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${repo}' in the registry with id '${ACCOUNT}'`);
                    }
                    details.push({ registryId: ACCOUNT, repositoryName: repo, imageDigest: head.headers.get("docker-content-digest"), imageTags: id.imageTag ? [id.imageTag] : [] });
                }
                return { imageDetails: details };
            }
            case "ecr:BatchGetImage": {
                const repo = input.repositoryName;
                const images = [];
                const failures = [];
                for (const id of input.imageIds ?? []) {
                    const ref = id.imageDigest ?? id.imageTag;
                    const got = await fetch(`http://${this.options.registry}/v2/${repo}/manifests/${ref}`, { headers: { Accept: (input.acceptedMediaTypes ?? MANIFEST_TYPES).join(", ") } });
                    if (got.status !== 200) failures.push({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" });
                    else images.push({ registryId: ACCOUNT, repositoryName: repo, imageId: { imageDigest: got.headers.get("docker-content-digest"), ...(id.imageTag ? { imageTag: id.imageTag } : {}) }, imageManifest: await got.text(), imageManifestMediaType: got.headers.get("content-type") });
                }
                return { images, failures };
            }
            case "ecr:PutImage": {
                const repo = input.repositoryName;
                const base = `http://${this.options.registry}/v2/${repo}/manifests`;
                const existing = await fetch(`${base}/${input.imageTag}`, { method: "HEAD", headers: { Accept: MANIFEST_TYPES.join(", ") } });
                // The berth repositories are IMMUTABLE: a tag never moves.
                if (existing.status === 200) {
                    if (existing.headers.get("docker-content-digest") === input.imageDigest) throw new AwsError("ImageAlreadyExistsException", `Image with digest '${input.imageDigest}' and tag '${input.imageTag}' already exists in the repository with name '${repo}' in registry with id '${ACCOUNT}'`);
                    throw new AwsError("ImageTagAlreadyExistsException", `The image tag '${input.imageTag}' already exists in the '${repo}' repository and cannot be overwritten because the repository is immutable.`);
                }
                const put = await fetch(`${base}/${input.imageTag}`, { method: "PUT", headers: { "Content-Type": input.imageManifestMediaType ?? JSON.parse(input.imageManifest).mediaType }, body: input.imageManifest });
                if (put.status !== 201 && put.status !== 200) throw new AwsError("InvalidParameterException", `registry answered ${put.status}`);
                return { image: { registryId: ACCOUNT, repositoryName: repo, imageId: { imageDigest: put.headers.get("docker-content-digest"), imageTag: input.imageTag }, imageManifest: input.imageManifest } };
            }
            case "logs:GetLogEvents": {
                const events = ecs.logs.get(input.logGroupName)?.get(input.logStreamName);
                if (!events) throw new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
                const from = typeof input.nextToken === "string" ? Number(input.nextToken.slice(2)) : 0;
                const page = events.slice(from, from + (input.limit ?? 10000));
                const next = from + page.length;
                return { events: page, nextForwardToken: `f/${String(next).padStart(56, "0")}`, nextBackwardToken: `b/${String(from).padStart(56, "0")}` };
            }
            case "ssm:GetParameter": {
                const v = this.readParameter(input.Name);
                const selector = /^(.*):(\d+)$/.exec(String(input.Name));
                if (!v && selector && this.readParameter(selector[1])) throw new AwsError("ParameterVersionNotFound", `Systems Manager could not find version ${selector[2]} of ${selector[1]}. Verify the version and try again.`);
                if (!v) throw new AwsError("ParameterNotFound", "");
                return { Parameter: { Name: selector ? selector[1] : input.Name, Selector: selector ? `:${selector[2]}` : undefined, Type: v.type, Value: v.value, Version: v.version, LastModifiedDate: v.at / 1000, ARN: `arn:aws:ssm:${this.options.region}:${ACCOUNT}:parameter${input.Name}`, DataType: "text" } };
            }
            case "ssm:PutParameter": {
                const exists = this.parameters.has(input.Name);
                if (exists && !input.Overwrite) throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
                const bytes = Buffer.byteLength(String(input.Value ?? ""), "utf8");
                const tier = input.Tier === "Advanced" || (input.Tier === "Intelligent-Tiering" && bytes > 4096) ? "Advanced" : "Standard";
                if (bytes > (tier === "Advanced" ? 8192 : 4096)) throw new AwsError("ValidationException", `1 validation error detected: Value '...' at 'value' failed to satisfy constraint: Member must have length less than or equal to ${tier === "Advanced" ? 8192 : 4096}`);
                return { Version: this.putParameter(input.Name, input.Value, input.Type ?? "String", tier), Tier: tier };
            }
            case "ssm:GetParametersByPath": {
                const path = String(input.Path).replace(/\/$/, "");
                const names = [...this.parameters.keys()].filter((n) => n.startsWith(`${path}/`) && (input.Recursive || !n.slice(path.length + 1).includes("/"))).sort();
                const visible = names.map((n) => [n, this.readParameter(n)] as const).filter(([, v]) => v !== undefined);
                const start = input.NextToken ? Number(input.NextToken) : 0;
                const size = input.MaxResults ?? 10;
                const page = visible.slice(start, start + size);
                return {
                    Parameters: page.map(([n, v]) => ({ Name: n, Type: v!.type, Value: v!.value, Version: v!.version, LastModifiedDate: v!.at / 1000, DataType: "text" })),
                    ...(start + size < visible.length ? { NextToken: String(start + size) } : {}),
                };
            }
        }
        throw new AwsError("UnknownOperationException", `the simulator does not implement ${api} ${op}`);
    }

    private dispatchQuery(action: string, form: URLSearchParams): string {
        if (action !== "DescribeTargetHealth") throw new AwsError("InvalidAction", `the simulator does not implement elbv2 ${action}`);
        const arn = form.get("TargetGroupArn") ?? "";
        const targets = this.ecs.targetHealth(arn);
        if (!targets) throw new AwsError("TargetGroupNotFound", `Target groups '${arn}' not found`);
        const members = targets
            .map(
                (t) =>
                    `<member><Target><Id>${t.id}</Id><Port>${t.port}</Port></Target><HealthCheckPort>${t.port}</HealthCheckPort><TargetHealth><State>${t.state}</State>` +
                    `${t.reason ? `<Reason>${t.reason}</Reason>` : ""}${t.description ? `<Description>${xmlEscape(t.description)}</Description>` : ""}</TargetHealth></member>`,
            )
            .join("");
        return `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetHealthResult><TargetHealthDescriptions>${members}</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeTargetHealthResponse>`;
    }

    /** The ALB's HTTP listener: route by path pattern, then one healthy target of that group answers. */
    private handleAlb(req: http.IncomingMessage, res: http.ServerResponse): void {
        const path = new URL(req.url ?? "/", "http://alb").pathname;
        const hit = this.ecs.route(path, req.headers);
        const delay = hit?.rule.header ? (this.faults.testTrafficDelayMs ?? 0) : 0;
        if (delay > 0) {
            const pending = { at: this.options.clock.nowMs(), path, headers: xHeaders(req) };
            this.albPending.push(pending);
            return void setTimeout(() => {
                this.albPending.splice(this.albPending.indexOf(pending), 1);
                this.answerAlb(req, res, path, hit);
            }, delay);
        }
        this.answerAlb(req, res, path, hit);
    }

    private answerAlb(req: http.IncomingMessage, res: http.ServerResponse, path: string, hit: ReturnType<EcsModel["route"]>): void {
        const tg = hit?.tg;
        const headers = xHeaders(req);
        const log = (status: number, version?: string) => this.albRequests.push({ at: this.options.clock.nowMs(), path, headers, ...(tg ? { targetGroupArn: tg.arn } : {}), ...(version ? { version } : {}), status });
        if (!tg) return void (log(404), res.writeHead(404, { "Content-Type": "text/plain" }), res.end("Not Found"));
        const healthy = tg.targets.filter((t) => t.state === "healthy");
        if (healthy.length === 0) return void (log(503), res.writeHead(503, { "Content-Type": "text/html" }), res.end("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"));
        const n = (this.counters.get(tg.arn) ?? 0) + 1;
        this.counters.set(tg.arn, n);
        const task = this.ecs.taskOfTarget(healthy[n % healthy.length])!;
        const b = this.ecs.behaviourOf(task);
        const failing = this.ecs.answers5xx(task);
        this.ecs.countRequest(tg.arn, failing ? 502 : 200);
        log(failing ? 502 : 200, b.version);
        if (failing) return void (res.writeHead(502, { "Content-Type": "text/html" }), res.end("<html><body><h1>502 Bad Gateway</h1></body></html>"));
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ status: "ok", version: b.version ?? "unknown", task: task.arn.slice(task.arn.lastIndexOf("/") + 1) }));
    }

    // ---- JSON shapes (epoch seconds for timestamps, as the JSON 1.1 protocol sends them)

    private serviceJson(svc: Service): Record<string, unknown> {
        const primary = svc.deployments.find((d) => d.status === "PRIMARY")!;
        const tasks = [...this.ecs.tasks.values()].filter((t) => t.service === `${svc.cluster}/${svc.name}` && t.lastStatus !== "STOPPED");
        const count = (d: Deployment, states: Task["lastStatus"][]) => tasks.filter((t) => t.deploymentId === d.id && states.includes(t.lastStatus) && t.desiredStatus === "RUNNING").length;
        return {
            serviceArn: svc.arn,
            serviceName: svc.name,
            clusterArn: `arn:aws:ecs:${this.options.region}:${ACCOUNT}:cluster/${svc.cluster}`,
            status: "ACTIVE",
            desiredCount: svc.desiredCount,
            runningCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
            pendingCount: tasks.filter((t) => t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING").length,
            launchType: "FARGATE",
            taskDefinition: primary.taskDefinition,
            deploymentController: { type: "ECS" },
            deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100, ...deploymentConfigurationJson(svc.config) },
            deployments: svc.deployments.map((d) => ({
                id: d.id,
                status: d.status,
                taskDefinition: d.taskDefinition,
                desiredCount: d.desiredCount,
                pendingCount: count(d, ["PROVISIONING", "PENDING"]),
                runningCount: count(d, ["RUNNING"]),
                failedTasks: d.failedTasks,
                createdAt: d.createdAt / 1000,
                updatedAt: d.updatedAt / 1000,
                launchType: "FARGATE",
                rolloutState: d.rolloutState,
                rolloutStateReason: d.rolloutStateReason,
            })),
            // After a blue/green, canary or linear deployment ECS swaps targetGroupArn and alternateTargetGroupArn.
            ...(svc.targetGroupArn
                ? { loadBalancers: [{ targetGroupArn: svc.targetGroupArn, containerName: svc.name, containerPort: this.ecs.targetGroups.get(svc.targetGroupArn)?.port, ...(svc.advanced ? { advancedConfiguration: svc.advanced } : {}) }] }
                : {}),
            healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
        };
    }

    /** The ALB's CloudWatch dimension value (`app/<name>/<id>`, the tail of its ARN), set by the harness. */
    loadBalancerDimension = "app/berth-dev/50dc6c495c0c9188";

    /** What UpdateService's deploymentConfiguration and loadBalancers ask for, validated as ECS does. */
    private deploymentSettings(svc: Service, input: Record<string, any>): { config?: DeploymentConfig; advanced?: AdvancedLoadBalancer } {
        const dc = input.deploymentConfiguration;
        const lb = (input.loadBalancers ?? [])[0]?.advancedConfiguration;
        const advanced: AdvancedLoadBalancer | undefined = lb
            ? { alternateTargetGroupArn: lb.alternateTargetGroupArn, productionListenerRule: lb.productionListenerRule, ...(lb.testListenerRule ? { testListenerRule: lb.testListenerRule } : {}), roleArn: lb.roleArn }
            : undefined;
        if (!dc) return { advanced };
        const strategy = dc.strategy ?? svc.config.strategy;
        if (!["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"].includes(strategy)) throw new AwsError("InvalidParameterException", `Invalid deployment strategy: ${strategy}.`);
        const hooks = (dc.lifecycleHooks ?? []).map((h: any) => {
            const targetType = h.targetType ?? "AWS_LAMBDA";
            if (targetType === "AWS_LAMBDA") throw new AwsError("InvalidParameterException", "The simulator does not model AWS_LAMBDA lifecycle hooks.");
            for (const stage of h.lifecycleStages ?? []) {
                // ECS checks the enum (DeploymentLifecycleHookStage): a stage it does not know is refused, not ignored.
                if (!HOOK_STAGES.includes(stage)) throw new AwsError("InvalidParameterException", `Invalid lifecycle stage: ${stage}. Valid values: ${HOOK_STAGES.join(", ")}.`);
                if (stage === "TEST_TRAFFIC_SHIFT" || stage === "PRODUCTION_TRAFFIC_SHIFT") throw new AwsError("InvalidParameterException", `PAUSE hooks cannot be configured at the ${stage} lifecycle stage.`);
            }
            const minutes = h.timeoutConfiguration?.timeoutInMinutes ?? 1440;
            if (minutes < 1 || minutes > 20160) throw new AwsError("InvalidParameterException", "timeoutInMinutes must be between 1 and 20160.");
            return { targetType, lifecycleStages: h.lifecycleStages ?? [], timeoutInMinutes: minutes, action: h.timeoutConfiguration?.action ?? "ROLLBACK" };
        });
        if (strategy !== "ROLLING") {
            const a = advanced ?? svc.advanced;
            if (!a?.alternateTargetGroupArn || !a.productionListenerRule || !a.roleArn) {
                throw new AwsError("InvalidParameterException", `The ${strategy} deployment strategy requires loadBalancers[].advancedConfiguration with alternateTargetGroupArn, productionListenerRule and roleArn.`);
            }
            if (!this.ecs.targetGroups.has(a.alternateTargetGroupArn)) throw new AwsError("InvalidParameterException", `Target group ${a.alternateTargetGroupArn} not found.`);
            if (!this.ecs.rules.get(a.productionListenerRule)) throw new AwsError("InvalidParameterException", `Listener rule ${a.productionListenerRule} not found.`);
            if (a.testListenerRule && !this.ecs.rules.get(a.testListenerRule)) throw new AwsError("InvalidParameterException", `Listener rule ${a.testListenerRule} not found.`);
            if (strategy === "BLUE_GREEN" && dc.bakeTimeInMinutes === undefined) throw new AwsError("InvalidParameterException", "bakeTimeInMinutes is required for the BLUE_GREEN deployment strategy.");
        }
        const config: DeploymentConfig = {
            strategy,
            bakeTimeInMinutes: Number(dc.bakeTimeInMinutes ?? 0),
            ...(dc.canaryConfiguration ? { canary: { percent: Number(dc.canaryConfiguration.canaryPercent ?? 5), bakeMinutes: Number(dc.canaryConfiguration.canaryBakeTimeInMinutes ?? 10) } } : {}),
            ...(dc.linearConfiguration ? { linear: { stepPercent: Number(dc.linearConfiguration.stepPercent ?? 10), intervalMinutes: Number(dc.linearConfiguration.stepBakeTimeInMinutes ?? 6) } } : {}),
            lifecycleHooks: hooks,
            ...(dc.alarms ? { alarms: { alarmNames: dc.alarms.alarmNames ?? [], enable: !!dc.alarms.enable, rollback: !!dc.alarms.rollback } } : {}),
        };
        return { config, advanced };
    }

    /** DescribeServiceDeployments' shape of one deployment (epoch seconds). */
    private serviceDeploymentJson(svc: Service, r: ServiceDeploymentRecord): Record<string, unknown> {
        const lc = r.lifecycle;
        const tasks = [...this.ecs.tasks.values()].filter((t) => t.deploymentId === r.deploymentId && t.desiredStatus === "RUNNING");
        const source = r.sourceRevisionArn ? this.ecs.serviceRevisions.get(r.sourceRevisionArn) : undefined;
        const sourceDeployment = source ? svc.deployments.find((d) => d.taskDefinition === source.taskDefinition && d.id !== r.deploymentId) : undefined;
        const sourceTasks = sourceDeployment ? [...this.ecs.tasks.values()].filter((t) => t.deploymentId === sourceDeployment.id && t.desiredStatus === "RUNNING") : [];
        const weights = (green: boolean) =>
            lc ? { requestedTestTrafficWeight: green ? lc.testWeight : 100 - lc.testWeight, requestedProductionTrafficWeight: green ? lc.productionWeight : 100 - lc.productionWeight } : {};
        return {
            serviceDeploymentArn: r.arn,
            serviceArn: r.service,
            clusterArn: `arn:aws:ecs:${this.options.region}:${ACCOUNT}:cluster/${r.cluster}`,
            status: r.status,
            ...(r.statusReason ? { statusReason: r.statusReason } : {}),
            createdAt: r.createdAt / 1000,
            startedAt: r.startedAt / 1000,
            updatedAt: r.updatedAt / 1000,
            ...(r.finishedAt ? { finishedAt: r.finishedAt / 1000 } : {}),
            ...(r.stoppedAt ? { stoppedAt: r.stoppedAt / 1000 } : {}),
            targetServiceRevision: {
                arn: r.revisionArn,
                requestedTaskCount: r.desiredCount,
                runningTaskCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
                pendingTaskCount: tasks.filter((t) => t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING").length,
                ...weights(true),
            },
            ...(source
                ? {
                      sourceServiceRevisions: [
                          {
                              arn: source.arn,
                              requestedTaskCount: r.desiredCount,
                              runningTaskCount: sourceTasks.filter((t) => t.lastStatus === "RUNNING").length,
                              pendingTaskCount: sourceTasks.filter((t) => t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING").length,
                              ...weights(false),
                          },
                      ],
                  }
                : {}),
            ...(reportedStage(r, this.options.clock.nowMs()) ? { lifecycleStage: reportedStage(r, this.options.clock.nowMs()) } : {}),
            // The hooks of the stage the deployment is (or was last) in, with what became of them.
            ...(lc && lc.hooks.length > 0
                ? { lifecycleHookDetails: lc.hooks.map((h) => ({ hookId: h.hookId, targetType: h.targetType, status: h.status, expiresAt: h.expiresAt / 1000, timeoutAction: h.timeoutAction })) }
                : {}),
            deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100, ...deploymentConfigurationJson(lc?.config ?? svc.config) },
            ...(r.rollback ? { rollback: { reason: r.rollback.reason, startedAt: r.rollback.startedAt / 1000, serviceRevisionArn: r.rollback.serviceRevisionArn } } : {}),
            deploymentCircuitBreaker: { status: r.status === "IN_PROGRESS" ? "MONITORING" : r.statusReason?.includes("circuit breaker") ? "TRIGGERED" : "MONITORING_COMPLETE", failureCount: r.failedTasks ?? 0, threshold: Math.min(200, Math.max(3, Math.ceil(0.5 * r.desiredCount))) },
            alarms: r.alarms
                ? {
                      status: lc?.triggeredAlarms.length ? "TRIGGERED" : r.status === "IN_PROGRESS" ? "MONITORING" : "MONITORING_COMPLETE",
                      alarmNames: r.alarms.alarmNames,
                      triggeredAlarmNames: lc?.triggeredAlarms ?? [],
                  }
                : { status: "DISABLED" },
        };
    }

    private taskJson(task: Task): Record<string, unknown> {
        const td = this.ecs.taskDefinition(task.taskDefinitionArn)!;
        const stopped = task.lastStatus === "STOPPED";
        return {
            taskArn: task.arn,
            clusterArn: `arn:aws:ecs:${this.options.region}:${ACCOUNT}:cluster/${task.cluster}`,
            taskDefinitionArn: task.taskDefinitionArn,
            lastStatus: task.lastStatus,
            desiredStatus: task.desiredStatus,
            group: task.group,
            launchType: "FARGATE",
            createdAt: task.createdAt / 1000,
            ...(task.startedBy ? { startedBy: task.startedBy } : {}),
            ...(task.startedAt ? { startedAt: task.startedAt / 1000 } : {}),
            ...(task.stoppedAt ? { stoppedAt: task.stoppedAt / 1000 } : {}),
            ...(task.stopCode && (stopped || task.lastStatus === "DEPROVISIONING") ? { stopCode: task.stopCode } : {}),
            ...(task.stoppedReason && (stopped || task.lastStatus === "DEPROVISIONING") ? { stoppedReason: task.stoppedReason } : {}),
            containers: td.containers.map((c) => ({
                name: c.name,
                image: c.image,
                lastStatus: stopped ? "STOPPED" : task.lastStatus === "RUNNING" ? "RUNNING" : "PENDING",
                ...(stopped && task.exitCode !== undefined ? { exitCode: task.exitCode } : {}),
                ...(stopped && task.stopCode === "TaskFailedToStart" ? { reason: task.stoppedReason?.split(":")[0] } : {}),
            })),
        };
    }
}

/** The request's x- headers (the test header among them), for the ALB's log. */
function xHeaders(req: http.IncomingMessage): Record<string, string> {
    return Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith("x-")).map(([k, v]) => [k, String(v)]));
}

function listen(server: http.Server): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
}

function readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

function xmlEscape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** deploymentConfiguration fields for a strategy (JSON, as DescribeServices returns them). */
function deploymentConfigurationJson(c: DeploymentConfig): Record<string, unknown> {
    return {
        strategy: c.strategy,
        ...(c.strategy !== "ROLLING" ? { bakeTimeInMinutes: c.bakeTimeInMinutes } : {}),
        ...(c.canary ? { canaryConfiguration: { canaryPercent: c.canary.percent, canaryBakeTimeInMinutes: c.canary.bakeMinutes } } : {}),
        ...(c.linear ? { linearConfiguration: { stepPercent: c.linear.stepPercent, stepBakeTimeInMinutes: c.linear.intervalMinutes } } : {}),
        ...(c.lifecycleHooks.length > 0
            ? { lifecycleHooks: c.lifecycleHooks.map((h) => ({ targetType: h.targetType, lifecycleStages: h.lifecycleStages, timeoutConfiguration: { timeoutInMinutes: h.timeoutInMinutes, action: h.action } })) }
            : {}),
        ...(c.alarms ? { alarms: c.alarms } : {}),
    };
}
