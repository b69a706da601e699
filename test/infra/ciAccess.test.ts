import { expect } from "chai";
import { evaluatePolicies } from "../../infra/policy";
import { deployPolicy } from "../../infra/components/ciAccess";
import { MAX_PREFIX, Naming } from "../../infra/naming";
import { synthesize } from "../../infra/synth/synthesize";
import { baseConfig, ofType, one, PROJECT_DIR, synth, T, toRuntime } from "../helpers/synth";

describe("CI access by OIDC (F18)", () => {
    it("F18: creates the GitHub OIDC provider, a deploy role for the configured branches and a preview role for pull requests", async () => {
        const s = await synth(baseConfig({ "berth:ci": { githubRepository: "acme/shop", branches: ["main", "release/*"] } }));
        const provider = ofType(s, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        expect(provider.map((p) => [p.inputs.url, p.inputs.clientIdLists])).to.deep.equal([["https://token.actions.githubusercontent.com", ["sts.amazonaws.com"]]]);
        const trust = (name: string) => JSON.parse(String(one(s, T.role, name).inputs.assumeRolePolicy)).Statement[0];
        expect(trust("ci-deploy").Condition).to.deep.equal({
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/shop:ref:refs/heads/main", "repo:acme/shop:ref:refs/heads/release/*"] },
        });
        expect(trust("ci-preview").Condition.StringLike).to.deep.equal({ "token.actions.githubusercontent.com:sub": ["repo:acme/shop:pull_request"] });
        // promotion jobs gated by a GitHub environment present `environment:<name>` as their subject
        const gated = await synth(baseConfig({ "berth:ci": { githubRepository: "acme/shop", environments: ["prod"] } }));
        const gatedTrust = JSON.parse(String(one(gated, T.role, "ci-deploy").inputs.assumeRolePolicy)).Statement[0];
        expect(gatedTrust.Condition.StringLike).to.deep.equal({ "token.actions.githubusercontent.com:sub": ["repo:acme/shop:ref:refs/heads/main", "repo:acme/shop:environment:prod"] });
        expect(trust("ci-deploy").Principal.Federated).to.equal(provider[0].state.arn);
        expect((s.outputs as any).ci).to.deep.equal({ deployRoleArn: "arn:aws:iam::123456789012:role/berth-dev-ci-deploy", previewRoleArn: "arn:aws:iam::123456789012:role/berth-dev-ci-preview" });
    });

    it("berth:ci.promoteFrom: the deploy role may read the source stack's release parameters and pull (never push) its images; nothing without it", () => {
        const n = new Naming("berth", "prod");
        type Statement = { Sid: string; Action: string[]; Resource: string[] };
        const of = (sources?: string[]) => (deployPolicy(n, "eu-west-1", "123456789012", sources) as unknown as { Statement: Statement[] }).Statement.filter((x) => x.Sid.startsWith("Promotion"));
        expect(of()).to.deep.equal([]);
        expect(of(["staging"])).to.deep.equal([
            { Sid: "PromotionSourceReleases", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParametersByPath"], Resource: ["arn:aws:ssm:eu-west-1:123456789012:parameter/berth/staging", "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/staging/*"] },
            { Sid: "PromotionSourceImages", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"], Resource: ["arn:aws:ecr:eu-west-1:123456789012:repository/berth/staging/*"] },
        ]);
    });

    it("the deploy role reaches only this stack's named resources where AWS allows it, and passes only berth roles to ECS and flow logs", async () => {
        const s = await synth(baseConfig({ "berth:ci": { githubRepository: "acme/shop" } }));
        const statements = JSON.parse(String(one(s, T.rolePolicy, "ci-deploy-policy").inputs.policy)).Statement as { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
        const bySid = Object.fromEntries(statements.map((x) => [x.Sid, x]));
        expect(bySid.Ecr.Resource).to.equal("arn:aws:ecr:eu-west-1:123456789012:repository/berth/dev/*");
        expect(bySid.Roles.Resource).to.equal("arn:aws:iam::123456789012:role/berth-dev-*");
        expect(bySid.PassRoles.Condition).to.deep.equal({ StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"] } });
        expect(bySid.ReleasedImageSet.Resource).to.deep.equal(["arn:aws:ssm:eu-west-1:123456789012:parameter/berth/dev", "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/dev/*"]);
        for (const st of statements.filter((x) => x.Resource === "*")) {
            expect([st.Sid, [st.Action].flat().some((a) => /^[a-z0-9-]+:\*$/.test(a))]).to.deep.equal([st.Sid, false]);
        }
        expect([statements.find((x) => [x.Action].flat().includes("ec2:RunInstances"))]).to.deep.equal([undefined]);
    });

    it("the preview role changes nothing: it only reads the account, AZs and the released image set", async () => {
        const s = await synth(baseConfig({ "berth:ci": { githubRepository: "acme/shop" } }));
        const actions = JSON.parse(String(one(s, T.rolePolicy, "ci-preview-policy").inputs.policy)).Statement.flatMap((x: { Action: string[] }) => x.Action);
        expect(actions.sort()).to.deep.equal(["ec2:DescribeAvailabilityZones", "elasticloadbalancing:DescribeAccountLimits", "ssm:GetParameter", "ssm:GetParametersByPath", "sts:GetCallerIdentity"]);
    });

    it("reuses an existing OIDC provider when asked, and stays free of policy findings", async () => {
        const s = await synth(baseConfig({ "berth:environment": "prod", "berth:loadBalancer": { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" }, "berth:ci": { githubRepository: "acme/shop", createOidcProvider: false } }), undefined, "prod");
        expect(ofType(s, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.have.length(0);
        expect(JSON.parse(String(one(s, T.role, "ci-deploy").inputs.assumeRolePolicy)).Statement[0].Principal.Federated).to.equal("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
        expect(evaluatePolicies(s.resources, { environment: "prod" }).findings).to.deep.equal([]);
    });

    it("rejects a repository that is not owner/name", async () => {
        let message = "";
        await synth(baseConfig({ "berth:ci": { githubRepository: "shop" } })).catch((e: Error) => (message = e.message));
        expect(message).to.equal('berth configuration has 1 problem:\n  1. berth:ci.githubRepository: must be "owner/repository" as on GitHub');
    });
});

type Statement = { Sid: string; Resource: string | string[] };

/** IAM's resource matching: `*` any run of characters, `?` one character, everything else literal. */
function iamMatches(pattern: string, arn: string): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`).test(arn);
}

function resourcesOf(statements: Statement[], sid: string): string[] {
    return [statements.find((s) => s.Sid === sid)!.Resource].flat();
}

/** Every ARN the deploy role must manage, by the statement that must cover it, for the names a stack gets. */
function managedArns(n: Naming, services: string[], region: string, account: string): [string, string][] {
    const roles = [...services.flatMap((svc) => [n.role(`${svc}-exec`), n.role(`${svc}-task`)]), n.role("migrate-exec"), n.role("flow-logs"), n.role("ci-deploy"), n.role("ci-preview")];
    return [
        ["Database", `arn:aws:rds:${region}:${account}:db:${n.dbIdentifier()}`],
        ["Database", `arn:aws:rds:${region}:${account}:subgrp:${n.dbSubnetGroup()}`],
        ["Database", `arn:aws:rds:${region}:${account}:pg:${n.dbParameterGroup("postgres16")}`],
        ["Database", `arn:aws:rds:${region}:${account}:snapshot:${n.finalSnapshot()}`],
        ...roles.map((r): [string, string] => ["Roles", `arn:aws:iam::${account}:role/${r}`]),
        ...roles.map((r): [string, string] => ["PassRoles", `arn:aws:iam::${account}:role/${r}`]),
        ...["uploads", "access-logs"].map((b): [string, string] => ["Buckets", `arn:aws:s3:::${n.bucket(b, account, region)}`]),
        ...services.map((svc): [string, string] => ["Ecr", `arn:aws:ecr:${region}:${account}:repository/${n.repository(svc)}`]),
        ...[...services.map((svc) => n.logGroup(svc)), n.migrationLogGroup(), n.flowLogGroup()].map((g): [string, string] => ["Logs", `arn:aws:logs:${region}:${account}:log-group:${g}`]),
        ["ReleasedImageSet", `arn:aws:ssm:${region}:${account}:parameter${n.releasedImagesParameter()}`],
    ];
}

describe("CI deploy role: every name it must manage matches its resource patterns, for any name length", () => {
    const region = "ap-southeast-2";
    const account = "123456789012";
    const services = ["a1", "notification-dispatcher-xyz"];
    const letters = (length: number, seed: string) => Array.from({ length }, (_, i) => seed[i % seed.length]).join("");

    it("holds for project and stack names from 1 to 100 characters, hash-shortened names included", () => {
        const misses: string[] = [];
        let shortened = 0;
        for (let p = 1; p <= 100; p += 3) {
            for (let st = 1; st <= 100; st += 9) {
                const n = new Naming(letters(p, "project"), letters(st, "stack-name"));
                const statements = deployPolicy(n, region, account) as unknown as { Statement: Statement[] };
                for (const [sid, arn] of managedArns(n, services, region, account)) {
                    if (!resourcesOf(statements.Statement, sid).some((pattern) => iamMatches(pattern, arn))) misses.push(`${sid}: ${arn}`);
                }
                if (!n.bucket("uploads", account, region).endsWith(region)) shortened++;
            }
        }
        expect(shortened).to.be.greaterThan(100);
        expect(misses).to.deep.equal([]);
    });

    it("keeps short prefixes as they are and shortens a long one with a hash of the whole, unique per stack", () => {
        expect(new Naming("berth", "dev").prefix).to.equal("berth-dev");
        const blue = new Naming("customer-platform-with-a-long-name", "production-eu-central-1-blue");
        const green = new Naming("customer-platform-with-a-long-name", "production-eu-central-1-green");
        expect(blue.prefix.length).to.equal(MAX_PREFIX);
        expect(blue.prefix.startsWith("customer-platform-with-a-long-name-production-")).to.equal(true);
        expect(blue.prefix).to.not.equal(green.prefix);
        expect(() => new Naming(letters(101, "p"), "dev")).to.throw(`project name "${letters(101, "p")}" is longer than 100 characters; berth's ECR and log-group paths hold it whole`);
    });

    it("holds on the synthesized graph of a stack with long names: every RDS, IAM, S3, ECR and log name", async () => {
        const s = await synthesize({
            project: "customer-platform-with-a-long-name",
            stack: "production-eu-central-1-blue",
            config: toRuntime(baseConfig({ "aws:region": region, "berth:ci": { githubRepository: "acme/shop" }, "berth:loadBalancer": { accessLogs: true } })),
            projectDir: PROJECT_DIR,
            world: { region, accountId: account },
        });
        const statements = JSON.parse(String(one(s, T.rolePolicy, "ci-deploy-policy").inputs.policy)).Statement as Statement[];
        const named: [string, string, (name: string) => string][] = [
            [T.rds, "identifier", (x) => `arn:aws:rds:${region}:${account}:db:${x}`],
            ["aws:rds/subnetGroup:SubnetGroup", "name", (x) => `arn:aws:rds:${region}:${account}:subgrp:${x}`],
            ["aws:rds/parameterGroup:ParameterGroup", "name", (x) => `arn:aws:rds:${region}:${account}:pg:${x}`],
            [T.role, "name", (x) => `arn:aws:iam::${account}:role/${x}`],
            [T.bucket, "bucket", (x) => `arn:aws:s3:::${x}`],
            [T.repo, "name", (x) => `arn:aws:ecr:${region}:${account}:repository/${x}`],
            [T.logGroup, "name", (x) => `arn:aws:logs:${region}:${account}:log-group:${x}`],
        ];
        const arns = named.flatMap(([type, field, arn]) => ofType(s, type).map((r) => arn(String(r.inputs[field]))));
        const rds = ofType(s, T.rds)[0];
        arns.push(`arn:aws:rds:${region}:${account}:snapshot:${String(rds.inputs.finalSnapshotIdentifier ?? new Naming(s.project, s.stack).finalSnapshot())}`);
        expect(arns.length).to.be.greaterThan(15);
        const patterns = statements.flatMap((st) => [st.Resource].flat());
        expect(arns.filter((arn) => !patterns.some((p) => p !== "*" && iamMatches(p, arn)))).to.deep.equal([]);
    });
});
