// Property tests (fast-check) of the physical names (F04): for any project, stack and service names the
// user may choose, every name AWS receives passes that service's rules, written out here from the AWS docs
// rather than reused from infra/naming.ts, and names that must differ do. Seeded and bounded.
import { expect } from "chai";
import fc from "fast-check";
import { Naming } from "../../infra/naming";
import { SERVICE_NAME } from "../../infra/config/schema";

const RUNS = { seed: 20260314, numRuns: 300 };

/**
 * Pulumi project and stack names: letters, digits, `-`, `_` and `.`, up to 100 characters. Built from words,
 * some of them prefixes AWS reserves, so the runs reach the odd corners and not only short random text.
 */
const word = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
    fc.constantFrom("internal", "sthree", "amzn", "s3", "demo", "xn", "sg", "Prod", "DEV", "2024"),
    fc.stringMatching(/^[a-z0-9]{40,100}$/),
);
const pulumiName = fc
    .tuple(fc.array(word, { minLength: 1, maxLength: 8 }), fc.array(fc.constantFrom("-", "_", ".", "--", "-."), { minLength: 8, maxLength: 8 }))
    .map(([words, seps]) => words.reduce((acc, w, i) => (i === 0 ? w : `${acc}${seps[i]}${w}`), "").slice(0, 100))
    .filter((s) => /^[A-Za-z0-9_.-]{1,100}$/.test(s));
/** berth's own rule for service names (config schema), which become parts of AWS names. */
const serviceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,26}[a-z0-9]$/);
const accountId = fc.stringMatching(/^\d{12}$/);
const region = fc.constantFrom("eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-2", "us-gov-west-1");

/**
 * Whether berth can name a stack: the project must slug to something starting with a letter (RDS and ALB
 * names start with it), the stack to something at all, and `<project>-<stack>-` must not start with a
 * prefix AWS reserves (ALB "internal-", S3 "sthree-" and "amzn-s3-demo-", security group "sg-").
 */
function nameable(project: string, stack: string): boolean {
    const [p, s] = [slugOf(project), slugOf(stack)];
    return /^[a-z]/.test(p) && s.length > 0 && !["internal-", "sthree-", "amzn-s3-demo-", "sg-"].some((r) => `${p}-${s}-`.startsWith(r));
}

const stackNames = fc.record({ project: pulumiName, stack: pulumiName }).filter(({ project, stack }) => nameable(project, stack));

function slugOf(s: string): string {
    return s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
}

// AWS's rules, from each service's documentation.
const elbName = (n: string) => n.length >= 1 && n.length <= 32 && /^[a-z0-9-]+$/.test(n) && !n.startsWith("-") && !n.endsWith("-");
const AWS = {
    /** ELBv2 CreateLoadBalancer Name: ≤ 32 alphanumerics and hyphens, not starting or ending with a hyphen, not starting with "internal-". */
    albName: (n: string) => elbName(n) && !n.startsWith("internal-"),
    /** ELBv2 CreateTargetGroup Name: ≤ 32 alphanumerics and hyphens, not starting or ending with a hyphen. */
    targetGroupName: elbName,
    /** RDS DBInstanceIdentifier / DBSnapshotIdentifier: 1-63, letter first, alphanumerics and hyphens, no "--", no trailing hyphen. */
    rdsIdentifier: (n: string) => /^[a-z][a-z0-9-]{0,62}$/.test(n) && !n.includes("--") && !n.endsWith("-"),
    /** S3 general purpose bucket naming rules. */
    s3Bucket: (n: string) =>
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(n) &&
        !n.includes("..") &&
        !/^\d+\.\d+\.\d+\.\d+$/.test(n) &&
        !["xn--", "sthree-", "amzn-s3-demo-"].some((p) => n.startsWith(p)) &&
        !["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].some((s) => n.endsWith(s)),
    /** IAM role names: 1-64 of [\w+=,.@-]. */
    iamRoleName: (n: string) => /^[\w+=,.@-]{1,64}$/.test(n),
    /** ECR repository names: 2-256, lower-case path components separated by "/", each joined by single . _ -. */
    ecrRepository: (n: string) => n.length >= 2 && n.length <= 256 && /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(n),
    /** ECS cluster, service, task family: 1-255 letters, digits, hyphens, underscores (berth keeps them lower-case). */
    ecsName: (n: string) => /^[a-z0-9_-]{1,255}$/.test(n),
    /** CloudWatch Logs group names: 1-512 of [.-_/#A-Za-z0-9]. */
    logGroupName: (n: string) => /^[.\-_/#A-Za-z0-9]{1,512}$/.test(n),
    /** EC2 security group names: ≤ 255, not starting with "sg-". */
    securityGroupName: (n: string) => n.length >= 1 && n.length <= 255 && !n.startsWith("sg-"),
    /** SNS topic names: 1-256 alphanumerics, hyphens and underscores. */
    snsTopic: (n: string) => /^[A-Za-z0-9_-]{1,256}$/.test(n),
    /** A DNS name made of labels of 1-63 letters, digits and hyphens, not starting or ending with a hyphen (Cloud Map namespace). */
    dnsName: (n: string) => n.length <= 253 && n.split(".").every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l)),
    /** SSM parameter names: ≤ 1011 characters, [a-zA-Z0-9_.\-/], fully qualified with a leading "/". */
    ssmParameter: (n: string) => n.length <= 1011 && /^\/[A-Za-z0-9_.\-/]+$/.test(n) && !n.includes("//"),
};
type Rule = keyof typeof AWS;

