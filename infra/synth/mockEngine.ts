// The offline engine: runs the real program under Pulumi's mock monitor and records every registered
// resource with its inputs, parent, explicit dependsOn and protect flag. Used by `npm run synth` and tests.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as sdkState from "@pulumi/pulumi/runtime/state";
import type { SynthResource } from "../resources";

export type { SynthResource } from "../resources";

export interface MockWorld {
    region: string;
    accountId: string;
    /** The released image set the driver would have written to SSM; undefined = none yet. */
    releasedImages?: string;
}

// Pulumi's wire marker for secret values (sdk/nodejs/runtime/rpc.ts).
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Replaces wrapped secrets with their values and reports where they were. */
export function unwrapSecrets(value: unknown, path = "", found: string[] = []): unknown {
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, found));
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) {
            found.push(path || "(root)");
            return unwrapSecrets(obj.value, path, []);
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, found);
        return out;
    }
    return value;
}

function hash(value: string, length = 8): string {
    return createHash("sha256").update(value).digest("hex").slice(0, length);
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

interface Registration {
    urn: string;
    parent?: string;
    protect: boolean;
    dependsOn: string[];
    ignoreChanges: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    type: string;
    name: string;
}

/**
 * Wraps the MockMonitor that `setMocks` installed so it also records the resource options the stock one
 * drops. Wrapping (not replacing) keeps the feature flags setMocks set: secrets, resource references.
 */
function recordRegistrations(monitor: MockMonitor): Registration[] {
    const registrations: Registration[] = [];
    const original = (monitor as unknown as { registerResource(req: RegisterRequest, cb: unknown): Promise<void> }).registerResource.bind(monitor);
    const newUrn = (monitor as unknown as { newUrn(p: string, t: string, n: string): string }).newUrn.bind(monitor);
    (monitor as unknown as { registerResource(req: RegisterRequest, cb: unknown): Promise<void> }).registerResource = (req, callback) => {
        const propertyDeps = new Set<string>();
        req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((u) => propertyDeps.add(u)));
        const parent = req.getParent() || undefined;
        const timeouts = req.getCustomtimeouts();
        const customTimeouts = timeouts
            ? Object.fromEntries(Object.entries({ create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }).filter(([, v]) => v !== ""))
            : undefined;
        registrations.push({
            urn: newUrn(parent ?? "", req.getType(), req.getName()),
            parent,
            protect: req.getProtect() ?? false,
            dependsOn: req.getDependenciesList().filter((u) => !propertyDeps.has(u)),
            ignoreChanges: req.getIgnorechangesList(),
            customTimeouts: customTimeouts && Object.keys(customTimeouts).length > 0 ? customTimeouts : undefined,
            type: req.getType(),
            name: req.getName(),
        });
        return original(req, callback);
    };
    return registrations;
}

