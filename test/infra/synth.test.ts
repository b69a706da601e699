import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { checkProjectFile, checkStackFile, loadProject, toRuntimeConfig } from "../../infra/synth/stackFiles";
import { runUnderMocks } from "../../infra/synth/mockEngine";
import { evaluatePolicies } from "../../infra/policy";
import { main, EXIT } from "../../infra/synth/cli";
import { exampleStack, PROJECT_DIR } from "../helpers/synth";
import * as aws from "@pulumi/aws";

function capture(): { out: () => string; err: () => string; restore: () => void } {
    let out = "";
    let err = "";
    const o = process.stdout.write.bind(process.stdout);
    const e = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    return { out: () => out, err: () => err, restore: () => ((process.stdout.write = o), (process.stderr.write = e)) };
}

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const c = capture();
    try {
        const code = await main(args);
        return { code, out: c.out(), err: c.err() };
    } finally {
        c.restore();
    }
}

function tempProject(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-synth-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

describe("project and stack files (checked against Pulumi's documented shape)", () => {
    it("Pulumi.yaml is a nodejs TypeScript project named berth with its program in infra/", () => {
        const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
        expect(checkProjectFile(doc)).to.deep.equal([]);
        expect(doc).to.deep.include({ name: "berth", main: "infra/", runtime: { name: "nodejs", options: { typescript: true } } });
        expect(fs.existsSync(path.join(PROJECT_DIR, doc.main, "index.ts"))).to.equal(true);
    });

    for (const stack of ["dev", "prod"]) {
        it(`Pulumi.${stack}.yaml has only namespaced berth:/aws: config keys`, () => {
            const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
            expect(checkStackFile(doc, `Pulumi.${stack}.yaml`, ["berth", "aws"])).to.deep.equal([]);
        });
    }

    it("catches the malformed files no CLI here can catch", () => {
        expect(checkProjectFile({ name: "berth", runtime: "python", mian: "x" })).to.deep.equal(['Pulumi.yaml: unknown top-level key "mian"', "Pulumi.yaml: runtime must be nodejs (a string, or {name: nodejs, options: {...}})"]);
        expect(checkStackFile({ config: { services: [], "gcp:region": "x" }, confg: {} }, "Pulumi.dev.yaml", ["berth", "aws"])).to.deep.equal([
            'Pulumi.dev.yaml: unknown top-level key "confg"',
            'Pulumi.dev.yaml: config key "services" must be namespaced as <namespace>:<name>, e.g. berth:services',
            'Pulumi.dev.yaml: config key "gcp:region" has namespace "gcp"; expected one of berth, aws',
        ]);
    });

    it("keeps secure: values opaque: a placeholder marked secret, never the ciphertext", () => {
        const r = toRuntimeConfig({ "berth:environment": "dev", "berth:alarms": { email: { secure: "v1:AAAA" } }, "aws:region": "eu-west-1" });
        expect(r).to.deep.equal({ config: { "berth:environment": "dev", "berth:alarms": '{"email":"[secret]"}', "aws:region": "eu-west-1" }, secretKeys: ["berth:alarms"] });
    });

    it("names the known stacks when the stack file is missing", () => {
        expect(() => loadProject(PROJECT_DIR, "qa")).to.throw("no Pulumi.qa.yaml: known stacks are dev, prod");
    });
});

describe("the mock engine", () => {
    it("rejects two resources with the same name and type, as the real engine does", async () => {
        const run = runUnderMocks({
            project: "berth",
            stack: "dev",
            config: {},
            world: { region: "eu-west-1", accountId: "123456789012" },
            program: async () => {
                new aws.sns.Topic("same", {});
                new aws.sns.Topic("same", {});
            },
        });
        let error: Error | undefined;
        await run.catch((e: Error) => (error = e));
        expect(error?.message).to.equal("synth: two resources share the URN urn:pulumi:dev::berth::aws:sns/topic:Topic::same; the Pulumi engine rejects duplicate names");
    });

    it("fails loudly on an invoke it has no answer for", async () => {
        let error: Error | undefined;
        await runUnderMocks({
            project: "berth",
            stack: "dev",
            config: {},
            world: { region: "eu-west-1", accountId: "123456789012" },
            program: async () => aws.ec2.getVpc({ default: true }),
        }).catch((e: Error) => (error = e));
        expect(error?.message).to.contain("synth: the mock engine has no answer for invoke aws:ec2/getVpc:getVpc");
    });
});

describe("policy over the example stacks", () => {
    it("the prod example has 0 findings under all prod rules", async () => {
        const s = await exampleStack("prod");
        const report = evaluatePolicies(s.resources, { environment: "prod" });
        expect(report.rulesEvaluated).to.be.at.least(20);
        expect(report.findings).to.deep.equal([]);
    });

    it("the dev example has 0 findings under the dev rules", async () => {
        const s = await exampleStack("dev");
        expect(evaluatePolicies(s.resources, { environment: "dev" }).findings).to.deep.equal([]);
    });
});

describe("npm run synth (the CLI)", () => {
    it("prints the inventory by component, the rollout levels and the policy result", async () => {
        const r = await runCli(["--stack", "dev", "-C", PROJECT_DIR]);
        expect(r.code).to.equal(EXIT.ok);
        expect(r.out).to.contain("berth synth: stack dev of project berth (profile dev, region eu-west-1)");
        expect(r.out).to.contain("  1. config-server\n  2. discovery-server\n  3. accounts, catalog, inventory, notifications, payments\n  4. orders, reviews, search\n  5. shipping\n  6. api-gateway");
        expect(r.out).to.match(/Policy: \d+ rules evaluated for dev, 0 finding\(s\), 0 waived/);
        expect(r.out).to.contain("svc-api-gateway (berth:service:Service): 8");
        expect(r.out).to.contain("  orders               built here from services/app (bootstrap: no release recorded)");
    });

    it("--json gives the same for machines, with secret inputs redacted", async () => {
        const r = await runCli(["--stack", "dev", "--json", "-C", PROJECT_DIR]);
        const doc = JSON.parse(r.out);
        expect(doc.rolloutLevels[0]).to.deep.equal(["config-server"]);
        expect(doc.policy.findings).to.deep.equal([]);
        const image = doc.resources.find((x: { type: string }) => x.type === "docker:index/image:Image");
        expect(image.inputs.registry).to.equal("[secret]");
        expect(r.out).to.not.contain("synth-token");
    });

    it("--released-images shows a laptop up after a release: nothing built", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-rel-"));
        const names = ["config-server", "discovery-server", "api-gateway", "accounts", "catalog", "inventory", "orders", "payments", "shipping", "notifications", "reviews", "search"];
        const file = path.join(dir, "released.json");
        fs.writeFileSync(file, JSON.stringify({ version: 1, images: Object.fromEntries(names.map((n) => [n, `sha256:${"e".repeat(64)}`])) }));
        const r = await runCli(["--stack", "dev", "--json", "--released-images", file, "-C", PROJECT_DIR]);
        const doc = JSON.parse(r.out);
        expect(doc.resources.filter((x: { type: string }) => x.type === "docker:index/image:Image")).to.deep.equal([]);
    });

    it("bad configuration prints the numbered problems only and exits 3", async () => {
        const dir = tempProject({
            "Pulumi.yaml": "name: berth\nruntime: nodejs\nmain: infra/\n",
            "Pulumi.bad.yaml": "config:\n  berth:environment: dev\n  berth:services:\n    - name: Web\n      build: { context: app }\n      port: 80\n",
        });
        const r = await runCli(["--stack", "bad", "-C", dir]);
        expect(r.code).to.equal(EXIT.badInput);
        expect(r.out).to.equal("");
        expect(r.err).to.equal('berth configuration has 1 problem:\n  1. berth:services[0].name: "Web" is not a valid service name: use 2-28 lower-case letters, digits and hyphens, starting with a letter (it becomes part of DNS, ECS and IAM names, F04)\n');
    });

    it("--fail-on exits 1 when a finding is severe enough, 0 when none is", async () => {
        const dir = tempProject({
            "Pulumi.yaml": "name: berth\nruntime: nodejs\nmain: infra/\n",
            "Pulumi.p.yaml": "config:\n  berth:environment: prod\n  berth:services:\n    - name: web\n      build: { context: ctx }\n      port: 8080\n      routes: [\"/*\"]\n",
        });
        fs.cpSync(path.join(PROJECT_DIR, "test/fixtures/context"), path.join(dir, "ctx"), { recursive: true });
        const noCertificate = await runCli(["--stack", "p", "--fail-on", "high", "-C", dir]);
        expect(noCertificate.code).to.equal(EXIT.findings);
        expect(noCertificate.out).to.match(/HIGH\s+BERTH\.ALB-HTTPS/);
        expect((await runCli(["--stack", "p", "--fail-on", "critical", "-C", dir])).code).to.equal(EXIT.ok);
        expect((await runCli(["--stack", "prod", "--fail-on", "low", "-C", PROJECT_DIR])).code).to.equal(EXIT.ok);
    });

    it("unknown flags and a bad severity are bad input (exit 3)", async () => {
        expect((await runCli(["--stack", "dev", "--fail-on", "urgent"])).code).to.equal(EXIT.badInput);
        expect((await runCli(["--stak", "dev"])).code).to.equal(EXIT.badInput);
    });
});