/** Every name one service of one stack gives AWS, with the rule it must pass. */
function namesOf(n: Naming, service: string, account: string, reg: string): [Rule, string, string][] {
    return [
        ["albName", "load balancer", n.loadBalancer()],
        ["targetGroupName", "target group", n.targetGroup(service)],
        ["rdsIdentifier", "db instance", n.dbIdentifier()],
        ["rdsIdentifier", "final snapshot", n.finalSnapshot()],
        ["ecsName", "db subnet group", n.dbSubnetGroup()],
        ["ecsName", "db parameter group", n.dbParameterGroup("postgres16")],
        ["s3Bucket", "uploads bucket", n.bucket("uploads", account, reg)],
        ["s3Bucket", "access-logs bucket", n.bucket("access-logs", account, reg)],
        ["iamRoleName", "task role", n.role(`${service}-task`)],
        ["iamRoleName", "execution role", n.role(`${service}-exec`)],
        ["iamRoleName", "deploy role", n.role("deploy")],
        ["ecrRepository", "repository", n.repository(service)],
        ["ecsName", "cluster", n.cluster()],
        ["ecsName", "service", n.service(service)],
        ["ecsName", "task family", n.taskFamily(service)],
        ["ecsName", "migration family", n.migrationFamily()],
        ["ecsName", "container", n.containerName(service)],
        ["logGroupName", "log group", n.logGroup(service)],
        ["logGroupName", "migration log group", n.migrationLogGroup()],
        ["logGroupName", "flow log group", n.flowLogGroup()],
        ["securityGroupName", "security group", n.securityGroup(`${service}-sg`)],
        ["snsTopic", "alarm topic", n.topic()],
        ["dnsName", "discovery namespace", n.namespace()],
        ["dnsName", "discovery host", n.discoveryHost(service)],
        ["ssmParameter", "released images parameter", n.releasedImagesParameter()],
    ];
}

