// One way for infra tests to run the real program under the mock engine and look at what it declared.
import * as path from "path";
import { synthesize, synthesizeStack, Synthesis } from "../../infra/synth/synthesize";
import type { SynthResource, MockWorld } from "../../infra/synth/mockEngine";

export const PROJECT_DIR = path.resolve(__dirname, "../..");
export const FIXTURE_CONTEXT = "test/fixtures/context";

/** A small valid catalogue: three services, one routed with a database, a migration. */
export function baseConfig(overrides: Record<string, unknown> = {}): Record<string, any> {
    return {
        "aws:region": "eu-west-1",
        "berth:environment": "dev",
        "berth:services": [
            { name: "web", build: { context: FIXTURE_CONTEXT }, port: 8080, routes: ["/*"], dependsOn: ["api"] },
            { name: "api", build: { context: FIXTURE_CONTEXT }, port: 8081, routes: ["/api/*"], dependsOn: ["worker"], database: true },
            { name: "worker", build: { context: FIXTURE_CONTEXT }, port: 8082 },
        ],
        "berth:migration": { service: "api", command: ["node", "dist/migrate.js"] },
        ...overrides,
    };
}

export function toRuntime(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export function synth(config: Record<string, unknown>, world?: Partial<MockWorld>, stack = "dev"): Promise<Synthesis> {
    return synthesize({ project: "berth", stack, config: toRuntime(config), projectDir: PROJECT_DIR, world });
}

const examples = new Map<string, Promise<Synthesis>>();

/** A synthesis of Pulumi.<stack>.yaml; shared across test files (read it, never mutate it). */
export function exampleStack(stack: string, world?: Partial<MockWorld>): Promise<Synthesis> {
    if (world) return synthesizeStack(PROJECT_DIR, stack, world);
    if (!examples.has(stack)) examples.set(stack, synthesizeStack(PROJECT_DIR, stack));
    return examples.get(stack)!;
}

export function ofType(s: Synthesis, type: string): SynthResource[] {
    return s.resources.filter((r) => r.type === type);
}

export function one(s: Synthesis, type: string, name: string): SynthResource {
    const found = s.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

export function byUrn(s: Synthesis, urn: string): SynthResource {
    const found = s.resources.find((r) => r.urn === urn);
    if (!found) throw new Error(`no resource ${urn}`);
    return found;
}

/** Parsed container definitions of a task definition. */
export function containers(r: SynthResource): Record<string, any>[] {
    return JSON.parse(String(r.inputs.containerDefinitions));
}

export const T = {
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    rds: "aws:rds/instance:Instance",
    vpc: "awsx:ec2:Vpc",
    repo: "aws:ecr/repository:Repository",
    image: "docker:index/image:Image",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    bucket: "aws:s3/bucket:Bucket",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    discovery: "aws:servicediscovery/service:Service",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    flowLog: "aws:ec2/flowLog:FlowLog",
} as const;
