import { expect } from "chai";
import { NAME_RULES, Naming, databaseUser, fit, slug } from "../../infra/naming";

describe("naming: every physical name is valid for its AWS service (F04)", () => {
    it("F04: lower-cases and sanitises project and stack, so TikTimer/Dev names are valid everywhere", () => {
        const n = new Naming("TikTimer", "Dev");
        expect([n.cluster(), n.dbIdentifier(), n.bucket("uploads", "123456789012", "eu-west-1")]).to.deep.equal([
            "tiktimer-dev-cluster",
            "tiktimer-dev-db",
            "tiktimer-dev-uploads-123456789012-eu-west-1",
        ]);
    });

    const cases: [string, string][] = [
        ["slug of mixed text", slug("My_Service.v2")],
        ["slug collapses hyphens", slug("--a---b--")],
    ];
    it("slugs are lower-case alphanumerics and single hyphens", () => {
        expect(cases.map((c) => c[1])).to.deep.equal(["my-service-v2", "a-b"]);
    });

    it("fits long names under a limit with a hash, keeping different long names different", () => {
        const a = fit("berth-production-eu-west-1-a-very-long-service-name", 32);
        const b = fit("berth-production-eu-west-1-a-very-long-service-other", 32);
        expect(a.length).to.be.at.most(32);
        expect(b.length).to.be.at.most(32);
        expect(a).to.not.equal(b);
        expect(fit("short", 32)).to.equal("short");
    });

    it("F04: a long stack and service still give valid ALB, target group, RDS, S3, IAM, ECR, ECS and log names", () => {
        const n = new Naming("berth", "customer-facing-production-eu-central");
        const svc = "notification-dispatcher-x";
        const checks: [keyof typeof NAME_RULES, string][] = [
            ["albName", n.loadBalancer()],
            ["targetGroupName", n.targetGroup(svc)],
            ["rdsIdentifier", n.dbIdentifier()],
            ["rdsIdentifier", n.finalSnapshot()],
            ["s3Bucket", n.bucket("access-logs", "123456789012", "ap-southeast-2")],
            ["iamRoleName", n.role(`${svc}-exec`)],
            ["ecrRepository", n.repository(svc)],
            ["ecsName", n.cluster()],
            ["ecsName", n.service(svc)],
            ["ecsName", n.taskFamily(svc)],
            ["logGroupName", n.logGroup(svc)],
        ];
        for (const [rule, name] of checks) expect(NAME_RULES[rule](name), `${rule}: ${name}`).to.equal(true);
    });

    it("the validity rules reject what AWS rejects", () => {
        expect(NAME_RULES.rdsIdentifier("TikTimer-dev-db")).to.equal(false);
        expect(NAME_RULES.rdsIdentifier("1db")).to.equal(false);
        expect(NAME_RULES.rdsIdentifier("db--x")).to.equal(false);
        expect(NAME_RULES.s3Bucket("Uploads")).to.equal(false);
        expect(NAME_RULES.albName("internal-alb")).to.equal(false);
        expect(NAME_RULES.albName("a".repeat(33))).to.equal(false);
        expect(NAME_RULES.targetGroupName("-tg")).to.equal(false);
    });

    it("F04: a service's database role is a lower-case PostgreSQL identifier of at most 63 characters, distinct per service", () => {
        const n = new Naming("TikTimer", "Dev");
        expect([n.dbUser("api"), n.dbUser("order-history"), databaseUser("a1")]).to.deep.equal(["svc_api", "svc_order_history", "svc_a1"]);
        const long = databaseUser(`s${"x".repeat(80)}`);
        expect([long.length, NAME_RULES.postgresIdentifier(long), long === databaseUser(`s${"x".repeat(81)}`)]).to.deep.equal([63, true, false]);
        expect(["pg_read", "Svc_api", "svc-api", "x".repeat(64)].filter(NAME_RULES.postgresIdentifier)).to.deep.equal([]);
    });

    it("services resolve as <service>.<stack>.internal (F10)", () => {
        expect(new Naming("berth", "dev").discoveryHost("orders")).to.equal("orders.dev.internal");
    });

    it("rejects a project that cannot start a name", () => {
        expect(() => new Naming("42", "dev")).to.throw('project "42" must start with a letter (RDS and ALB names start with the project)');
        expect(() => new Naming("berth", "!!")).to.throw('project "berth" and stack "!!" must contain letters or digits');
    });
});