describe("naming properties (fast-check): any project, stack and service names give valid, distinct AWS names (F04)", () => {
    it("the generators agree with berth's service-name rule", () => {
        fc.assert(fc.property(serviceName, (s) => SERVICE_NAME.test(s)), RUNS);
    });

    it("F04: Naming accepts exactly the project and stack names that can give valid names, and rejects the others", () => {
        fc.assert(
            fc.property(pulumiName, pulumiName, (project, stack) => {
                let accepted = true;
                try {
                    new Naming(project, stack);
                } catch {
                    accepted = false;
                }
                expect(accepted, `${project} / ${stack}`).to.equal(nameable(project, stack));
            }),
            RUNS,
        );
    });

    it("F04: every physical name passes its AWS service's rules, however long or odd the names", () => {
        fc.assert(
            fc.property(stackNames, serviceName, accountId, region, ({ project, stack }, service, account, reg) => {
                const bad = namesOf(new Naming(project, stack), service, account, reg).filter(([rule, , name]) => !AWS[rule](name));
                expect(bad.map(([rule, what, name]) => `${what} "${name}" breaks ${rule}`)).to.deep.equal([]);
            }),
            RUNS,
        );
    });

    it("F04: names are lower-case and start with the stack's prefix, or with its hash-shortened head when too long", () => {
        fc.assert(
            fc.property(stackNames, serviceName, ({ project, stack }, service) => {
                const n = new Naming(project, stack);
                for (const name of [n.service(service), n.targetGroup(service), n.loadBalancer(), n.dbIdentifier(), n.role(`${service}-exec`)]) {
                    expect(name).to.equal(name.toLowerCase());
                    const full = `${n.prefix}-`;
                    if (!name.startsWith(full)) {
                        // shortened: `<head>-<6 hex>` where head is a prefix of the full name
                        const m = /^(.*)-([0-9a-f]{6})$/.exec(name);
                        expect(m, name).to.not.equal(null);
                        expect(full.startsWith(m![1]) || m![1].startsWith(n.prefix), `${name} vs ${n.prefix}`).to.equal(true);
                    }
                }
            }),
            RUNS,
        );
    });

    it("two services of one stack never share a name of any kind, even when shortening cuts both to the same head", () => {
        const twoServices = fc.uniqueArray(serviceName, { minLength: 2, maxLength: 2 });
        fc.assert(
            fc.property(stackNames, twoServices, ({ project, stack }, [a, b]) => {
                const n = new Naming(project, stack);
                const per = (s: string) => [n.service(s), n.targetGroup(s), n.role(`${s}-exec`), n.role(`${s}-task`), n.repository(s), n.logGroup(s), n.discoveryHost(s), n.securityGroup(`${s}-sg`)];
                const [x, y] = [per(a), per(b)];
                x.forEach((name, i) => expect(name, `kind ${i}`).to.not.equal(y[i]));
            }),
            RUNS,
        );
    });

    it("two stacks of one project never share a stack-wide name (cluster, load balancer, database, topic, namespace)", () => {
        fc.assert(
            fc.property(stackNames, pulumiName, ({ project, stack }, other) => {
                fc.pre(slugOf(other).length > 0 && slugOf(other) !== slugOf(stack));
                const [n, m] = [new Naming(project, stack), new Naming(project, other)];
                const wide = (k: Naming) => [k.cluster(), k.loadBalancer(), k.dbIdentifier(), k.finalSnapshot(), k.topic(), k.namespace(), k.releasedImagesParameter()];
                const [x, y] = [wide(n), wide(m)];
                x.forEach((name, i) => expect(name, `kind ${i}`).to.not.equal(y[i]));
            }),
            RUNS,
        );
    });

    it("hash-shortening keeps long names that share their head distinct", () => {
        const long = "a".repeat(40);
        fc.assert(
            fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,20}$/), { minLength: 2, maxLength: 2 }), ([x, y]) => {
                const n = new Naming("berth", `${long}-${x}`);
                const m = new Naming("berth", `${long}-${y}`);
                expect(n.loadBalancer()).to.not.equal(m.loadBalancer());
                expect(n.loadBalancer().length).to.be.at.most(32);
            }),
            RUNS,
        );
    });
});

describe("naming: names AWS reserves and labels DNS limits (found by the properties above)", () => {
    it("F04: rejects a project and stack whose names would start with a prefix AWS reserves", () => {
        expect(() => new Naming("internal", "dev")).to.throw('project "internal" and stack "dev" give names starting "internal-", which AWS reserves (load balancer names); rename the project or the stack');
        expect(() => new Naming("Internal_Tools", "dev")).to.throw('project "Internal_Tools" and stack "dev" give names starting "internal-", which AWS reserves (load balancer names); rename the project or the stack');
        expect(() => new Naming("sthree", "dev")).to.throw('project "sthree" and stack "dev" give names starting "sthree-", which AWS reserves (S3 bucket names); rename the project or the stack');
        expect(() => new Naming("amzn", "s3-demo")).to.throw('project "amzn" and stack "s3-demo" give names starting "amzn-s3-demo-", which AWS reserves (S3 bucket names); rename the project or the stack');
        expect(() => new Naming("sg", "dev")).to.throw('project "sg" and stack "dev" give names starting "sg-", which AWS reserves (security group names); rename the project or the stack');
        expect(new Naming("internals", "dev").loadBalancer()).to.equal("internals-dev-alb");
        expect(new Naming("amzn", "s3").bucket("uploads", "123456789012", "eu-west-1")).to.equal("amzn-s3-uploads-123456789012-eu-west-1");
    });

    it("F10: a stack name longer than a DNS label gives a hash-shortened namespace label; short ones are unchanged", () => {
        const long = "customer-facing-production-environment-for-the-eu-central-region-2";
        const n = new Naming("berth", long);
        const [label, tld] = n.namespace().split(".");
        expect(tld).to.equal("internal");
        expect(label).to.have.length(63);
        expect(label).to.match(/^customer-facing-production-environment-for-the-eu-centra-[0-9a-f]{6}$/);
        expect(new Naming("berth", "dev").namespace()).to.equal("dev.internal");
        expect(new Naming("berth", "a".repeat(63)).namespace()).to.equal(`${"a".repeat(63)}.internal`);
    });
});
