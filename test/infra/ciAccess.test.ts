import { expect } from "chai";
import { evaluatePolicies } from "../../infra/policy";
import { baseConfig, ofType, one, synth, T } from "../helpers/synth";

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
        expect(trust("ci-deploy").Principal.Federated).to.equal(provider[0].state.arn);
        expect((s.outputs as any).ci).to.deep.equal({ deployRoleArn: "arn:aws:iam::123456789012:role/berth-dev-ci-deploy", previewRoleArn: "arn:aws:iam::123456789012:role/berth-dev-ci-preview" });
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
