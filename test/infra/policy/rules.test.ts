// Policy rules over hand-built graphs: each rule fires on a minimal bad set and stays quiet on a good one.
import { expect } from "chai";
import type { SynthResource } from "../../../infra/synth/mockEngine";
import type { Environment } from "../../../infra/config/profiles";
import { RULES, describeRules, evaluatePolicies } from "../../../infra/policy";
import { isSecretName, secretValueKind } from "../../../infra/policy/ecs";
import {
    BUCKET,
    LB_ARN,
    REDIRECT_TO_HTTPS,
    SECRET_ARN,
    bucket,
    bucketPolicy,
    dbInstance,
    ecsService,
    flowLog,
    goodContainer,
    httpListener,
    httpsListener,
    ingressRule,
    lifecyclePolicy,
    loadBalancer,
    logGroup,
    parameterGroup,
    publicAccessBlock,
    repository,
    res,
    rolePolicy,
    taskDefinition,
    tlsOnlyStatement,
    vpc,
    wellBuiltStack,
} from "./fixtures";

/**
 * What the tests below have seen each rule do: fire (findings) and stay quiet (none). The last test of this
 * file demands both for every rule in RULES, so a rule added without a firing and a quiet test fails here.
 */
const seen = new Map<string, { fired: boolean; quiet: boolean }>();

/** Runs one rule by id, records whether it fired, and returns its findings. */
function check(id: string, resources: SynthResource[], environment: Environment) {
    const rule = RULES.find((r) => r.id === id);
    if (!rule) throw new Error(`no rule ${id}`);
    const findings = rule.check(resources, { environment });
    const evidence = seen.get(id) ?? { fired: false, quiet: false };
    if (findings.length > 0) evidence.fired = true;
    else evidence.quiet = true;
    seen.set(id, evidence);
    return findings;
}

/** Runs one rule by id and returns [rule, resource URN] pairs. */
function hits(id: string, resources: SynthResource[], environment: Environment = "prod"): [string, string][] {
    return check(id, resources, environment).map((f) => [f.rule, f.resource]);
}

function messages(id: string, resources: SynthResource[], environment: Environment = "prod"): string[] {
    return check(id, resources, environment).map((f) => f.message);
}

describe("policy: the rule set", () => {
    it("has at least 24 rules with unique ids", () => {
        const ids = RULES.map((r) => r.id);
        expect(ids.length).to.be.at.least(24);
        expect(new Set(ids).size).to.equal(ids.length);
    });

    it("describes every rule for docs with its profiles (absent = all)", () => {
        const described = describeRules();
        expect(described.map((d) => d.id)).to.deep.equal(RULES.map((r) => r.id));
        expect(described.find((d) => d.id === "RDS.5")).to.deep.equal({ id: "RDS.5", title: "Production RDS instances are Multi-AZ", severity: "medium", profiles: ["prod"], waivable: false });
        expect(described.find((d) => d.id === "ECS.2")!.profiles).to.deep.equal(["dev", "staging", "prod"]);
        expect(described.filter((d) => d.waivable).map((d) => d.id)).to.deep.equal(["ECS.5"]);
    });

    for (const env of ["dev", "staging", "prod"] as const) {
        it(`finds nothing in a well-built ${env} stack (no false positives)`, () => {
            const report = evaluatePolicies(wellBuiltStack(env), { environment: env });
            expect(report.findings).to.deep.equal([]);
            expect(report.waived).to.deep.equal([]);
        });
    }
});

describe("policy: evaluation", () => {
    it("evaluates only the rules that apply to the profile", () => {
        const all = RULES.length;
        const prodOnly = RULES.filter((r) => r.profiles && !r.profiles.includes("dev")).length;
        expect(evaluatePolicies([], { environment: "prod" }).rulesEvaluated).to.equal(all);
        expect(evaluatePolicies([], { environment: "dev" }).rulesEvaluated).to.equal(all - prodOnly);
    });

    it("RDS.5 fires in prod and is not evaluated in dev", () => {
        const db = dbInstance({ multiAz: false }, { protect: true });
        expect(evaluatePolicies([db, parameterGroup()], { environment: "prod" }).findings.map((f) => [f.rule, f.resource])).to.deep.equal([["RDS.5", db.urn]]);
        expect(evaluatePolicies([db, parameterGroup()], { environment: "dev" }).findings).to.deep.equal([]);
    });

    it("sorts findings by severity, then rule id in numeric order", () => {
        const db = dbInstance({ publiclyAccessible: true, storageEncrypted: false, autoMinorVersionUpgrade: false });
        const report = evaluatePolicies([db, parameterGroup(), logGroup("orders")], { environment: "dev" });
        expect(report.findings.map((f) => [f.severity, f.rule])).to.deep.equal([
            ["critical", "RDS.2"],
            ["high", "RDS.13"],
            ["medium", "RDS.3"],
            ["low", "BERTH.LOG-RETENTION"],
        ]);
        const lb = loadBalancer({ dropInvalidHeaderFields: false });
        const old = httpsListener({ sslPolicy: "ELBSecurityPolicy-2016-08" });
        expect(evaluatePolicies([old, lb], { environment: "dev" }).findings.map((f) => f.rule)).to.deep.equal(["ELB.4", "ELB.17"]);
    });

    it("reports an ECS.5 finding waived by the task definition's berth:waivers tag in `waived`, not in `findings`", () => {
        const td = taskDefinition("legacy", [goodContainer("legacy", { readonlyRootFilesystem: false })], { "berth:waivers": "ECS.5" });
        const report = evaluatePolicies([td], { environment: "prod" });
        expect(report.findings).to.deep.equal([]);
        expect(report.waived.map((f) => [f.rule, f.resource, f.waived])).to.deep.equal([["ECS.5", td.urn, true]]);
    });

    it("reads a waiver list separated by commas or spaces", () => {
        const td = (tag: string) => taskDefinition("legacy", [goodContainer("legacy", { readonlyRootFilesystem: false })], { "berth:waivers": tag });
        expect(evaluatePolicies([td("ECS.4, ECS.5")], { environment: "dev" }).waived).to.have.length(1);
        expect(evaluatePolicies([td("ECS.4 ECS.5")], { environment: "dev" }).waived).to.have.length(1);
    });

    it("F03: never lets a tag waive a rule that is not waivable, and says so", () => {
        const container = goodContainer("orders", { environment: [{ name: "DB_PASSWORD", value: "hunter2" }] });
        const td = taskDefinition("orders", [container], { "berth:waivers": "ECS.8" });
        const report = evaluatePolicies([td], { environment: "dev" });
        expect(report.waived).to.deep.equal([]);
        expect(report.findings.map((f) => [f.rule, f.resource])).to.deep.equal([["ECS.8", td.urn]]);
        expect(report.findings[0].message).to.match(/berth:waivers tag names ECS\.8, which cannot be waived\)$/);
    });

    it("keeps the findings of a waived rule on resources that do not carry the waiver", () => {
        const waived = taskDefinition("legacy", [goodContainer("legacy", { readonlyRootFilesystem: false })], { "berth:waivers": "ECS.5" });
        const other = taskDefinition("orders", [goodContainer("orders", { readonlyRootFilesystem: false })]);
        const report = evaluatePolicies([waived, other], { environment: "dev" });
        expect(report.findings.map((f) => [f.rule, f.resource])).to.deep.equal([["ECS.5", other.urn]]);
        expect(report.waived.map((f) => f.resource)).to.deep.equal([waived.urn]);
    });
});

