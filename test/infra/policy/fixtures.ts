// Hand-built resource graphs for the policy tests: a `res` helper and a well-built stack per profile.
import type { SynthResource } from "../../../infra/synth/mockEngine";
import type { Environment } from "../../../infra/config/profiles";

export interface ResOptions {
    state?: Record<string, unknown>;
    protect?: boolean;
    parent?: string;
}

/** One resource as the mock engine records it; state = inputs plus whatever `extra.state` adds. */
export function res(type: string, name: string, inputs: Record<string, unknown> = {}, extra: ResOptions = {}): SynthResource {
    return {
        urn: `urn:pulumi:test::berth::${type}::${name}`,
        type,
        name,
        parent: extra.parent,
        custom: !type.startsWith("berth:") && !type.startsWith("awsx:"),
        inputs,
        state: { ...inputs, ...(extra.state ?? {}) },
        secretPaths: [],
        protect: extra.protect ?? false,
        dependsOn: [],
    };
}

export interface ContainerDef {
    name: string;
    image?: string;
    environment?: { name: string; value: string }[];
    secrets?: { name: string; valueFrom: string }[];
    logConfiguration?: { logDriver: string; options?: Record<string, string> };
    readonlyRootFilesystem?: boolean;
    privileged?: boolean;
}

export const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf";
/** A service's own secret (not the RDS-managed master secret, which only the migration may read). */
export const APP_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/payments-key-AbCdEf";

/** A container as berth's service component builds it: read-only, logged, secrets by reference. */
export function goodContainer(name = "orders", overrides: Partial<ContainerDef> = {}): ContainerDef {
    return {
        name,
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/test/${name}@sha256:${"a".repeat(64)}`,
        environment: [
            { name: "PORT", value: "8080" },
            { name: "PUBLIC_URL", value: "https://orders.example.com" },
            { name: "DB_SECRET_ARN", value: SECRET_ARN },
            { name: "TOKEN_TTL_SECONDS", value: "900" },
        ],
        secrets: [{ name: "PAYMENTS_KEY", valueFrom: `${APP_SECRET_ARN}:key::` }],
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/berth/test/${name}`, "awslogs-region": "us-east-1", "awslogs-stream-prefix": name } },
        readonlyRootFilesystem: true,
        ...overrides,
    };
}

export function taskDefinition(name: string, containers: ContainerDef[], tags?: Record<string, string>): SynthResource {
    return res("aws:ecs/taskDefinition:TaskDefinition", name, {
        family: `berth-test-${name}`,
        containerDefinitions: JSON.stringify(containers),
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        ...(tags ? { tags } : {}),
    });
}