/** Computed outputs a real provider would return, so the program's references resolve realistically. */
function computeState(type: string, name: string, inputs: Record<string, unknown>, world: MockWorld): { id: string; state: Record<string, unknown> } {
    const { region, accountId: acct } = world;
    const physical = (inputs.name ?? inputs.bucket ?? inputs.identifier ?? inputs.family ?? inputs.clusterName) as string | undefined;
    const id = physical ?? `${name}-${hash(type + name)}`;
    const base: Record<string, unknown> = { ...inputs };
    const svc = type.split(":")[1]?.split("/")[0] ?? "unknown";
    const arn = (resource: string) => `arn:aws:${svc}:${region}:${acct}:${resource}`;
    switch (type) {
        case "awsx:ec2:Vpc": {
            const specs = (inputs.subnetSpecs as { type: string; cidrBlocks?: string[] }[] | undefined) ?? [];
            const ids = (kind: string) => (specs.find((s) => s.type === kind)?.cidrBlocks ?? []).map((_, i) => `subnet-${kind.toLowerCase()}-${i}`);
            const routeTables = specs.flatMap((s) => (s.cidrBlocks ?? []).map((_, i) => ({ id: `rtb-${s.type.toLowerCase()}-${i}` })));
            return { id: "", state: { vpcId: "vpc-0berth", publicSubnetIds: ids("Public"), privateSubnetIds: ids("Private"), isolatedSubnetIds: ids("Isolated"), routeTables } };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
            return { id: `sg-${hash(name, 12)}`, state: { ...base, arn: arn(`security-group/sg-${hash(name, 12)}`) } };
        case "aws:ecs/taskDefinition:TaskDefinition":
            return { id, state: { ...base, arn: arn(`task-definition/${inputs.family}:1`), revision: 1, arnWithoutRevision: arn(`task-definition/${inputs.family}`) } };
        case "aws:lb/targetGroup:TargetGroup":
        case "aws:lb/loadBalancer:LoadBalancer": {
            const kind = type.endsWith("TargetGroup") ? "targetgroup" : "loadbalancer/app";
            const suffix = `${kind === "targetgroup" ? "targetgroup" : "app"}/${inputs.name}/${hash(name, 16)}`;
            const lbArn = `arn:aws:elasticloadbalancing:${region}:${acct}:${kind === "targetgroup" ? suffix : `loadbalancer/${suffix}`}`;
            return { id: lbArn, state: { ...base, arn: lbArn, arnSuffix: suffix, dnsName: `${inputs.name}-${hash(name, 10)}.${region}.elb.amazonaws.com`, zoneId: "Z32O12XQLNTSW2" } };
        }
        case "aws:lb/listener:Listener": {
            // As ELBv2 forms them: listener/app/<lb name>/<lb id>/<listener id>.
            const lb = /:loadbalancer\/(app\/[^/]+\/[^/]+)$/.exec(String(inputs.loadBalancerArn ?? ""))?.[1] ?? `app/unknown/${hash(name, 16)}`;
            const listenerArn = `arn:aws:elasticloadbalancing:${region}:${acct}:listener/${lb}/${hash(name, 16)}`;
            return { id: listenerArn, state: { ...base, arn: listenerArn } };
        }
        case "aws:lb/listenerRule:ListenerRule": {
            // listener-rule/app/<lb name>/<lb id>/<listener id>/<rule id>: what an IAM policy scopes ModifyRule by.
            const ruleArn = `${String(inputs.listenerArn ?? "").replace(":listener/", ":listener-rule/")}/${hash(name, 16)}`;
            return { id: ruleArn, state: { ...base, arn: ruleArn } };
        }
        case "aws:ecr/repository:Repository":
            return { id, state: { ...base, arn: arn(`repository/${inputs.name}`), registryId: acct, repositoryUrl: `${acct}.dkr.ecr.${region}.amazonaws.com/${inputs.name}` } };
        case "aws:rds/instance:Instance":
            return {
                id,
                state: {
                    ...base,
                    arn: arn(`db:${inputs.identifier}`),
                    address: `${inputs.identifier}.c0berth.${region}.rds.amazonaws.com`,
                    endpoint: `${inputs.identifier}.c0berth.${region}.rds.amazonaws.com:5432`,
                    port: 5432,
                    resourceId: `db-${hash(name, 26).toUpperCase()}`,
                    masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${region}:${acct}:secret:rds!db-${hash(name, 8)}-AbCdEf`, secretStatus: "active", kmsKeyId: "" }],
                },
            };
        case "aws:iam/role:Role":
            return { id, state: { ...base, arn: `arn:aws:iam::${acct}:role/${inputs.name}` } };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id, state: { ...base, arn: `arn:aws:logs:${region}:${acct}:log-group:${inputs.name}` } };
        case "aws:s3/bucket:Bucket":
            return { id, state: { ...base, arn: `arn:aws:s3:::${inputs.bucket}`, bucketRegionalDomainName: `${inputs.bucket}.s3.${region}.amazonaws.com` } };
        case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
            return { id: `ns-${hash(name, 16)}`, state: { ...base, arn: arn(`namespace/ns-${hash(name, 16)}`), hostedZone: `Z${hash(name, 12).toUpperCase()}` } };
        case "aws:servicediscovery/service:Service":
            return { id: `srv-${hash(name, 16)}`, state: { ...base, arn: arn(`service/srv-${hash(name, 16)}`) } };
        case "aws:sns/topic:Topic":
            return { id: arn(String(inputs.name)), state: { ...base, arn: arn(String(inputs.name)) } };
        case "docker:index/image:Image": {
            const imageName = String(inputs.imageName);
            const repo = imageName.replace(/:[^/:]+$/, "");
            return { id: `${imageName}-id`, state: { ...base, repoDigest: `${repo}@sha256:${hash(imageName, 64).padEnd(64, "0")}` } };
        }
        default:
            return { id, state: { ...base, arn: arn(`${type.split(":").pop()!.toLowerCase()}/${id}`) } };
    }
}

/** Answers the data-source invokes the program makes; anything else is a bug in the program or here. */
function answerInvoke(token: string, args: Record<string, unknown>, world: MockWorld): Record<string, unknown> {
    const { region, accountId } = world;
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId, arn: `arn:aws:iam::${accountId}:user/synth`, userId: "AIDASYNTH", id: accountId };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = ["a", "b", "c", "d", "e", "f"].map((l) => `${region}${l}`);
            return { names, zoneIds: names.map((_, i) => `use1-az${i + 1}`), id: region };
        }
        case "aws:ssm/getParametersByPath:getParametersByPath": {
            const found = world.releasedImages !== undefined;
            const name = `${String(args.path)}/released-images`;
            return { path: args.path, names: found ? [name] : [], values: found ? [world.releasedImages] : [], types: found ? ["String"] : [], arns: found ? [`arn:aws:ssm:${region}:${accountId}:parameter${name}`] : [], id: String(args.path) };
        }
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return { userName: "AWS", password: "synth-token", proxyEndpoint: `https://${accountId}.dkr.ecr.${region}.amazonaws.com`, authorizationToken: "c3ludGg=", expiresAt: "2099-01-01T00:00:00Z", id: accountId };
        case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
            return { arn: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`, url: args.url, clientIdLists: ["sts.amazonaws.com"], thumbprintLists: [], id: "oidc" };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
        default:
            throw new Error(`synth: the mock engine has no answer for invoke ${token}; add one in infra/synth/mockEngine.ts`);
    }
}

const runtime = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };
// The process-wide runtime state, where setMocks put its monitor (SDK internals, pinned in package.json).
const state = sdkState as unknown as { getStore(): { settings: { monitor: unknown } } };

export interface EngineRun<T> {
    result: T;
    resources: SynthResource[];
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` under the mock engine with the given config and returns its result and every resource
 * it registered. Runs are serialised: the Pulumi runtime is process-global.
 */
export function runUnderMocks<T>(opts: {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys?: string[];
    world: MockWorld;
    program: () => Promise<T>;
}): Promise<EngineRun<T>> {
    const run = queue.then(() => execute(opts));
    queue = run.catch(() => undefined);
    return run;
}

async function execute<T>(opts: Parameters<typeof runUnderMocks<T>>[0]): Promise<EngineRun<T>> {
    // The SDK drops a failed invoke's message on its way to the program: keep it to report it.
    const invokeErrors: Error[] = [];
    const states = new Map<string, { type: string; name: string; custom: boolean; inputs: Record<string, unknown>; secretPaths: string[]; state: Record<string, unknown> }>();
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            const secretPaths: string[] = [];
            const inputs = unwrapSecrets(args.inputs, "", secretPaths) as Record<string, unknown>;
            const { id, state } = computeState(args.type, args.name, inputs, opts.world);
            const key = `${args.type}::${args.name}::${states.size}`;
            states.set(key, { type: args.type, name: args.name, custom: args.custom ?? true, inputs, secretPaths, state });
            return { id, state };
        },
        call(args) {
            try {
                return answerInvoke(args.token, unwrapSecrets(args.inputs) as Record<string, unknown>, opts.world);
            } catch (e) {
                invokeErrors.push(e as Error);
                throw e;
            }
        },
    };
    await pulumi.runtime.setMocks(mocks, opts.project, opts.stack, false);
    const registrations = recordRegistrations(state.getStore().settings.monitor as MockMonitor);
    pulumi.runtime.setAllConfig(opts.config, opts.secretKeys ?? []);

    let result: T;
    try {
        result = await opts.program();
        await runtime.waitForRPCs();
    } catch (e) {
        throw invokeErrors[0] ?? e;
    }

    const resources: SynthResource[] = [];
    const seen = new Set<string>();
    const pending = [...states.values()];
    for (const o of registrations) {
        const urn = o.urn;
        const idx = pending.findIndex((s) => s.type === o.type && s.name === o.name);
        const s = idx === -1 ? undefined : pending.splice(idx, 1)[0];
        if (seen.has(urn)) throw new Error(`synth: two resources share the URN ${urn}; the Pulumi engine rejects duplicate names`);
        seen.add(urn);
        resources.push({
            urn,
            type: o.type,
            name: o.name,
            parent: o.parent,
            custom: s?.custom ?? false,
            inputs: s?.inputs ?? {},
            state: s?.state ?? {},
            secretPaths: s?.secretPaths ?? [],
            protect: o.protect,
            dependsOn: o.dependsOn,
            ignoreChanges: o.ignoreChanges,
            customTimeouts: o.customTimeouts,
        });
    }
    return { result, resources };
}