describe("policy: ECS", () => {
    it("ECS.2: fires on a service that assigns public IPs", () => {
        const svc = ecsService("orders", { networkConfiguration: { subnets: ["subnet-public-0"], securityGroups: ["sg-svc"], assignPublicIp: true } });
        expect(hits("ECS.2", [svc])).to.deep.equal([["ECS.2", svc.urn]]);
    });
    it("ECS.2: stays quiet when assignPublicIp is false", () => {
        expect(hits("ECS.2", [ecsService("orders")])).to.deep.equal([]);
    });

    it("ECS.4: fires on a privileged container", () => {
        const td = taskDefinition("orders", [goodContainer("orders", { privileged: true })]);
        expect(hits("ECS.4", [td])).to.deep.equal([["ECS.4", td.urn]]);
    });
    it("ECS.4: stays quiet on unprivileged containers", () => {
        expect(hits("ECS.4", [taskDefinition("orders", [goodContainer("orders", { privileged: false })])])).to.deep.equal([]);
    });

    it("ECS.5: fires on each container without a read-only root filesystem", () => {
        const td = taskDefinition("orders", [goodContainer("orders", { readonlyRootFilesystem: false }), goodContainer("sidecar", { readonlyRootFilesystem: undefined })]);
        expect(hits("ECS.5", [td])).to.deep.equal([["ECS.5", td.urn], ["ECS.5", td.urn]]);
        expect(messages("ECS.5", [td])[1]).to.contain('container "sidecar"');
    });
    it("ECS.5: stays quiet on read-only containers", () => {
        expect(hits("ECS.5", [taskDefinition("orders", [goodContainer()])])).to.deep.equal([]);
    });

    it("F14: ECS.8 fires on secret-looking variable names in environment", () => {
        for (const name of ["DB_PASSWORD", "PGPASSWORD", "JWT_SECRET", "GITHUB_TOKEN", "STRIPE_API_KEY", "stripeApiKey", "PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "GOOGLE_CREDENTIALS", "DATABASE_URL", "SENTRY_DSN"]) {
            const td = taskDefinition("orders", [goodContainer("orders", { environment: [{ name, value: "x" }] })]);
            expect(hits("ECS.8", [td]), name).to.deep.equal([["ECS.8", td.urn]]);
        }
    });
    it("F03: ECS.8 fires on an empty DATABASE_URL in environment (the empty-input-variable failure)", () => {
        const td = taskDefinition("orders", [goodContainer("orders", { environment: [{ name: "DATABASE_URL", value: "" }] })]);
        expect(hits("ECS.8", [td])).to.deep.equal([["ECS.8", td.urn]]);
    });
    it("F03: ECS.8 fires on secret material in any variable, without echoing it", () => {
        const values = [
            "AKIAIOSFODNN7EXAMPLE",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB...",
            "postgres://berth_admin:s3cr3t@db.internal:5432/app",
            "redis://:hunter2@cache:6379",
            `ghp_${"a".repeat(36)}`,
        ];
        for (const value of values) {
            const td = taskDefinition("orders", [goodContainer("orders", { environment: [{ name: "CONFIG", value }] })]);
            expect(hits("ECS.8", [td]), value).to.deep.equal([["ECS.8", td.urn]]);
            expect(messages("ECS.8", [td])[0]).not.to.contain(value.slice(4, 16));
        }
    });
    it("F14: ECS.8 stays quiet on ordinary variables, secret references and settings about secrets", () => {
        const env = [
            { name: "PORT", value: "8080" },
            { name: "DB_SECRET_ARN", value: SECRET_ARN },
            { name: "DB_PASSWORD", value: SECRET_ARN },
            { name: "TOKEN_URL", value: "https://auth.example.com/oauth/token" },
            { name: "TOKEN_TTL_SECONDS", value: "900" },
            { name: "PASSWORD_MIN_LENGTH", value: "12" },
            { name: "DB_HOST", value: "berth-test-db.c0berth.us-east-1.rds.amazonaws.com" },
            { name: "DB_URL_HOST", value: "postgres://db.internal:5432/app" },
            { name: "PUBLIC_URL", value: "https://user@example.com" },
            { name: "KEYCLOAK_REALM", value: "berth" },
        ];
        expect(hits("ECS.8", [taskDefinition("orders", [goodContainer("orders", { environment: env })])])).to.deep.equal([]);
    });
    it("F03: ECS.8 accepts credentials passed through ECS secrets", () => {
        expect(hits("ECS.8", [taskDefinition("orders", [goodContainer("orders", { environment: [], secrets: [{ name: "DATABASE_URL", valueFrom: SECRET_ARN }] })])])).to.deep.equal([]);
    });
    it("classifies secret names and values (table)", () => {
        expect(["API_KEY", "apiKey", "CLIENT_SECRET", "SECRET_KEY_BASE", "DB_PASSWD", "AUTH_TOKEN"].filter((n) => !isSecretName(n))).to.deep.equal([]);
        expect(["PORT", "SECRET_ARN", "TOKEN_ENDPOINT", "NODE_ENV", "LOG_LEVEL", "KEY_PREFIX"].filter(isSecretName)).to.deep.equal([]);
        expect(secretValueKind("AKIAIOSFODNN7EXAMPLE")).to.equal("an AWS access key id");
        expect(secretValueKind("https://example.com/path?q=1")).to.equal(undefined);
    });

    it("ECS.9: fires on a container without logConfiguration, and on awslogs without a group", () => {
        const td = taskDefinition("orders", [goodContainer("orders", { logConfiguration: undefined }), goodContainer("sidecar", { logConfiguration: { logDriver: "awslogs", options: {} } })]);
        expect(hits("ECS.9", [td])).to.deep.equal([["ECS.9", td.urn], ["ECS.9", td.urn]]);
    });
    it("ECS.9: stays quiet when every container logs", () => {
        const firelens = goodContainer("sidecar", { logConfiguration: { logDriver: "awsfirelens" } });
        expect(hits("ECS.9", [taskDefinition("orders", [goodContainer(), firelens])])).to.deep.equal([]);
    });

    it("ECS.12: fires on a cluster without Container Insights", () => {
        const cluster = res("aws:ecs/cluster:Cluster", "cluster", { name: "berth-test-cluster", settings: [{ name: "containerInsights", value: "disabled" }] });
        const bare = res("aws:ecs/cluster:Cluster", "bare", { name: "berth-test-bare" });
        expect(hits("ECS.12", [cluster, bare])).to.deep.equal([["ECS.12", cluster.urn], ["ECS.12", bare.urn]]);
    });
    it("ECS.12: stays quiet with containerInsights enabled or enhanced", () => {
        const a = res("aws:ecs/cluster:Cluster", "a", { name: "a", settings: [{ name: "containerInsights", value: "enabled" }] });
        const b = res("aws:ecs/cluster:Cluster", "b", { name: "b", settings: [{ name: "containerInsights", value: "enhanced" }] });
        expect(hits("ECS.12", [a, b])).to.deep.equal([]);
    });

    it("F13: BERTH.CIRCUIT-BREAKER fires on a service without enable+rollback", () => {
        const none = ecsService("orders", { deploymentCircuitBreaker: undefined });
        const noRollback = ecsService("payments", { deploymentCircuitBreaker: { enable: true, rollback: false } });
        expect(hits("BERTH.CIRCUIT-BREAKER", [none, noRollback])).to.deep.equal([["BERTH.CIRCUIT-BREAKER", none.urn], ["BERTH.CIRCUIT-BREAKER", noRollback.urn]]);
    });
    it("F13: BERTH.CIRCUIT-BREAKER stays quiet with enable+rollback, and skips non-ECS deployment controllers", () => {
        const codeDeploy = ecsService("bluegreen", { deploymentCircuitBreaker: undefined, deploymentController: { type: "CODE_DEPLOY" } });
        expect(hits("BERTH.CIRCUIT-BREAKER", [ecsService("orders"), codeDeploy])).to.deep.equal([]);
    });
});

describe("policy: ECR", () => {
    it("ECR.1: fires on a repository without scan on push", () => {
        const repo = repository({ imageScanningConfiguration: { scanOnPush: false } });
        expect(hits("ECR.1", [repo])).to.deep.equal([["ECR.1", repo.urn]]);
    });
    it("ECR.1: stays quiet with scanOnPush, or with registry-wide enhanced scanning", () => {
        expect(hits("ECR.1", [repository()])).to.deep.equal([]);
        const registry = res("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "scanning", { scanType: "ENHANCED" });
        expect(hits("ECR.1", [repository({ imageScanningConfiguration: undefined }), registry])).to.deep.equal([]);
    });

    it("F06: ECR.2 fires on mutable tags (and on the exclusion variant that lets `latest` move)", () => {
        const mutable = repository({ imageTagMutability: "MUTABLE" });
        const unset = res("aws:ecr/repository:Repository", "unset", { name: "berth/test/unset" });
        const excluded = res("aws:ecr/repository:Repository", "excluded", { name: "berth/test/excluded", imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" });
        expect(hits("ECR.2", [mutable, unset, excluded])).to.deep.equal([["ECR.2", mutable.urn], ["ECR.2", unset.urn], ["ECR.2", excluded.urn]]);
    });
    it("F06: ECR.2 stays quiet on IMMUTABLE repositories", () => {
        expect(hits("ECR.2", [repository()])).to.deep.equal([]);
    });

    it("F06: ECR.3 fires on a repository whose lifecycle policy targets another repository", () => {
        const repo = repository();
        expect(hits("ECR.3", [repo, lifecyclePolicy("berth/test/payments")])).to.deep.equal([["ECR.3", repo.urn]]);
    });
    it("F06: ECR.3 stays quiet when the lifecycle policy names the repository", () => {
        expect(hits("ECR.3", [repository(), lifecyclePolicy()])).to.deep.equal([]);
    });
});

describe("policy: RDS", () => {
    it("RDS.2: fires on a publicly accessible instance", () => {
        const db = dbInstance({ publiclyAccessible: true });
        expect(hits("RDS.2", [db])).to.deep.equal([["RDS.2", db.urn]]);
    });
    it("RDS.2: stays quiet on a private instance", () => {
        expect(hits("RDS.2", [dbInstance()])).to.deep.equal([]);
    });

    it("RDS.3: fires on unencrypted storage", () => {
        const db = dbInstance({ storageEncrypted: undefined });
        expect(hits("RDS.3", [db])).to.deep.equal([["RDS.3", db.urn]]);
    });
    it("RDS.3: stays quiet on encrypted storage and on read replicas (they inherit it)", () => {
        const replica = res("aws:rds/instance:Instance", "replica", { identifier: "berth-test-db-replica", replicateSourceDb: "berth-test-db", instanceClass: "db.t4g.medium" });
        expect(hits("RDS.3", [dbInstance(), replica])).to.deep.equal([]);
    });

    it("RDS.5: fires on a single-AZ instance in prod", () => {
        const db = dbInstance({ multiAz: false });
        expect(hits("RDS.5", [db], "prod")).to.deep.equal([["RDS.5", db.urn]]);
    });
    it("RDS.5: stays quiet on a Multi-AZ instance", () => {
        expect(hits("RDS.5", [dbInstance()], "prod")).to.deep.equal([]);
    });

    it("F16: RDS.8 fires on a prod instance without deletion protection", () => {
        const db = dbInstance({ deletionProtection: false });
        expect(hits("RDS.8", [db])).to.deep.equal([["RDS.8", db.urn]]);
        expect(RULES.find((r) => r.id === "RDS.8")!.profiles).to.deep.equal(["prod"]);
    });
    it("F16: RDS.8 stays quiet with deletion protection", () => {
        expect(hits("RDS.8", [dbInstance()])).to.deep.equal([]);
    });

    it("RDS.9: fires on a PostgreSQL instance that does not export the postgresql log", () => {
        const db = dbInstance({ enabledCloudwatchLogsExports: ["upgrade"] });
        const none = res("aws:rds/instance:Instance", "other", { identifier: "berth-test-other", engine: "postgres" });
        expect(hits("RDS.9", [db, none])).to.deep.equal([["RDS.9", db.urn], ["RDS.9", none.urn]]);
    });
    it("RDS.9: stays quiet when postgresql logs are exported", () => {
        expect(hits("RDS.9", [dbInstance({ enabledCloudwatchLogsExports: ["postgresql"] })])).to.deep.equal([]);
    });

    it("RDS.13: fires when automatic minor version upgrades are turned off", () => {
        const db = dbInstance({ autoMinorVersionUpgrade: false });
        expect(hits("RDS.13", [db])).to.deep.equal([["RDS.13", db.urn]]);
    });
    it("RDS.13: stays quiet when set or left at the AWS default (true)", () => {
        expect(hits("RDS.13", [dbInstance(), dbInstance({ autoMinorVersionUpgrade: true })])).to.deep.equal([]);
    });

    it("F03: BERTH.RDS-PASSWORD fires on a password input and on a password RDS does not manage", () => {
        const db = dbInstance({ password: "from-config", manageMasterUserPassword: undefined });
        expect(hits("BERTH.RDS-PASSWORD", [db])).to.deep.equal([["BERTH.RDS-PASSWORD", db.urn], ["BERTH.RDS-PASSWORD", db.urn]]);
        expect(messages("BERTH.RDS-PASSWORD", [db]).join("\n")).not.to.contain("from-config");
    });
    it("F03: BERTH.RDS-PASSWORD stays quiet with manageMasterUserPassword and no password", () => {
        expect(hits("BERTH.RDS-PASSWORD", [dbInstance()])).to.deep.equal([]);
    });

    it("BERTH.RDS-FORCE-SSL: fires when the parameter group sets rds.force_ssl = 0, or PostgreSQL < 15 keeps its default", () => {
        const db = dbInstance();
        expect(hits("BERTH.RDS-FORCE-SSL", [db, parameterGroup("0")])).to.deep.equal([["BERTH.RDS-FORCE-SSL", db.urn]]);
        const old = dbInstance({ engineVersion: "14.12", parameterGroupName: undefined });
        expect(hits("BERTH.RDS-FORCE-SSL", [old])).to.deep.equal([["BERTH.RDS-FORCE-SSL", old.urn]]);
    });
    it("BERTH.RDS-FORCE-SSL: fires when the parameter group is not in the stack (cannot be verified)", () => {
        const db = dbInstance({ parameterGroupName: "someone-elses" });
        expect(hits("BERTH.RDS-FORCE-SSL", [db])).to.deep.equal([["BERTH.RDS-FORCE-SSL", db.urn]]);
    });
    it("BERTH.RDS-FORCE-SSL: stays quiet with rds.force_ssl = 1, or the PostgreSQL 15+ default", () => {
        expect(hits("BERTH.RDS-FORCE-SSL", [dbInstance(), parameterGroup("1")])).to.deep.equal([]);
        expect(hits("BERTH.RDS-FORCE-SSL", [dbInstance({ parameterGroupName: undefined })])).to.deep.equal([]);
    });

    it("F03: BERTH.DB-MASTER-SECRET fires on a service task definition that reads the master secret, by its RDS name or the instance's state", () => {
        const byName = taskDefinition("orders", [goodContainer("orders", { secrets: [{ name: "DB_PASSWORD", valueFrom: `${SECRET_ARN}:password::` }] })]);
        const ownArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:imported-master-AbCdEf";
        const db = dbInstance({}, { state: { masterUserSecrets: [{ secretArn: ownArn }] } });
        const byState = taskDefinition("billing", [goodContainer("billing", { secrets: [{ name: "DB_USERNAME", valueFrom: `${ownArn}:username::` }] })]);
        expect(hits("BERTH.DB-MASTER-SECRET", [db, byName, byState])).to.deep.equal([["BERTH.DB-MASTER-SECRET", byName.urn], ["BERTH.DB-MASTER-SECRET", byState.urn]]);
        expect(messages("BERTH.DB-MASTER-SECRET", [byName])).to.deep.equal([
            'task definition "berth-test-orders" container "orders" reads the database master secret into DB_PASSWORD; a service connects as its own role with IAM authentication, and only the migration uses the master credentials',
        ]);
    });
    it("F03: BERTH.DB-MASTER-SECRET stays quiet on the migration's task definition and on services' own secrets", () => {
        const migrate = taskDefinition("migrate", [goodContainer("migrate", { secrets: [{ name: "DB_PASSWORD", valueFrom: `${SECRET_ARN}:password::` }] })], { "berth:purpose": "migration" });
        expect(hits("BERTH.DB-MASTER-SECRET", [dbInstance(), migrate, taskDefinition("orders", [goodContainer("orders")])])).to.deep.equal([]);
    });
});

describe("policy: load balancer", () => {
    it("ELB.1: fires on an HTTP listener that forwards while the load balancer serves HTTPS", () => {
        const http = httpListener([{ type: "forward", targetGroupArn: "arn:tg" }]);
        expect(hits("ELB.1", [loadBalancer(), httpsListener(), http])).to.deep.equal([["ELB.1", http.urn]]);
    });
    it("ELB.1: fires on a redirect that keeps port 80 (#{port}) instead of the HTTPS port", () => {
        const http = httpListener([{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }]);
        expect(hits("ELB.1", [loadBalancer(), httpsListener(), http])).to.deep.equal([["ELB.1", http.urn]]);
    });
    it("ELB.1: fires on a listener rule that serves plain HTTP on the redirecting listener", () => {
        const rule = res("aws:lb/listenerRule:ListenerRule", "orders-http-rule", { listenerArn: `${LB_ARN}/http`, priority: 10, actions: [{ type: "forward", targetGroupArn: "arn:tg" }] });
        expect(hits("ELB.1", [loadBalancer(), httpsListener(), httpListener(), rule])).to.deep.equal([["ELB.1", rule.urn]]);
    });
    it("ELB.1: stays quiet when HTTP redirects to 443, and on HTTP-only load balancers (no HTTPS to redirect to)", () => {
        expect(hits("ELB.1", [loadBalancer(), httpsListener(), httpListener(REDIRECT_TO_HTTPS)])).to.deep.equal([]);
        expect(hits("ELB.1", [loadBalancer(), httpListener([{ type: "forward", targetGroupArn: "arn:tg" }])])).to.deep.equal([]);
    });

    it("BERTH.ALB-HTTPS: fires on an internet-facing production load balancer without an HTTPS listener", () => {
        const lb = loadBalancer();
        expect(hits("BERTH.ALB-HTTPS", [lb, httpListener([{ type: "forward", targetGroupArn: "arn:tg" }])])).to.deep.equal([["BERTH.ALB-HTTPS", lb.urn]]);
        expect(evaluatePolicies([lb], { environment: "dev" }).findings.map((f) => f.rule)).not.to.include("BERTH.ALB-HTTPS");
    });
    it("BERTH.ALB-HTTPS: stays quiet with an HTTPS listener, and on internal load balancers", () => {
        expect(hits("BERTH.ALB-HTTPS", [loadBalancer(), httpsListener()])).to.deep.equal([]);
        expect(hits("BERTH.ALB-HTTPS", [loadBalancer({ internal: true })])).to.deep.equal([]);
    });

    it("ELB.17: fires on an HTTPS listener with an old or default TLS policy", () => {
        const old = httpsListener({ sslPolicy: "ELBSecurityPolicy-2016-08" });
        expect(hits("ELB.17", [loadBalancer(), old])).to.deep.equal([["ELB.17", old.urn]]);
        const unset = httpsListener({ sslPolicy: undefined });
        expect(hits("ELB.17", [loadBalancer(), unset])).to.deep.equal([["ELB.17", unset.urn]]);
    });
    it("ELB.17: stays quiet on TLS 1.3 policies with a TLS 1.2 minimum", () => {
        for (const sslPolicy of ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"]) {
            expect(hits("ELB.17", [loadBalancer(), httpsListener({ sslPolicy })]), sslPolicy).to.deep.equal([]);
        }
    });

    it("ELB.4: fires when invalid headers are not dropped", () => {
        const lb = loadBalancer({ dropInvalidHeaderFields: false });
        expect(hits("ELB.4", [lb])).to.deep.equal([["ELB.4", lb.urn]]);
    });
    it("ELB.4: stays quiet with dropInvalidHeaderFields", () => {
        expect(hits("ELB.4", [loadBalancer()])).to.deep.equal([]);
    });

    it("ELB.5: fires without access logs in staging and prod, and is not evaluated in dev", () => {
        const lb = loadBalancer({ accessLogs: { bucket: BUCKET, enabled: false } });
        expect(hits("ELB.5", [lb], "staging")).to.deep.equal([["ELB.5", lb.urn]]);
        expect(evaluatePolicies([lb], { environment: "dev" }).findings.map((f) => f.rule)).not.to.include("ELB.5");
    });
    it("ELB.5: stays quiet with access logs enabled to a bucket", () => {
        expect(hits("ELB.5", [loadBalancer()], "staging")).to.deep.equal([]);
    });

    it("F16: ELB.6 fires on a production load balancer without deletion protection", () => {
        const lb = loadBalancer({ enableDeletionProtection: false });
        expect(hits("ELB.6", [lb])).to.deep.equal([["ELB.6", lb.urn]]);
    });
    it("F16: ELB.6 stays quiet with deletion protection", () => {
        expect(hits("ELB.6", [loadBalancer()])).to.deep.equal([]);
    });

    it("ELB.12: fires on desync mitigation mode monitor", () => {
        const lb = loadBalancer({ desyncMitigationMode: "monitor" });
        expect(hits("ELB.12", [lb])).to.deep.equal([["ELB.12", lb.urn]]);
    });
    it("ELB.12: stays quiet on defensive, strictest or the default", () => {
        expect(hits("ELB.12", [loadBalancer(), loadBalancer({ desyncMitigationMode: "strictest" }), loadBalancer({ desyncMitigationMode: undefined })])).to.deep.equal([]);
    });
});

describe("policy: S3", () => {
    it("S3.8: fires on a bucket without a public access block, and on a block that leaves a switch off", () => {
        const b = bucket();
        expect(hits("S3.8", [b])).to.deep.equal([["S3.8", b.urn]]);
        const weak = publicAccessBlock(BUCKET, { restrictPublicBuckets: false });
        expect(hits("S3.8", [b, weak])).to.deep.equal([["S3.8", weak.urn]]);
        expect(messages("S3.8", [b, weak])[0]).to.contain("restrictPublicBuckets");
    });
    it("S3.8: fires when the block belongs to another bucket", () => {
        const b = bucket();
        expect(hits("S3.8", [b, publicAccessBlock("berth-test-other")])).to.deep.equal([["S3.8", b.urn]]);
    });
    it("S3.8: stays quiet with all four switches on (bucket or account level, S3.1)", () => {
        expect(hits("S3.8", [bucket(), publicAccessBlock()])).to.deep.equal([]);
        const account = res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(hits("S3.8", [bucket(), account])).to.deep.equal([]);
    });

    it("S3.5: fires without a TLS-only statement, and on one that misses the objects", () => {
        const b = bucket();
        expect(hits("S3.5", [b])).to.deep.equal([["S3.5", b.urn]]);
        const bucketOnly = { ...tlsOnlyStatement(), Resource: `arn:aws:s3:::${BUCKET}` };
        expect(hits("S3.5", [b, bucketPolicy([bucketOnly])])).to.deep.equal([["S3.5", b.urn]]);
        const allow = { ...tlsOnlyStatement(), Effect: "Allow" };
        expect(hits("S3.5", [b, bucketPolicy([allow])])).to.deep.equal([["S3.5", b.urn]]);
    });
    it("S3.5: stays quiet with a Deny on aws:SecureTransport false over the bucket and its objects", () => {
        expect(hits("S3.5", [bucket(), bucketPolicy([tlsOnlyStatement()])])).to.deep.equal([]);
        const wildcard = { ...tlsOnlyStatement(), Principal: { AWS: "*" }, Resource: `arn:aws:s3:::${BUCKET}*`, Condition: { Bool: { "aws:SecureTransport": false } } };
        expect(hits("S3.5", [bucket(), bucketPolicy([wildcard])])).to.deep.equal([]);
    });
});

describe("policy: network", () => {
    it("EC2.6: fires on a VPC without flow logs in staging and prod, and is not evaluated in dev", () => {
        const v = vpc();
        expect(hits("EC2.6", [v], "staging")).to.deep.equal([["EC2.6", v.urn]]);
        expect(hits("EC2.6", [v, flowLog({ vpcId: "vpc-other" })], "prod")).to.deep.equal([["EC2.6", v.urn]]);
        expect(evaluatePolicies([v], { environment: "dev" }).findings).to.deep.equal([]);
    });
    it("EC2.6: stays quiet with a flow log on the VPC", () => {
        expect(hits("EC2.6", [vpc(), flowLog()], "prod")).to.deep.equal([]);
        expect(hits("EC2.6", [vpc(), flowLog({ trafficType: "REJECT" })], "prod")).to.deep.equal([]);
    });

    it("BERTH.SG-OPEN: fires on internet ingress to a non-load-balancer group", () => {
        const rule = ingressRule("db-in-world", { securityGroupId: "sg-db", cidrIpv4: "0.0.0.0/0", fromPort: 5432, toPort: 5432 });
        expect(hits("BERTH.SG-OPEN", [loadBalancer(), rule])).to.deep.equal([["BERTH.SG-OPEN", rule.urn]]);
    });
    it("BERTH.SG-OPEN: fires on the load balancer's group when the port is not 80/443 or the protocol is all", () => {
        const wide = ingressRule("alb-in-range", { securityGroupId: "sg-alb", cidrIpv6: "::/0", fromPort: 80, toPort: 443 });
        const all = ingressRule("alb-in-all", { securityGroupId: "sg-alb", cidrIpv4: "0.0.0.0/0", ipProtocol: "-1" });
        expect(hits("BERTH.SG-OPEN", [loadBalancer(), wide, all])).to.deep.equal([["BERTH.SG-OPEN", wide.urn], ["BERTH.SG-OPEN", all.urn]]);
    });
    it("BERTH.SG-OPEN: fires on inline and legacy rule shapes too", () => {
        const inline = res(
            "aws:ec2/securityGroup:SecurityGroup",
            "svc-sg",
            { name: "berth-test-orders", ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
            { state: { arn: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-svc" } },
        );
        const legacy = res("aws:ec2/securityGroupRule:SecurityGroupRule", "svc-legacy", { type: "ingress", securityGroupId: "sg-svc", protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["0.0.0.0/0"] });
        expect(hits("BERTH.SG-OPEN", [loadBalancer(), inline, legacy])).to.deep.equal([["BERTH.SG-OPEN", legacy.urn], ["BERTH.SG-OPEN", inline.urn]]);
    });
    it("BERTH.SG-OPEN: stays quiet on the load balancer's group on 80/443 and on VPC or group-referenced ingress", () => {
        const rules = [
            ingressRule("alb-in-http", { securityGroupId: "sg-alb", cidrIpv4: "0.0.0.0/0", fromPort: 80, toPort: 80 }),
            ingressRule("alb-in-https", { securityGroupId: "sg-alb", cidrIpv6: "::/0", fromPort: 443, toPort: 443 }),
            ingressRule("svc-in-alb", { securityGroupId: "sg-svc", referencedSecurityGroupId: "sg-alb", fromPort: 8080, toPort: 8080 }),
            ingressRule("endpoints-in-vpc", { securityGroupId: "sg-endpoints", cidrIpv4: "10.0.0.0/16", fromPort: 443, toPort: 443 }),
        ];
        expect(hits("BERTH.SG-OPEN", [loadBalancer(), ...rules])).to.deep.equal([]);
    });
});

describe("policy: IAM", () => {
    it("IAM.1: fires on Allow * on *, and on an AdministratorAccess attachment", () => {
        const admin = rolePolicy("admin", [{ Effect: "Allow", Action: ["*"], Resource: "*" }]);
        const attach = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin-attach", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
        expect(hits("IAM.1", [admin, attach])).to.deep.equal([["IAM.1", admin.urn], ["IAM.1", attach.urn]]);
    });
    it("IAM.1: fires on a standalone policy and a role's inline policy", () => {
        const policy = res("aws:iam/policy:Policy", "p", { name: "p", policy: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } } });
        const role = res("aws:iam/role:Role", "r", { name: "r", inlinePolicies: [{ name: "all", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: ["*"] }] }) }] });
        expect(hits("IAM.1", [policy, role])).to.deep.equal([["IAM.1", policy.urn], ["IAM.1", role.urn]]);
    });
    it("IAM.1: stays quiet on scoped policies, Deny statements and * on specific resources", () => {
        const ok = rolePolicy("ok", [
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bucket/*" },
        ]);
        expect(hits("IAM.1", [ok])).to.deep.equal([]);
    });

    it("BERTH.IAM-SERVICE-WILDCARD: fires on service:* on *", () => {
        const wide = rolePolicy("wide", [{ Effect: "Allow", Action: ["s3:*", "logs:CreateLogStream"], Resource: "*" }]);
        expect(hits("BERTH.IAM-SERVICE-WILDCARD", [wide])).to.deep.equal([["BERTH.IAM-SERVICE-WILDCARD", wide.urn]]);
        expect(messages("BERTH.IAM-SERVICE-WILDCARD", [wide])[0]).to.contain("s3:*");
    });
    it("BERTH.IAM-SERVICE-WILDCARD: stays quiet on service:* scoped to resources and on named actions", () => {
        const ok = rolePolicy("ok", [
            { Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"] },
            { Effect: "Allow", Action: "s3:Get*", Resource: "*" },
        ]);
        expect(hits("BERTH.IAM-SERVICE-WILDCARD", [ok])).to.deep.equal([]);
    });
});

describe("policy: names, data protection, logs", () => {
    it("F04: BERTH.NAMES fires on names AWS would reject", () => {
        const bad = [
            res("aws:rds/instance:Instance", "db", { identifier: "TikTimer-dev-db" }),
            res("aws:s3/bucket:Bucket", "b", { bucket: "Berth_Logs" }),
            res("aws:lb/loadBalancer:LoadBalancer", "alb", { name: "internal-berth-alb" }),
            res("aws:lb/targetGroup:TargetGroup", "tg", { name: "x".repeat(33) }),
            res("aws:ecs/cluster:Cluster", "c", { name: "TikTimer-dev-cluster" }),
            res("aws:ecr/repository:Repository", "r", { name: "Berth/Orders" }),
            res("aws:iam/role:Role", "role", { name: "r".repeat(65) }),
            res("aws:cloudwatch/logGroup:LogGroup", "lg", { name: "/berth/dev/orders service" }),
            res("aws:ecs/taskDefinition:TaskDefinition", "td", { family: "berth.dev.orders" }),
        ];
        expect(hits("BERTH.NAMES", bad).map(([, urn]) => urn).sort()).to.deep.equal(bad.map((r) => r.urn).sort());
    });
    it("F04: BERTH.NAMES stays quiet on names from the naming module, and on auto-named resources", () => {
        const good = [
            res("aws:rds/instance:Instance", "db", { identifier: "berth-dev-db" }),
            res("aws:s3/bucket:Bucket", "b", { bucket: BUCKET }),
            res("aws:lb/loadBalancer:LoadBalancer", "alb", { name: "berth-dev-alb" }),
            res("aws:ecr/repository:Repository", "r", { name: "berth/dev/orders" }),
            res("aws:cloudwatch/logGroup:LogGroup", "lg", { name: "/berth/dev/orders" }),
            res("aws:iam/role:Role", "auto", {}),
        ];
        expect(hits("BERTH.NAMES", good)).to.deep.equal([]);
    });

    it("F16: BERTH.DATA-PROTECT fires on unprotected RDS instances and buckets in prod", () => {
        const db = dbInstance();
        const b = bucket();
        expect(hits("BERTH.DATA-PROTECT", [db, b])).to.deep.equal([["BERTH.DATA-PROTECT", db.urn], ["BERTH.DATA-PROTECT", b.urn]]);
        expect(evaluatePolicies([db, parameterGroup()], { environment: "staging" }).findings).to.deep.equal([]);
    });
    it("F16: BERTH.DATA-PROTECT stays quiet when they carry protect", () => {
        expect(hits("BERTH.DATA-PROTECT", [dbInstance({}, { protect: true }), bucket(BUCKET, { protect: true })])).to.deep.equal([]);
    });

    it("BERTH.LOG-RETENTION: fires on log groups that never expire", () => {
        const unset = logGroup("orders");
        const zero = logGroup("payments", 0);
        expect(hits("BERTH.LOG-RETENTION", [unset, zero])).to.deep.equal([["BERTH.LOG-RETENTION", unset.urn], ["BERTH.LOG-RETENTION", zero.urn]]);
    });
    it("BERTH.LOG-RETENTION: stays quiet when retentionInDays is set", () => {
        expect(hits("BERTH.LOG-RETENTION", [logGroup("orders", 30)])).to.deep.equal([]);
    });
});

describe("policy: rollouts", () => {
    const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth-test-orders/0123456789abcdef";
    const ALT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth-test-orders-alt/fedcba9876543210";
    const RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/berth-test-alb/0123456789abcdef/1111111111111111/2222222222222222";
    const TEST_RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/berth-test-alb/0123456789abcdef/1111111111111111/3333333333333333";
    const ROLE_ARN = "arn:aws:iam::123456789012:role/berth-test-orders-lb";
    const alarms = { alarmNames: ["berth-test-orders-unhealthyhostcount", "berth-test-orders-httpcode-target-5xx-count"], enable: true, rollback: true };
    const pause = (action?: string, stage = "POST_TEST_TRAFFIC_SHIFT") => ({ targetType: "PAUSE", lifecycleStages: [stage], timeoutConfiguration: { timeoutInMinutes: "30", ...(action ? { action } : {}) } });
    const routed = (extra: Record<string, unknown> = {}) => ecsService("orders", { loadBalancers: [{ targetGroupArn: TG, containerName: "orders", containerPort: 8080 }], alarms, ...extra });
    const blueGreen = (hooks: unknown[], roleArn = ROLE_ARN) =>
        routed({
            loadBalancers: [{ targetGroupArn: TG, containerName: "orders", containerPort: 8080, advancedConfiguration: { alternateTargetGroupArn: ALT, productionListenerRule: RULE, testListenerRule: TEST_RULE, roleArn } }],
            deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "5", lifecycleHooks: hooks },
        });
    const lbRole = (inputs: Record<string, unknown> = {}) => res("aws:iam/role:Role", "lb-role", { name: "berth-test-orders-lb", ...inputs }, { state: { arn: ROLE_ARN } });
    const lbPolicy = (statements: unknown[]) => res("aws:iam/rolePolicy:RolePolicy", "lb-policy", { role: "berth-test-orders-lb", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
    const scoped = [
        { Effect: "Allow", Action: ["elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups"], Resource: "*" },
        { Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: [TG, ALT] },
        { Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: [RULE, TEST_RULE] },
    ];

    it("F13: BERTH.DEPLOYMENT-ALARMS fires on a routed service without alarms, with alarms off, or without rollback", () => {
        const none = routed({ alarms: undefined });
        const off = routed({ alarms: { ...alarms, enable: false } });
        const noRollback = routed({ alarms: { ...alarms, rollback: false } });
        const empty = routed({ alarms: { ...alarms, alarmNames: [] } });
        expect(hits("BERTH.DEPLOYMENT-ALARMS", [none, off, noRollback, empty]).map((h) => h[1])).to.deep.equal([none.urn, off.urn, noRollback.urn, empty.urn]);
        expect(messages("BERTH.DEPLOYMENT-ALARMS", [none])).to.deep.equal(['service "orders" is behind the load balancer without deployment alarms { alarmNames, enable: true, rollback: true }: a release that answers 5xx keeps running']);
    });
    it("F13: BERTH.DEPLOYMENT-ALARMS stays quiet on routed services with alarms and on unrouted services without", () => {
        expect(hits("BERTH.DEPLOYMENT-ALARMS", [routed(), ecsService("worker")])).to.deep.equal([]);
    });

    it("BERTH.TEST-BEFORE-PRODUCTION fires on blue/green without a test pause, and on a pause that times out to CONTINUE", () => {
        const noPause = blueGreen([]);
        const wrongStage = blueGreen([pause(undefined, "POST_PRODUCTION_TRAFFIC_SHIFT")]);
        const continues = blueGreen([pause("CONTINUE")]);
        expect(messages("BERTH.TEST-BEFORE-PRODUCTION", [noPause, wrongStage, continues])).to.deep.equal([
            'service "orders" deploys BLUE_GREEN without a PAUSE hook at POST_TEST_TRAFFIC_SHIFT: production traffic moves before anyone tested green',
            'service "orders" deploys BLUE_GREEN without a PAUSE hook at POST_TEST_TRAFFIC_SHIFT: production traffic moves before anyone tested green',
            'service "orders" has a PAUSE hook at POST_TEST_TRAFFIC_SHIFT that times out to CONTINUE: a lost driver would release green untested; use ROLLBACK',
        ]);
    });
    it("BERTH.TEST-BEFORE-PRODUCTION stays quiet on ROLLBACK pauses (stated or ECS's default) and on rolling services", () => {
        expect(hits("BERTH.TEST-BEFORE-PRODUCTION", [blueGreen([pause("ROLLBACK"), pause(undefined, "POST_PRODUCTION_TRAFFIC_SHIFT")]), routed({ deploymentConfiguration: { strategy: "ROLLING" } }), routed()])).to.deep.equal([]);
    });

    it("BERTH.TRAFFIC-ROLE-SCOPE fires on the managed load-balancer policy and on wildcard rule or target-group resources", () => {
        const managed = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers";
        const role = lbRole({ managedPolicyArns: [managed] });
        const attachment = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lb-managed", { role: "berth-test-orders-lb", policyArn: managed });
        const wide = lbPolicy([...scoped.slice(0, 2), { Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*/*" }]);
        expect(messages("BERTH.TRAFFIC-ROLE-SCOPE", [blueGreen([pause()]), role, attachment, wide])).to.deep.equal([
            'role "berth-test-orders-lb" carries AmazonECSInfrastructureRolePolicyForLoadBalancers, which may rewrite every listener rule and target group in the account; grant ModifyRule and Register/DeregisterTargets on the service\'s own ARNs',
            '"lb-managed" attaches AmazonECSInfrastructureRolePolicyForLoadBalancers to role "berth-test-orders-lb": scope ModifyRule and Register/DeregisterTargets to the service\'s own ARNs instead',
            'policy of role "berth-test-orders-lb" allows elasticloadbalancing:ModifyRule on a wildcard resource: name the service\'s own listener rules and target groups',
        ]);
    });
    it("BERTH.TRAFFIC-ROLE-SCOPE stays quiet on a role scoped to the service's ARNs, and on roles ECS does not shift traffic with", () => {
        const other = res("aws:iam/role:Role", "task-role", { name: "berth-test-orders-task", managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"] }, { state: { arn: "arn:aws:iam::123456789012:role/berth-test-orders-task" } });
        expect(hits("BERTH.TRAFFIC-ROLE-SCOPE", [blueGreen([pause()]), lbRole(), lbPolicy(scoped), other])).to.deep.equal([]);
    });
});

// Last in the file on purpose: it reads what the tests above recorded.
describe("policy: every rule is tested both ways", () => {
    it("has a test where each rule in RULES fires and one where it stays quiet (the list comes from RULES itself)", () => {
        const missing = RULES.flatMap((r) => {
            const e = seen.get(r.id);
            return [...(e?.fired ? [] : [`${r.id} never fires`]), ...(e?.quiet ? [] : [`${r.id} is never quiet`])];
        });
        expect(missing).to.deep.equal([]);
    });
});
