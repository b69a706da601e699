import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { checkProjectFile, checkStackFile, loadProject, toRuntimeConfig } from "../../infra/synth/stackFiles";
import { runUnderMocks } from "../../infra/synth/mockEngine";
import { evaluatePolicies } from "../../infra/policy";
import { main, EXIT } from "../../infra/synth/cli";
import { parseReleasedSet } from "../../automation/adapters/releaseStore";
import { exampleStack, PROJECT_DIR } from "../helpers/synth";
import { parseMermaid } from "../helpers/mermaid";
import { RESULT_SCHEMAS } from "../../infra/contracts/results";
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
        expect(doc).to.deep.include({ name: "berth", main: "infra/", runtime: { name: "nodejs", options: { typescript: true, tsconfig: "../tsconfig.json" } } });
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

    it("--graph prints the rollout graph as a Mermaid flowchart: levels, what waits for what, the migration first", async () => {
        const r = await runCli(["--stack", "prod", "--graph", "-C", PROJECT_DIR]);
        expect(r.code).to.equal(EXIT.ok);
        expect(r.out).to.equal(
            [
                "flowchart LR",
                '    migration[["migration (accounts image)"]]',
                '    subgraph L1["level 1"]',
                '        s0["accounts"]',
                "    end",
                '    subgraph L2["level 2"]',
                '        s1["orders"]',
                "    end",
                '    subgraph L3["level 3"]',
                '        s2["api-gateway"]',
                "    end",
                "    migration --> L1",
                "    s0 --> s1",
                "    s0 --> s2",
                "    s1 --> s2",
                "    classDef migrates fill:#e7f5ff,stroke:#1c7ed6,stroke-width:2px",
                "    class migration migrates",
                "",
            ].join("\n"),
        );
        expect(await parseMermaid(r.out)).to.equal("flowchart-v2");
    });

    it("--json is berth.synth/v1 (with the graph); --output writes the same JSON and keeps the text report on stdout", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-synth-out-"));
        const json = await runCli(["--stack", "dev", "--json", "-C", PROJECT_DIR]);
        const doc = JSON.parse(json.out);
        expect(doc.schema).to.equal("berth.synth/v1");
        expect(RESULT_SCHEMAS.synth.safeParse(doc).success).to.equal(true);
        expect(doc.rolloutGraph.split("\n").filter((l: string) => l.startsWith("    subgraph "))).to.have.length(6);
        expect(await parseMermaid(doc.rolloutGraph)).to.equal("flowchart-v2");
        const file = path.join(dir, "synth.json");
        const both = await runCli(["--stack", "dev", "--output", file, "-C", PROJECT_DIR]);
        expect(both.code).to.equal(EXIT.ok);
        expect(both.out).to.contain("berth synth: stack dev of project berth");
        expect(both.err).to.equal(`berth.synth/v1 result written to ${file}\n`);
        expect(fs.readFileSync(file, "utf8")).to.equal(json.out);
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

    const PROJECT = "name: berth\nruntime: nodejs\nmain: infra/\n";
    const badInput: [string, Record<string, string>, string][] = [
        [
            "a YAML syntax error in the stack file, with file, line and column",
            { "Pulumi.yaml": PROJECT, "Pulumi.bad.yaml": "config:\n  berth:environment: dev\n  berth:services: [\n    { name: web\n" },
            "Pulumi.bad.yaml:5:1: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }\n",
        ],
        ["a tab used for indentation", { "Pulumi.yaml": PROJECT, "Pulumi.bad.yaml": "config:\n\tberth:environment: dev\n" }, "Pulumi.bad.yaml:2:1: not valid YAML: a tab is used for indentation; YAML indents with spaces only\n"],
        ["a YAML syntax error in Pulumi.yaml", { "Pulumi.yaml": "name: berth\nruntime: nodejs\nmain: infra/\nname: other\n", "Pulumi.bad.yaml": "" }, "Pulumi.yaml:4:1: not valid YAML: Map keys must be unique\n"],
        [
            "a build context that does not exist",
            { "Pulumi.yaml": PROJECT, "Pulumi.bad.yaml": "config:\n  berth:environment: dev\n  berth:services:\n    - name: web\n      build: { context: services/ap }\n      port: 80\n" },
            'berth configuration has 1 problem:\n  1. berth:services[0].build.context: "services/ap" is not a folder in the project (<dir>/services/ap); build contexts are relative to Pulumi.yaml, e.g. services/app\n',
        ],
        [
            "a Dockerfile that does not exist",
            { "Pulumi.yaml": PROJECT, "Pulumi.bad.yaml": "config:\n  berth:environment: dev\n  berth:services:\n    - name: web\n      build: { context: ctx, dockerfile: Dockerfile.prod }\n      port: 80\n" },
            'berth configuration has 1 problem:\n  1. berth:services[0].build.dockerfile: "Dockerfile.prod" is not a file in the build context ctx; name the Dockerfile relative to the context\n',
        ],
    ];
    for (const [title, files, message] of badInput) {
        it(`${title} is bad input: the message only, exit 3`, async () => {
            const dir = tempProject(files);
            fs.cpSync(path.join(PROJECT_DIR, "test/fixtures/context"), path.join(dir, "ctx"), { recursive: true });
            const r = await runCli(["--stack", "bad", "-C", dir]);
            expect([r.code, r.out, r.err]).to.deep.equal([EXIT.badInput, "", message.replace("<dir>", dir)]);
        });
    }

    describe("a renamed project (another name in Pulumi.yaml)", () => {
        const stackFile = "config:\n  aws:region: eu-west-1\n  berth:environment: dev\n  berth:services:\n    - name: web\n      build: { context: ctx }\n      port: 8080\n      routes: [\"/*\"]\n";
        const renamed = (files: Record<string, string>) => {
            const dir = tempProject({ "Pulumi.yaml": "name: shop\nruntime: nodejs\nmain: infra/\n", ...files });
            fs.cpSync(path.join(PROJECT_DIR, "test/fixtures/context"), path.join(dir, "ctx"), { recursive: true });
            return dir;
        };

        it("synthesizes from berth: keys, with every physical name under the project's name", async () => {
            const r = await runCli(["--stack", "dev", "--json", "-C", renamed({ "Pulumi.dev.yaml": stackFile })]);
            expect(r.code).to.equal(EXIT.ok);
            const doc = JSON.parse(r.out);
            expect(doc.outputs.clusterName).to.equal("shop-dev-cluster");
            expect(doc.outputs.services.web.serviceName).to.equal("shop-dev-web");
            expect(doc.outputs.releasedImagesParameter).to.equal("/shop/dev/released-images");
        });

        it("rejects keys in the project's namespace, from the stack file or Pulumi.yaml, naming the berth: key to use", async () => {
            const dir = renamed({ "Pulumi.dev.yaml": stackFile.replace("berth:environment", "shop:environment") });
            fs.appendFileSync(path.join(dir, "Pulumi.yaml"), "config:\n  logs: { value: { retentionDays: 14 } }\n");
            const r = await runCli(["--stack", "dev", "-C", dir]);
            expect([r.code, r.err]).to.deep.equal([
                EXIT.badInput,
                "berth configuration has 2 problems:\n  1. shop:logs: berth reads its settings from berth: keys whatever the project is called; rename it to berth:logs\n  2. shop:environment: berth reads its settings from berth: keys whatever the project is called; rename it to berth:environment\n",
            ]);
        });
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

describe("README truth", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");

    it("the offline released-images example runs as written: every service runs its released digest, nothing is built", async () => {
        const line = readme.match(/`npm run synth -- (--stack dev --released-images [^`]+)`/);
        expect(line?.[1]).to.equal("--stack dev --released-images examples/released.json");
        const before = process.cwd();
        process.chdir(PROJECT_DIR);
        try {
            const r = await runCli([...line![1].split(" "), "--json"]);
            expect(r.code).to.equal(EXIT.ok);
            const doc = JSON.parse(r.out);
            const sample = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "examples/released.json"), "utf8"));
            expect(doc.resources.filter((x: { type: string }) => x.type === "docker:index/image:Image")).to.deep.equal([]);
            const running = Object.fromEntries(Object.entries(doc.outputs.services as Record<string, { image: string; imageSource: string }>).map(([k, v]) => [k, [v.imageSource, v.image.split("@")[1]]]));
            expect(running).to.deep.equal(Object.fromEntries(Object.entries(sample.images).map(([k, d]) => [k, ["released", d]])));
            // The driver's own reader accepts the sample too: it is a complete released set.
            expect(parseReleasedSet("/berth/dev/released-images", JSON.stringify(sample)).releaseId).to.equal(sample.releaseId);
        } finally {
            process.chdir(before);
        }
    });

    it("links only inside the repository, and its failure catalogue names F01–F18", () => {
        const links = [...new Set(readme.match(/\]\((?!https?:|#)[^)]*\)/g))];
        expect(links).to.deep.equal(["](docs/FAILURES.md)", "](docs/json.md)"]);
        for (const link of links) expect(fs.existsSync(path.join(PROJECT_DIR, link.slice(2, -1))), link).to.equal(true);
        expect(readme).to.not.contain("../shared");
        const catalogue = fs.readFileSync(path.join(PROJECT_DIR, "docs/FAILURES.md"), "utf8");
        const ids = [...catalogue.matchAll(/^\| (F\d\d) \|/gm)].map((m) => m[1]);
        expect(ids).to.deep.equal(Array.from({ length: 18 }, (_, i) => `F${String(i + 1).padStart(2, "0")}`));
    });
});