export function ecsService(name: string, inputs: Record<string, unknown> = {}): SynthResource {
    return res("aws:ecs/service:Service", name, {
        name: `berth-test-${name}`,
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/berth-test-cluster",
        taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/berth-test-${name}:1`,
        networkConfiguration: { subnets: ["subnet-private-0"], securityGroups: ["sg-svc"], assignPublicIp: false },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        ...inputs,
    });
}

export function dbInstance(inputs: Record<string, unknown> = {}, extra: ResOptions = {}): SynthResource {
    return res(
        "aws:rds/instance:Instance",
        "db",
        {
            identifier: "berth-test-db",
            engine: "postgres",
            engineVersion: "16.6",
            instanceClass: "db.t4g.medium",
            publiclyAccessible: false,
            storageEncrypted: true,
            multiAz: true,
            deletionProtection: true,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            manageMasterUserPassword: true,
            username: "berth_admin",
            parameterGroupName: "berth-test-db-postgres16",
            skipFinalSnapshot: false,
            backupRetentionPeriod: 14,
            ...inputs,
        },
        extra,
    );
}

export function parameterGroup(forceSsl = "1"): SynthResource {
    return res("aws:rds/parameterGroup:ParameterGroup", "db-params", {
        name: "berth-test-db-postgres16",
        family: "postgres16",
        parameters: [{ name: "rds.force_ssl", value: forceSsl }],
    });
}

export const LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/berth-test-alb/0123456789abcdef";

export function loadBalancer(inputs: Record<string, unknown> = {}): SynthResource {
    return res(
        "aws:lb/loadBalancer:LoadBalancer",
        "alb",
        {
            name: "berth-test-alb",
            internal: false,
            loadBalancerType: "application",
            securityGroups: ["sg-alb"],
            subnets: ["subnet-public-0", "subnet-public-1"],
            dropInvalidHeaderFields: true,
            desyncMitigationMode: "defensive",
            enableDeletionProtection: true,
            accessLogs: { bucket: "berth-test-logs-123456789012-us-east-1", enabled: true, prefix: "alb" },
            ...inputs,
        },
        { state: { arn: LB_ARN } },
    );
}

export function httpsListener(inputs: Record<string, unknown> = {}): SynthResource {
    return res(
        "aws:lb/listener:Listener",
        "alb-https",
        {
            loadBalancerArn: LB_ARN,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
            ...inputs,
        },
        { state: { arn: `${LB_ARN}/https` } },
    );
}

export const REDIRECT_TO_HTTPS = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];

export function httpListener(defaultActions: unknown[] = REDIRECT_TO_HTTPS): SynthResource {
    return res("aws:lb/listener:Listener", "alb-http", { loadBalancerArn: LB_ARN, port: 80, protocol: "HTTP", defaultActions }, { state: { arn: `${LB_ARN}/http` } });
}

export const BUCKET = "berth-test-logs-123456789012-us-east-1";

export function bucket(name = BUCKET, extra: ResOptions = {}): SynthResource {
    return res("aws:s3/bucket:Bucket", "logs", { bucket: name, forceDestroy: false }, extra);
}

export function publicAccessBlock(name = BUCKET, inputs: Record<string, unknown> = {}): SynthResource {
    return res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-pab", {
        bucket: name,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
        ...inputs,
    });
}

export function tlsOnlyStatement(name = BUCKET): Record<string, unknown> {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export function bucketPolicy(statements: unknown[], name = BUCKET): SynthResource {
    return res("aws:s3/bucketPolicy:BucketPolicy", "logs-policy", { bucket: name, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
}

export function ingressRule(name: string, inputs: Record<string, unknown>): SynthResource {
    return res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, { ipProtocol: "tcp", ...inputs });
}

export function rolePolicy(name: string, statements: unknown[]): SynthResource {
    return res("aws:iam/rolePolicy:RolePolicy", name, { role: "berth-test-task", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
}

export function logGroup(name: string, retentionInDays?: number): SynthResource {
    return res("aws:cloudwatch/logGroup:LogGroup", name, { name: `/berth/test/${name}`, ...(retentionInDays === undefined ? {} : { retentionInDays }) });
}

export function vpc(): SynthResource {
    return res("awsx:ec2:Vpc", "net-vpc", { cidrBlock: "10.0.0.0/16" }, { state: { vpcId: "vpc-0berth" } });
}

export function flowLog(inputs: Record<string, unknown> = {}): SynthResource {
    return res("aws:ec2/flowLog:FlowLog", "net-flow-log", {
        vpcId: "vpc-0berth",
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:/berth/test/vpc-flow-logs",
        ...inputs,
    });
}

export function repository(inputs: Record<string, unknown> = {}): SynthResource {
    return res("aws:ecr/repository:Repository", "orders-repo", {
        name: "berth/test/orders",
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: false,
        ...inputs,
    });
}

export function lifecyclePolicy(repositoryName = "berth/test/orders"): SynthResource {
    return res("aws:ecr/lifecyclePolicy:LifecyclePolicy", "orders-lifecycle", {
        repository: repositoryName,
        policy: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } }] }),
    });
}

/** A well-built stack as berth's profile defaults would make it: the policy must find nothing in it. */
export function wellBuiltStack(env: Environment): SynthResource[] {
    const prod = env === "prod";
    const https = env !== "dev";
    const resources: SynthResource[] = [
        vpc(),
        res("aws:ec2/securityGroup:SecurityGroup", "alb-sg", { name: "berth-test-alb", description: "ALB", vpcId: "vpc-0berth" }, { state: { arn: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-alb" } }),
        res("aws:ec2/securityGroup:SecurityGroup", "svc-sg", { name: "berth-test-orders", description: "orders", vpcId: "vpc-0berth" }),
        res("aws:ec2/securityGroup:SecurityGroup", "db-sg", { name: "berth-test-db", description: "db", vpcId: "vpc-0berth" }),
        ingressRule("alb-in-http-v4", { securityGroupId: "sg-alb", cidrIpv4: "0.0.0.0/0", fromPort: 80, toPort: 80 }),
        ingressRule("alb-in-http-v6", { securityGroupId: "sg-alb", cidrIpv6: "::/0", fromPort: 80, toPort: 80 }),
        ingressRule("svc-in-alb", { securityGroupId: "sg-svc", referencedSecurityGroupId: "sg-alb", fromPort: 8080, toPort: 8080 }),
        ingressRule("db-in-svc", { securityGroupId: "sg-db", referencedSecurityGroupId: "sg-svc", fromPort: 5432, toPort: 5432 }),
        ingressRule("endpoints-in-vpc", { securityGroupId: "sg-endpoints", cidrIpv4: "10.0.0.0/16", fromPort: 443, toPort: 443 }),
        loadBalancer({ enableDeletionProtection: prod, accessLogs: env === "dev" ? undefined : { bucket: BUCKET, enabled: true } }),
        res("aws:lb/targetGroup:TargetGroup", "orders-tg", { name: "berth-test-orders", port: 8080, protocol: "HTTP", targetType: "ip", deregistrationDelay: 10 }),
        res("aws:ecs/cluster:Cluster", "cluster", { name: "berth-test-cluster", settings: [{ name: "containerInsights", value: "enabled" }] }),
        taskDefinition("orders", [goodContainer("orders")]),
        taskDefinition("migrate", [goodContainer("migrate", { secrets: [{ name: "DB_PASSWORD", valueFrom: `${SECRET_ARN}:password::` }] })], { "berth:purpose": "migration" }),
        ecsService("orders"),
        repository(),
        lifecyclePolicy(),
        dbInstance({ multiAz: prod, deletionProtection: prod }, { protect: prod }),
        parameterGroup(),
        bucket(BUCKET, { protect: prod }),
        publicAccessBlock(),
        bucketPolicy([
            tlsOnlyStatement(),
            { Sid: "AlbLogDelivery", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/alb/*` },
        ]),
        res("aws:iam/role:Role", "task-role", {
            name: "berth-test-orders-task",
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        }),
        rolePolicy("execution-policy", [
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [SECRET_ARN] },
        ]),
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "execution-managed", { role: "berth-test-orders-exec", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" }),
        logGroup("orders", prod ? 90 : 7),
    ];
    if (https) {
        resources.push(
            ingressRule("alb-in-https-v4", { securityGroupId: "sg-alb", cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443 }),
            httpsListener(),
            httpListener(),
        );
    } else {
        resources.push(httpListener([{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth-test-orders/abc" }]));
    }
    if (env !== "dev") resources.push(flowLog(), logGroup("vpc-flow-logs", prod ? 90 : 30));
    return resources;
}
