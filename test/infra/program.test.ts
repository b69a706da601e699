import { expect } from "chai";
import { planFirewall } from "../../infra/config/firewall";
import { NAME_RULES } from "../../infra/naming";
import type { Synthesis } from "../../infra/synth/synthesize";
import { baseConfig, byUrn, containers, exampleStack, ofType, one, synth, T } from "../helpers/synth";

describe("program: the synthesized graph", function () {
    let dev: Synthesis;
    let prod: Synthesis;
    let example: Synthesis;

    before(async () => {
        dev = await synth(baseConfig());
        prod = await synth(baseConfig({ "berth:environment": "prod" }), undefined, "prod");
        example = await exampleStack("dev");
    });

    describe("network", () => {
        it("declares public, private (app) and isolated (db) subnets over 3 AZs in the VPC inputs", () => {
            const vpc = ofType(dev, T.vpc)[0];
            expect(vpc.inputs.availabilityZoneNames).to.deep.equal(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
            expect(vpc.inputs.cidrBlock).to.equal("10.0.0.0/16");
            expect(vpc.inputs.subnetSpecs).to.deep.equal([
                { type: "Public", name: "public", cidrBlocks: ["10.0.128.0/24", "10.0.129.0/24", "10.0.130.0/24"] },
                { type: "Private", name: "app", cidrBlocks: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"] },
                { type: "Isolated", name: "db", cidrBlocks: ["10.0.144.0/24", "10.0.145.0/24", "10.0.146.0/24"] },
            ]);
        });

        it("uses one NAT gateway in dev and one per AZ in prod", () => {
            expect((ofType(dev, T.vpc)[0].inputs.natGateways as { strategy: string }).strategy).to.equal("Single");
            expect((ofType(prod, T.vpc)[0].inputs.natGateways as { strategy: string }).strategy).to.equal("OnePerAz");
        });

        it("attaches S3 and DynamoDB gateway endpoints to every route table; interface endpoints and flow logs only where the profile asks", () => {
            const endpoints = (s: Synthesis) => ofType(s, T.endpoint).map((e) => [e.inputs.serviceName, e.inputs.vpcEndpointType]);
            expect(endpoints(dev)).to.deep.equal([
                ["com.amazonaws.eu-west-1.s3", "Gateway"],
                ["com.amazonaws.eu-west-1.dynamodb", "Gateway"],
            ]);
            expect(ofType(dev, T.endpoint)[0].inputs.routeTableIds).to.have.length(9);
            expect(endpoints(prod).map((e) => e[0])).to.include.members(["com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.ecr.dkr", "com.amazonaws.eu-west-1.logs", "com.amazonaws.eu-west-1.secretsmanager"]);
            expect(ofType(dev, T.flowLog)).to.have.length(0);
            expect(ofType(prod, T.flowLog).map((f) => f.inputs.trafficType)).to.deep.equal(["ALL"]);
        });
    });

    describe("ECS services", () => {
        it("F13: every service runs in private subnets without a public IP, with circuit-breaker rollback and 100/200 deployments", () => {
            const services = ofType(example, T.ecsService);
            expect(services).to.have.length(12);
            for (const svc of services) {
                const net = svc.inputs.networkConfiguration as { subnets: string[]; securityGroups: string[]; assignPublicIp: boolean };
                expect([net.subnets, net.assignPublicIp, net.securityGroups.length], svc.name).to.deep.equal([["subnet-private-0", "subnet-private-1", "subnet-private-2"], false, 1]);
                expect(svc.inputs.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
                expect([svc.inputs.deploymentMinimumHealthyPercent, svc.inputs.deploymentMaximumPercent, svc.inputs.waitForSteadyState]).to.deep.equal([100, 200, true]);
            }
        });

        it("F11: each ECS service dependsOn exactly the ECS services its catalogue entry waits for", () => {
            const services = ofType(example, T.ecsService);
            const nameOf = (urn: string) => byUrn(example, urn).inputs.name as string;
            for (const s of example.settings.services) {
                const svc = services.find((x) => x.inputs.name === `berth-dev-${s.name}`)!;
                const ecsDeps = svc.dependsOn.filter((u) => byUrn(example, u).type === T.ecsService).map(nameOf).sort();
                expect(ecsDeps, s.name).to.deep.equal(s.waitsFor.map((w) => `berth-dev-${w}`).sort());
            }
        });

        it("a routed service waits for its listener rules (a target group needs a listener first)", () => {
            const api = one(dev, T.ecsService, "svc-api-service");
            const ruleDeps = api.dependsOn.filter((u) => byUrn(dev, u).type === T.listenerRule);
            expect(ruleDeps).to.have.length(1);
            expect(api.inputs.loadBalancers).to.deep.equal([{ targetGroupArn: one(dev, T.targetGroup, "edge-api-tg").state.arn, containerName: "api", containerPort: 8081 }]);
            expect(api.inputs.healthCheckGracePeriodSeconds).to.equal(30);
            expect(one(dev, T.ecsService, "svc-worker-service").inputs.loadBalancers).to.deep.equal([]);
        });

        it("F03/F14: no container carries a secret in environment; a database service signs in as its own role with IAM auth, no password", () => {
            const api = containers(one(dev, T.taskDefinition, "svc-api-task-definition"))[0];
            expect(api.secrets).to.deep.equal([]);
            const env = Object.fromEntries((api.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
            expect(env).to.include({ DB_HOST: "berth-dev-db.c0berth.eu-west-1.rds.amazonaws.com", DB_PORT: "5432", DB_NAME: "app", DB_USERNAME: "svc_api", DB_IAM_AUTH: "true", DB_REGION: "eu-west-1" });
            expect(env).to.not.have.any.keys("DB_PASSWORD");
            for (const td of ofType(example, T.taskDefinition)) {
                for (const c of containers(td)) {
                    for (const e of c.environment as { name: string; value: string }[]) {
                        expect(e.name, td.name).to.not.match(/PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL/);
                        expect(e.value, td.name).to.not.match(/:\/\/[^/]+:[^/]+@/);
                    }
                }
            }
        });

        it("F07: task definitions run images by digest, never by tag", () => {
            for (const td of ofType(example, T.taskDefinition)) {
                for (const c of containers(td)) expect(c.image, td.name).to.match(/^\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/berth\/dev\/[a-z-]+@sha256:[a-f0-9]{64}$/);
            }
        });

        it("F09/F10: containers get the public URL from the listener (no container port) and dependency URLs on Cloud Map names", () => {
            const web = containers(one(dev, T.taskDefinition, "svc-web-task-definition"))[0];
            const env = Object.fromEntries((web.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
            expect(env.PUBLIC_URL).to.match(/^http:\/\/berth-dev-alb-[a-f0-9]+\.eu-west-1\.elb\.amazonaws\.com$/);
            expect(env.API_URL).to.equal("http://api.dev.internal:8081");
            expect(env).to.include({ PORT: "8080", SERVICE_NAME: "web", BERTH_ENVIRONMENT: "dev" });
        });

        it("F01: no container health check unless declared; a declared one is exec form", async () => {
            expect(containers(one(dev, T.taskDefinition, "svc-web-task-definition"))[0].healthCheck).to.equal(undefined);
            const c = baseConfig();
            c["berth:services"][0].healthCheck = { command: ["node", "dist/healthcheck.js"], gracePeriodSeconds: 45 };
            const s = await synth(c);
            expect(containers(one(s, T.taskDefinition, "svc-web-task-definition"))[0].healthCheck).to.deep.equal({ command: ["CMD", "node", "dist/healthcheck.js"], interval: 10, timeout: 5, retries: 3, startPeriod: 45 });
        });

        it("F17: target groups check fast and drain briefly; the container stop timeout matches the drain", () => {
            const tg = one(dev, T.targetGroup, "edge-api-tg");
            expect(tg.inputs.deregistrationDelay).to.equal(10);
            expect(tg.inputs.healthCheck).to.deep.include({ interval: 5, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 3, path: "/health" });
            expect(tg.inputs.targetType).to.equal("ip");
            expect(containers(one(dev, T.taskDefinition, "svc-api-task-definition"))[0].stopTimeout).to.equal(10);
        });

        it("F09: the WebSocket service gets stickiness, a long drain and a raised ALB idle timeout", () => {
            const tg = one(example, T.targetGroup, "edge-notifications-tg");
            expect(tg.inputs.stickiness).to.deep.equal({ enabled: true, type: "lb_cookie", cookieDuration: 86400 });
            expect(tg.inputs.deregistrationDelay).to.equal(120);
            expect(ofType(example, T.alb)[0].inputs.idleTimeout).to.equal(300);
            expect(one(example, T.targetGroup, "edge-orders-tg").inputs.stickiness).to.deep.equal({ enabled: false, type: "lb_cookie" });
        });

        it("roles are least privilege: execution role pulls its own repository, writes its own logs, reads only its own secrets", () => {
            const policy = JSON.parse(String(one(dev, T.rolePolicy, "svc-api-execution-policy").inputs.policy));
            const repoArn = one(dev, T.repo, "registry-api").state.arn;
            expect(policy.Statement).to.deep.equal([
                { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                { Sid: "PullOwnImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: repoArn },
                { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:/berth/dev/api:*" },
            ]);
            const worker = JSON.parse(String(one(dev, T.rolePolicy, "svc-worker-execution-policy").inputs.policy));
            expect(worker.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["EcrAuth", "PullOwnImage", "WriteOwnLogs"]);
            const trust = JSON.parse(String(one(dev, T.role, "svc-api-task").inputs.assumeRolePolicy));
            expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" } });
        });

        it("F03: each database service's task role may rds-db:connect only as its own user on this instance", () => {
            const resourceId = String(ofType(example, T.rds)[0].state.resourceId);
            expect(resourceId).to.match(/^db-[A-F0-9]{26}$/);
            const policies = ofType(example, T.rolePolicy).filter((p) => p.name.endsWith("-task-db-connect"));
            expect(policies.map((p) => p.name).sort()).to.deep.equal(["accounts", "catalog", "inventory", "orders", "payments"].map((n) => `svc-${n}-task-db-connect`));
            for (const p of policies) {
                const service = p.name.replace(/^svc-|-task-db-connect$/g, "");
                expect(JSON.parse(String(p.inputs.policy)), p.name).to.deep.equal({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "ConnectAsOwnDbUser", Effect: "Allow", Action: "rds-db:connect", Resource: `arn:aws:rds-db:eu-west-1:123456789012:dbuser:${resourceId}/svc_${service}` }],
                });
                expect(p.inputs.role).to.equal(one(example, T.role, `svc-${service}-task`).inputs.name);
            }
            expect(ofType(example, T.rds)[0].inputs.iamDatabaseAuthenticationEnabled).to.equal(true);
        });

        it("F03: no task definition but the migration's references the master secret, and no execution role but the migration's may read it", () => {
            for (const s of [dev, prod, example]) {
                const secretArn = (ofType(s, T.rds)[0].state.masterUserSecrets as { secretArn: string }[])[0].secretArn;
                const readers = ofType(s, T.taskDefinition).filter((td) => String(td.inputs.containerDefinitions).includes(secretArn));
                expect(readers.map((td) => td.name)).to.deep.equal(["migration-task-definition"]);
                const policies = ofType(s, T.rolePolicy).filter((p) => String(p.inputs.policy).includes(secretArn));
                expect(policies.map((p) => p.name)).to.deep.equal(["migration-execution-policy"]);
            }
        });

        it("the migration task is told the catalogue's roles and access levels, sorted by role", () => {
            const [c] = containers(one(example, T.taskDefinition, "migration-task-definition"));
            const roles = (c.environment as { name: string; value: string }[]).find((e) => e.name === "BERTH_DB_ROLES")!.value;
            expect(JSON.parse(roles)).to.deep.equal([
                { role: "svc_accounts", access: "readwrite" },
                { role: "svc_catalog", access: "read" },
                { role: "svc_inventory", access: "readwrite" },
                { role: "svc_orders", access: "readwrite" },
                { role: "svc_payments", access: "readwrite" },
            ]);
        });

        it("the task role gets the uploads bucket only where declared", () => {
            const policy = JSON.parse(String(one(example, T.rolePolicy, "svc-catalog-task-bucket").inputs.policy));
            expect(policy.Statement[1].Action).to.deep.equal(["s3:GetObject"]);
            expect(ofType(example, T.rolePolicy).filter((p) => p.name.endsWith("-task-bucket")).map((p) => p.name).sort()).to.deep.equal(["svc-catalog-task-bucket", "svc-reviews-task-bucket"]);
        });

        it("registers every service in the Cloud Map namespace <stack>.internal (F10)", () => {
            const ns = ofType(example, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")[0];
            expect(ns.inputs.name).to.equal("dev.internal");
            expect(ofType(example, T.discovery).map((d) => d.inputs.name).sort()).to.deep.equal(example.settings.services.map((s) => s.name).sort());
            for (const svc of ofType(example, T.ecsService)) expect((svc.inputs.serviceRegistries as { registryArn: string }).registryArn).to.match(/^arn:aws:servicediscovery:/);
        });
    });

    describe("security groups: exactly the declared graph (F10)", () => {
        it("creates one ingress/egress rule per planned edge and nothing else", () => {
            const plan = planFirewall(dev.settings);
            expect(ofType(dev, T.ingress)).to.have.length(plan.filter((r) => r.direction === "ingress").length);
            expect(ofType(dev, T.egress)).to.have.length(plan.filter((r) => r.direction === "egress").length);
            const edges = plan.filter((r) => r.direction === "ingress").map((r) => `${"cidr" in r.peer ? r.peer.cidr : r.peer.group} → ${r.group}:${r.port}`);
            expect(edges).to.deep.equal(["0.0.0.0/0 → alb:80", "alb → service:web:8080", "service:web → service:api:8081", "alb → service:api:8081", "service:api → service:worker:8082", "service:api → db:5432", "migration → db:5432"]);
        });

        it("allows no 0.0.0.0/0 ingress except the ALB's 80/443", () => {
            for (const s of [dev, prod, example]) {
                const open = ofType(s, T.ingress).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
                expect(open.map((r) => [r.name, r.inputs.fromPort])).to.deep.equal([["firewall-alb-in-anywhere-80", 80]]);
            }
        });

        it("the database admits 5432 only from services with database access and the migration task", () => {
            const dbIngress = ofType(example, T.ingress).filter((r) => r.name.startsWith("firewall-db-in-")).map((r) => r.name).sort();
            expect(dbIngress).to.deep.equal(["accounts", "catalog", "inventory", "migration", "orders", "payments"].map((n) => `firewall-db-in-${n}-5432`));
        });
    });

    describe("database", () => {
        it("F03: RDS is private, encrypted, in isolated subnets, with an RDS-managed password and forced SSL", () => {
            const db = ofType(dev, T.rds)[0];
            expect(db.inputs).to.deep.include({ publiclyAccessible: false, storageEncrypted: true, manageMasterUserPassword: true, engine: "postgres", autoMinorVersionUpgrade: true });
            expect(db.inputs).to.not.have.property("password");
            expect(one(dev, "aws:rds/subnetGroup:SubnetGroup", "database-subnets").inputs.subnetIds).to.deep.equal(["subnet-isolated-0", "subnet-isolated-1", "subnet-isolated-2"]);
            expect(one(dev, "aws:rds/parameterGroup:ParameterGroup", "database-parameters").inputs.parameters).to.deep.equal([{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }]);
        });

        it("F16: prod protects data, keeps a final snapshot and deletion protection; dev tears down cleanly", () => {
            const [d, p] = [ofType(dev, T.rds)[0], ofType(prod, T.rds)[0]];
            expect([d.inputs.multiAz, d.inputs.deletionProtection, d.inputs.skipFinalSnapshot, d.protect]).to.deep.equal([false, false, true, false]);
            expect([p.inputs.multiAz, p.inputs.deletionProtection, p.inputs.skipFinalSnapshot, p.inputs.finalSnapshotIdentifier, p.protect]).to.deep.equal([true, true, false, "berth-prod-db-final", true]);
            expect(ofType(prod, T.bucket).every((b) => b.protect)).to.equal(true);
            expect(ofType(prod, T.repo).every((r) => r.protect && r.inputs.forceDelete === false)).to.equal(true);
            expect(ofType(dev, T.repo).every((r) => !r.protect && r.inputs.forceDelete === true)).to.equal(true);
        });
    });

    describe("registry", () => {
        it("F06: repositories are immutable, scanned on push, encrypted, with a lifecycle policy that keeps released images", () => {
            for (const repo of ofType(example, T.repo)) {
                expect(repo.inputs).to.deep.include({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: "AES256" }] });
            }
            const policies = ofType(example, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
            expect(policies.map((p) => p.inputs.repository).sort()).to.deep.equal(ofType(example, T.repo).map((r) => r.inputs.name).sort());
            const rules = JSON.parse(String(policies[0].inputs.policy)).rules;
            expect(rules[0].selection).to.deep.equal({ tagStatus: "tagged", tagPatternList: ["rel-*"], countType: "imageCountMoreThan", countNumber: 10 });
            expect(rules.map((r: { rulePriority: number }) => r.rulePriority)).to.deep.equal([1, 2, 3]);
        });
    });

    describe("load balancer", () => {
        it("drops invalid headers, mitigates desync, answers 404 by default over HTTP when no certificate is set", () => {
            const alb = ofType(dev, T.alb)[0];
            expect(alb.inputs).to.deep.include({ dropInvalidHeaderFields: true, desyncMitigationMode: "defensive", internal: false, subnets: ["subnet-public-0", "subnet-public-1", "subnet-public-2"] });
            const listeners = ofType(dev, T.listener);
            expect(listeners.map((l) => [l.inputs.port, (l.inputs.defaultActions as { type: string }[])[0].type])).to.deep.equal([[80, "fixed-response"]]);
        });

        it("with a certificate: HTTP redirects to HTTPS, and HTTPS (TLS 1.2+) carries the rules", async () => {
            const s = await synth(baseConfig({ "berth:loadBalancer": { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123" } }));
            const [http, https] = ofType(s, T.listener);
            expect(http.inputs.defaultActions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            expect(https.inputs).to.deep.include({ port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123" });
            expect(ofType(s, T.listenerRule).every((r) => r.inputs.listenerArn === https.state.arn)).to.equal(true);
            expect(ofType(s, T.ingress).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0").map((r) => r.inputs.fromPort)).to.deep.equal([80, 443]);
            expect((s.outputs.publicUrl as string).startsWith("https://")).to.equal(true);
        });

        it("F08: listener rules are split within limits and have unique priorities", () => {
            const rules = ofType(example, T.listenerRule);
            const orders = rules.filter((r) => r.name.startsWith("edge-orders-rule-")).sort((a, b) => Number(a.inputs.priority) - Number(b.inputs.priority));
            expect(orders.map((r) => (r.inputs.conditions as { pathPattern: { values: string[] } }[])[0].pathPattern.values)).to.deep.equal([
                ["/checkout/*", "/returns/*", "/orders/*"],
                ["/cart/*"],
            ]);
            const priorities = rules.map((r) => r.inputs.priority);
            expect(new Set(priorities).size).to.equal(rules.length);
        });
    });

    describe("storage and observability", () => {
        it("the uploads bucket is private, encrypted, owner-enforced and TLS-only; versioned in prod", () => {
            const bucket = ofType(dev, T.bucket)[0];
            expect(bucket.inputs.bucket).to.equal("berth-dev-uploads-123456789012-eu-west-1");
            const name = bucket.inputs.bucket;
            expect(ofType(dev, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs).to.deep.equal({ bucket: name, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            const policy = JSON.parse(String(ofType(dev, "aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy));
            expect(policy.Statement[0]).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            expect(ofType(dev, "aws:s3/bucketVersioning:BucketVersioning")).to.have.length(0);
            expect(ofType(prod, "aws:s3/bucketVersioning:BucketVersioning").length).to.be.greaterThan(0);
        });

        it("alarms cover ALB 5xx, unhealthy targets and target 5xx per routed service, CPU and memory per service, RDS CPU and storage", () => {
            const names = ofType(dev, T.alarm).map((a) => a.inputs.name).sort();
            expect(names).to.deep.equal(
                [
                    "berth-dev-alb-httpcode-elb-5xx-count",
                    "berth-dev-api-unhealthyhostcount",
                    "berth-dev-web-unhealthyhostcount",
                    "berth-dev-api-httpcode-target-5xx-count",
                    "berth-dev-web-httpcode-target-5xx-count",
                    ...["web", "api", "worker"].flatMap((s) => [`berth-dev-${s}-cpuutilization`, `berth-dev-${s}-memoryutilization`]),
                    "berth-dev-db-cpuutilization",
                    "berth-dev-db-freestoragespace",
                ].sort(),
            );
            expect(ofType(dev, "aws:sns/topic:Topic")).to.have.length(0);
            expect(ofType(example, T.alarm).every((a) => (a.inputs.alarmActions as string[]).length === 1)).to.equal(true);
        });

        /** What decides when an alarm fires, by alarm name. */
        const firing = (synthesis: Synthesis) =>
            Object.fromEntries(
                ofType(synthesis, T.alarm).map((a) => [
                    String(a.inputs.name).replace(/^berth-dev-/, ""),
                    [a.inputs.metricName, a.inputs.statistic, a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.period, a.inputs.evaluationPeriods, a.inputs.alarmDescription],
                ]),
            );

        it("alarm inputs at the profile's thresholds: metric, statistic, comparison, threshold, period, evaluation periods", () => {
            const alarms = firing(dev);
            expect(alarms["alb-httpcode-elb-5xx-count"]).to.deep.equal(["HTTPCode_ELB_5XX_Count", "Sum", "GreaterThanThreshold", 10, 60, 3, "the load balancer answers 5xx itself (no healthy target, timeouts)"]);
            expect(alarms["api-unhealthyhostcount"]).to.deep.equal(["UnHealthyHostCount", "Maximum", "GreaterThanThreshold", 0, 60, 5, "api has more than 0 unhealthy targets"]);
            expect(alarms["worker-cpuutilization"]).to.deep.equal(["CPUUtilization", "Average", "GreaterThanThreshold", 85, 300, 2, "worker CPUUtilization above 85%"]);
            expect(alarms["worker-memoryutilization"]).to.deep.equal(["MemoryUtilization", "Average", "GreaterThanThreshold", 85, 300, 2, "worker MemoryUtilization above 85%"]);
            expect(alarms["db-cpuutilization"]).to.deep.equal(["CPUUtilization", "Average", "GreaterThanThreshold", 80, 300, 2, "database CPU above 80%"]);
            expect(alarms["db-freestoragespace"]).to.deep.equal(["FreeStorageSpace", "Minimum", "LessThanThreshold", 2 * 1024 ** 3, 300, 1, "database free storage below 2 GiB"]);
        });

        it("berth:alarms.thresholds set where every alarm fires", async () => {
            const thresholds = { alb5xxPerMinute: 25, unhealthyTargets: 1, target5xxPerMinute: 7, serviceCpuPercent: 70, serviceMemoryPercent: 90, databaseCpuPercent: 60, databaseFreeStorageGiB: 5.5 };
            const alarms = firing(await synth(baseConfig({ "berth:alarms": { thresholds } })));
            expect(Object.keys(alarms)).to.have.length(13);
            for (const s of ["web", "api"]) expect(alarms[`${s}-httpcode-target-5xx-count`].slice(3)).to.deep.equal([7, 60, 2, `${s} answers more than 7 5xx a minute`]);
            expect(alarms["alb-httpcode-elb-5xx-count"].slice(3, 6)).to.deep.equal([25, 60, 3]);
            expect(alarms["web-unhealthyhostcount"].slice(3)).to.deep.equal([1, 60, 5, "web has more than 1 unhealthy targets"]);
            for (const s of ["web", "api", "worker"]) {
                expect(alarms[`${s}-cpuutilization`].slice(3)).to.deep.equal([70, 300, 2, `${s} CPUUtilization above 70%`]);
                expect(alarms[`${s}-memoryutilization`].slice(3)).to.deep.equal([90, 300, 2, `${s} MemoryUtilization above 90%`]);
            }
            expect(alarms["db-cpuutilization"].slice(3)).to.deep.equal([60, 300, 2, "database CPU above 60%"]);
            expect(alarms["db-freestoragespace"].slice(2)).to.deep.equal(["LessThanThreshold", 5905580032, 300, 1, "database free storage below 5.5 GiB"]);
        });
    });

    describe("graph hygiene", () => {
        it("every resource is parented by its component and named after it", () => {
            const components = dev.resources.filter((r) => r.type.startsWith("berth:"));
            expect(components.map((c) => c.type).sort()).to.include.members(["berth:network:Network", "berth:network:Firewall", "berth:registry:Registry", "berth:storage:Storage", "berth:database:Database", "berth:loadBalancer:LoadBalancer", "berth:cluster:Cluster", "berth:discovery:Discovery", "berth:images:Images", "berth:service:Service", "berth:migration:Migration", "berth:observability:Observability"]);
            for (const c of components) {
                const children = dev.resources.filter((r) => r.parent === c.urn);
                expect(children.length, c.name).to.be.greaterThan(0);
                for (const child of children) expect(child.name.startsWith(`${c.name}-`), `${child.name} under ${c.name}`).to.equal(true);
            }
            const orphans = dev.resources.filter((r) => !r.parent && !r.type.startsWith("berth:") && r.type !== "pulumi:providers:aws");
            expect(orphans.map((o) => o.urn)).to.deep.equal([]);
        });

        it("F04: every physical name is valid for its AWS service", () => {
            const check = (type: string, field: string, rule: keyof typeof NAME_RULES) => {
                for (const r of ofType(example, type)) expect(NAME_RULES[rule](String(r.inputs[field])), `${type} ${r.inputs[field]}`).to.equal(true);
            };
            check(T.alb, "name", "albName");
            check(T.targetGroup, "name", "targetGroupName");
            check(T.rds, "identifier", "rdsIdentifier");
            check(T.bucket, "bucket", "s3Bucket");
            check(T.role, "name", "iamRoleName");
            check(T.repo, "name", "ecrRepository");
            check(T.ecsService, "name", "ecsName");
            check(T.taskDefinition, "family", "ecsName");
            check(T.logGroup, "name", "logGroupName");
        });

        it("stack-wide tags come from one explicit AWS provider", () => {
            const provider = dev.resources.find((r) => r.type === "pulumi:providers:aws")!;
            // Provider inputs travel JSON-encoded.
            expect(JSON.parse(String(provider.inputs.defaultTags))).to.deep.equal({ tags: { project: "berth", stack: "dev", environment: "dev", "managed-by": "berth" } });
        });
    });
});
