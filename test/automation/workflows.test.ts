import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateWorkflow, type ValidationError } from "@action-validator/core";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const FILES = ["preview.yml", "deploy.yml", "drift.yml"];
/** The workflows that test the commit before using it. */
const TESTED = ["preview.yml", "deploy.yml"];

/** Schema errors of a workflow file (action-validator: GitHub's workflow schema, offline), flattened to lines. */
function validate(file: string): string[] {
    const flatten = (errors: ValidationError[]): string[] =>
        errors.flatMap((e) => ["path" in e ? `${e.path}: ${e.title}${e.detail ? ` (${e.detail})` : ""}` : `${e.title}: ${e.detail}`, ...("states" in e && e.states ? e.states.flatMap((s) => flatten(s.errors)) : [])]);
    return flatten(validateWorkflow(fs.readFileSync(file, "utf8")).errors);
}

interface Step {
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, { steps: Step[]; needs?: string | string[]; strategy?: { matrix: Record<string, unknown> } }>;
}

const load = (name: string) => parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

/** The package.json scripts a shell line runs: `npm test`, `npm run [--flags] <name>`. */
export function npmScripts(run: string): string[] {
    const names: string[] = [];
    for (const m of run.matchAll(/\bnpm\s+(?:(test|t)\b|run(?:-script)?\s+(?:--?[\w-]+\s+)*([\w:.-]+))/g)) names.push(m[1] ? "test" : m[2]);
    return names;
}

