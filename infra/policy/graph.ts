// Helpers the rules share: defining a rule, querying the synthesized graph, and reading the JSON
// documents (container definitions, IAM and bucket policies) that arrive as strings.
import type { SynthResource } from "../resources";
import type { Finding, PolicyContext, Rule } from "./types";

export type Flag = (resource: SynthResource, message: string) => void;

/** Builds a rule whose check reports through `flag`, so every finding carries the rule's id and severity. */
export function defineRule(
    meta: Omit<Rule, "check">,
    body: (resources: readonly SynthResource[], flag: Flag, ctx: PolicyContext) => void,
): Rule {
    return {
        ...meta,
        check(resources, ctx) {
            const findings: Finding[] = [];
            body(resources, (resource, message) => findings.push({ rule: meta.id, severity: meta.severity, resource: resource.urn, message }), ctx);
            return findings;
        },
    };
}

export const T = {
    cluster: "aws:ecs/cluster:Cluster",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    ecsService: "aws:ecs/service:Service",
    repository: "aws:ecr/repository:Repository",
    lifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    registryScanning: "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
    dbInstance: "aws:rds/instance:Instance",
    dbParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    awsxVpc: "awsx:ec2:Vpc",
    vpc: "aws:ec2/vpc:Vpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    policy: "aws:iam/policy:Policy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    groupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

export function ofType(resources: readonly SynthResource[], ...types: string[]): SynthResource[] {
    return resources.filter((r) => types.includes(r.type));
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): Obj {
    return isObj(value) ? value : {};
}

export function list(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

export function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** Reads a number that the program may have passed as a string (listener ports, for one). */
export function num(value: unknown): number | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
    return undefined;
}

/** A JSON document input (policy, container definitions) as the program passed it: a string or an object. */
export function parseJson(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

/** The resource's physical name from the input that carries it, falling back to the mock's state. */
export function physicalName(r: SynthResource, key: string): string | undefined {
    return str(r.inputs[key]) ?? str(r.state[key]);
}

/** ECS API container definitions of a task definition. */
export interface Container {
    name?: string;
    image?: string;
    environment?: { name?: string; value?: string }[];
    secrets?: { name?: string; valueFrom?: string }[];
    logConfiguration?: { logDriver?: string; options?: Record<string, string> };
    readonlyRootFilesystem?: boolean;
    privileged?: boolean;
    user?: string;
}

export function containers(taskDefinition: SynthResource): Container[] {
    return list(parseJson(taskDefinition.inputs.containerDefinitions)).filter(isObj) as Container[];
}

export function containerLabel(c: Container, index: number): string {
    return c.name ? `container "${c.name}"` : `container #${index}`;
}

/** IAM-style policy statements of a policy document (string or object). */
export interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}

export function statements(document: unknown): Statement[] {
    const doc = parseJson(document);
    if (!isObj(doc)) return [];
    return list(doc.Statement).filter(isObj) as Statement[];
}

export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

/** IAM wildcard match (`*` and `?`), case-sensitive as IAM resource ARNs are. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}