describe("CI workflows (.github/workflows)", () => {
    for (const name of FILES) {
        it(`${name} is a valid GitHub workflow (action-validator schema)`, () => {
            expect(validate(path.join(WORKFLOWS, name))).to.deep.equal([]);
        });
    }

    it("a broken workflow fails validation (the check is not vacuous)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-wf-"));
        const file = path.join(dir, "broken.yml");
        // A step may not both `uses` an action and `run` a command; `runs-on` misspelt.
        fs.writeFileSync(file, "on: push\njobs:\n  build:\n    runs_on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo both\n");
        try {
            expect(validate(file)).to.not.deep.equal([]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("every npm script the workflows run exists in package.json", () => {
        const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
        const used = FILES.flatMap((f) => steps(load(f)).flatMap((s) => (s.run ? npmScripts(s.run) : [])));
        expect(used).to.include.members(["test", "preview", "deploy", "drift"]);
        expect(used.filter((s) => !scripts.includes(s))).to.deep.equal([]);
    });

    it("finds the script names in the shell lines it is given", () => {
        expect(npmScripts("npm run --silent deploy -- --stack dev | tee x")).to.deep.equal(["deploy"]);
        expect(npmScripts("npm ci && npm test && npm run preview -- --comment")).to.deep.equal(["test", "preview"]);
    });

    it("no workflow holds stored AWS keys: credentials come from OIDC roles", () => {
        for (const name of fs.readdirSync(WORKFLOWS)) {
            const text = fs.readFileSync(path.join(WORKFLOWS, name), "utf8");
            expect(text, name).to.not.match(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/i);
        }
        for (const [name, role] of [
            ["preview.yml", "BERTH_PREVIEW_ROLE_ARN"],
            ["deploy.yml", "BERTH_DEPLOY_ROLE_ARN"],
            ["drift.yml", "BERTH_DEPLOY_ROLE_ARN"],
        ]) {
            const w = load(name);
            expect(w.permissions?.["id-token"], name).to.equal("write");
            // one credentials step per job that reaches AWS (deploy.yml: dev, then the staging and prod promotions)
            const aws = steps(w).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            expect(aws.length, name).to.equal(name === "deploy.yml" ? 3 : 1);
            for (const step of aws) expect(String(step.with?.["role-to-assume"]), name).to.contain(`vars.${role}`);
            expect(steps(w).some((s) => s.uses?.startsWith("pulumi/actions@")), name).to.equal(true);
        }
    });

    it("preview comments on pull requests for dev and prod; deploy releases one stack at a time, never cancelling", () => {
        const preview = load("preview.yml");
        expect(Object.keys(preview.on)).to.deep.equal(["pull_request"]);
        expect(preview.permissions).to.deep.equal({ "id-token": "write", contents: "read", "pull-requests": "write" });
        expect(preview.jobs.preview.strategy?.matrix.stack).to.deep.equal(["dev", "prod"]);
        expect(steps(preview).map((s) => s.run).filter(Boolean)).to.include('npm run preview -- --stack ${{ matrix.stack }} --comment ${COST_INCREASE_LIMIT:+--fail-on "cost-increase=$COST_INCREASE_LIMIT"}');

        const deploy = load("deploy.yml");
        expect(Object.keys(deploy.on)).to.deep.equal(["push", "workflow_dispatch"]);
        expect(deploy.on.push).to.deep.equal({ branches: ["main"] });
        // per job: a run waiting for a prod reviewer does not hold dev's next release back
        expect(deploy.concurrency).to.equal(undefined);
        expect((deploy.jobs.deploy as { concurrency?: unknown }).concurrency).to.deep.equal({ group: "berth-deploy-${{ inputs.stack || 'dev' }}", "cancel-in-progress": false });
        expect(deploy.jobs.deploy.needs).to.equal("test");
        expect(steps(deploy).map((s) => s.run).filter(Boolean)).to.include('npm run --silent deploy -- --stack "$STACK" --output report.json | tee report.md');
    });

    it("deploy: a push releases dev, then promotes dev → staging → prod in jobs gated by GitHub environments, never rebuilding", () => {
        const deploy = load("deploy.yml") as Workflow & { jobs: Record<string, { environment?: string; if?: string; concurrency?: unknown }> };
        expect(deploy.jobs.deploy.environment).to.equal(undefined);
        const promotion = (job: string) => ({
            needs: deploy.jobs[job].needs,
            environment: deploy.jobs[job].environment,
            concurrency: deploy.jobs[job].concurrency,
            runs: deploy.jobs[job].steps.map((s) => s.run).filter((r) => r?.includes("deploy")),
        });
        expect(promotion("promote-staging")).to.deep.equal({
            needs: "deploy",
            environment: "staging",
            concurrency: { group: "berth-deploy-staging", "cancel-in-progress": false },
            runs: ["npm run --silent deploy -- --stack staging --promote-from dev --output report.json | tee report.md"],
        });
        expect(deploy.jobs["promote-staging"].if).to.equal("github.event_name == 'push'");
        expect(promotion("promote-prod")).to.deep.equal({
            needs: "promote-staging",
            environment: "prod",
            concurrency: { group: "berth-deploy-prod", "cancel-in-progress": false },
            runs: ["npm run --silent deploy -- --stack prod --promote-from staging --output report.json | tee report.md"],
        });
        expect(steps(deploy).some((s) => s.run?.includes("docker"))).to.equal(false);
    });

    it("drift runs daily for every stack without one stack cancelling another, and may manage issues", () => {
        const drift = parse(fs.readFileSync(path.join(WORKFLOWS, "drift.yml"), "utf8")) as Workflow & { on: { schedule: { cron: string }[] }; jobs: { drift: { strategy: { "fail-fast": boolean; matrix: { stack: string[] } }; environment?: string } } };
        expect(Object.keys(drift.on)).to.deep.equal(["schedule", "workflow_dispatch"]);
        expect(drift.on.schedule).to.deep.equal([{ cron: "17 6 * * *" }]);
        expect(drift.permissions).to.deep.equal({ "id-token": "write", contents: "read", issues: "write" });
        expect(drift.jobs.drift.strategy).to.deep.equal({ "fail-fast": false, matrix: { stack: ["dev", "staging", "prod"] } });
        // an environment would change the OIDC subject away from refs/heads/main, which the deploy role trusts
        expect(drift.jobs.drift.environment).to.equal(undefined);
        expect(steps(drift).map((s) => s.run).filter(Boolean)).to.include('npm run --silent drift -- --stack "$STACK" --issue');
    });

    it("tests run on the supported Node.js lines (22 and 24), releases on 24, and package.json admits no Node without require(esm)", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        // ESM-only dependencies load from CommonJS only with require(esm): Node >= 20.19 on 20, >= 22.12 on 22.
        expect(pkg.engines).to.deep.equal({ node: "^20.19.0 || >=22.12.0" });
        for (const name of TESTED) {
            const w = load(name);
            expect(w.jobs.test.strategy?.matrix.node, name).to.deep.equal([22, 24]);
            const versions = Object.entries(w.jobs).flatMap(([job, j]) => j.steps.filter((st) => st.uses?.startsWith("actions/setup-node@")).map((st) => `${job}: ${String(st.with?.["node-version"])}`));
            expect(versions, name).to.deep.equal(Object.keys(w.jobs).map((job) => `${job}: ${job === "test" ? "${{ matrix.node }}" : "24"}`));
        }
    });
});
