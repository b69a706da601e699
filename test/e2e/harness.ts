// One end-to-end world: the AWS simulator seeded with the dev example as `pulumi up` would have provisioned it,
// the scripted pulumi backed by that simulator, the integration environment's Docker engine and registry, and a
// throw-away git checkout of the project whose services build tiny images (FROM scratch: no network needed).
// `run` starts the real CLI as a subprocess (transpiled once, as ts-node --transpile-only would) on the simulator's clock.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { synthesizeStack, type Synthesis } from "../../infra/synth/synthesize";
import type { RolloutOutputs } from "../../automation/plan/outputs";
import { dockerOk, type IntegrationEnv } from "../integration/helpers/integrationEnv";
import { SimClock } from "../sim/clock";
import { AwsSimulator } from "../sim/server";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const FAKE_PULUMI = path.join(REPO_ROOT, "test/fixtures/fake-pulumi");
const ACCELERATED_CLOCK = path.join(REPO_ROOT, "test/sim/acceleratedClock.js");
const CLI_BUILD = path.join(REPO_ROOT, ".integration", "e2e-build");

let compiled: string | undefined;
/**
 * The driver transpiled once per suite (as ts-node --transpile-only would, file by file) instead of on every one
 * of the suite's CLI start-ups, which cost seconds each on a busy runner. The copy sits inside the repository so
 * it resolves the same node_modules; JSON beside the sources comes along.
 */
export function compiledCli(): string {
    if (compiled) return compiled;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true };
    fs.rmSync(CLI_BUILD, { recursive: true, force: true });
    for (const top of ["automation", "infra"]) {
        for (const rel of fs.readdirSync(path.join(REPO_ROOT, top), { recursive: true }) as string[]) {
            const from = path.join(REPO_ROOT, top, rel);
            const to = path.join(CLI_BUILD, top, rel);
            if (rel.endsWith(".d.ts") || !fs.statSync(from).isFile()) continue;
            fs.mkdirSync(path.dirname(to), { recursive: true });
            if (rel.endsWith(".ts")) fs.writeFileSync(to.replace(/\.ts$/, ".js"), ts.transpileModule(fs.readFileSync(from, "utf8"), { compilerOptions: options, fileName: from }).outputText);
            else if (rel.endsWith(".json")) fs.copyFileSync(from, to);
        }
    }
    compiled = path.join(CLI_BUILD, "automation", "cli.js");
    return compiled;
}
/** Sim seconds per wall second in the suite; detection times are measured in sim time. */
export const DEFAULT_SCALE = Number(process.env.BERTH_E2E_SCALE ?? 40);

let synthesis: Promise<Synthesis> | undefined;
/** The dev example as the real program declares it (under the mock engine), once per process. */
export function devExample(): Promise<Synthesis> {
    synthesis ??= synthesizeStack(REPO_ROOT, "dev");
    return synthesis;
}

export interface RunResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

export interface Behaviour {
    SIM_BEHAVIOUR?: "healthy" | "crash" | "unhealthy" | "cannot-start" | "smoke-5xx" | "slow-start" | "degrades";
    SIM_MIGRATION?: "ok" | "fail" | "hang" | "cannot-start";
}

export interface WorldOptions {
    scale?: number;
    /** Stacks the backend knows but no `pulumi up` ever ran on. */
    unprovisioned?: string[];
    /** pulumi-aws before the steady-state fix: a circuit-breaker rollback that settles reads as success. */
    providerReportsRollbackAsSuccess?: boolean;
    /**
     * Routed services provisioned with a blue/green, canary or linear rollout (the dev example rolls every service):
     * the stack outputs get the `rollout` block, the simulator the alternate target group, the test listener rule
     * (header x-berth-test: 1), the 5xx deployment alarm and the service's deployment configuration.
     */
    rollouts?: Record<string, Partial<RolloutOutputs> & Pick<RolloutOutputs, "strategy">>;
}

export const TEST_HEADER = { header: "x-berth-test", value: "1" };
const LB_ROLE = "arn:aws:iam::123456789012:role/berth-dev-ecs-infrastructure-lb";

export class World {
    readonly root: string;
    readonly project: string;
    readonly state: string;
    readonly scenarioFile: string;
    clock!: SimClock;
    sim!: AwsSimulator;
    synthesis!: Synthesis;
    outputs!: Record<string, any>;
    declarationOrder: string[] = [];

    constructor(
        readonly env: IntegrationEnv,
        readonly options: WorldOptions = {},
    ) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "berth-e2e-"));
        this.project = path.join(this.root, "project");
        this.state = path.join(this.root, "pulumi-state");
        this.scenarioFile = path.join(this.root, "scenario.json");
        fs.mkdirSync(this.state);
    }

    async start(): Promise<this> {
        this.synthesis = await devExample();
        const settings = this.synthesis.settings;
        const raw = this.synthesis.outputs as Record<string, any>;
        this.clock = SimClock.start(this.options.scale ?? DEFAULT_SCALE);
        this.sim = new AwsSimulator({ clock: this.clock, region: raw.region, registry: this.env.registry });
        await this.sim.start();
        this.writeProject(settings.services.map((s) => s.name));
        const bootstrap = await this.bootstrapImage();

        // The outputs the program exports, pointed at this world: registry, ALB, tiny build contexts.
        const outputs = JSON.parse(JSON.stringify(raw)) as Record<string, any>;
        const albOrigin = new URL(outputs.loadBalancer.url).origin;
        const toAlb = (url: string) => url.replace(albOrigin, this.sim.albUrl);
        outputs.publicUrl = toAlb(outputs.publicUrl);
        outputs.loadBalancer.url = toAlb(outputs.loadBalancer.url);
        outputs.loadBalancer.dnsName = new URL(this.sim.albUrl).host;
        for (const [name, svc] of Object.entries<any>(outputs.services)) {
            svc.repositoryUrl = `${this.env.registry}/berth/dev/${name}`;
            outputs.repositoryUrls[name] = svc.repositoryUrl;
            svc.buildContext = `sim/${name}`;
            svc.dockerfile = "Dockerfile";
            svc.buildArgs = {};
            if (svc.url) svc.url = toAlb(svc.url);
        }
        this.outputs = outputs;
        // The program declares services in this order (critical path first within a level); the scripted engine
        // schedules ready services in it.
        this.declarationOrder = [...settings.declarationOrder];

        // Seed the simulator: every service running the bootstrap image, healthy, behind its target group.
        const ecs = this.sim.ecs;
        const applied: Record<string, any> = { images: {}, taskDefinitions: {}, sources: {} };
        for (const s of settings.services) {
            const out = outputs.services[s.name];
            if (out.targetGroupArn) {
                ecs.createTargetGroup({
                    arn: out.targetGroupArn,
                    intervalSeconds: s.healthCheck.intervalSeconds,
                    healthyThreshold: s.healthCheck.healthyThreshold,
                    unhealthyThreshold: s.healthCheck.unhealthyThreshold,
                    deregistrationDelaySeconds: s.deregistrationDelaySeconds,
                    port: s.port,
                    routes: s.routes,
                });
            }
            const image = `${this.env.registry}/berth/dev/bootstrap@${bootstrap}`;
            const td = ecs.registerTaskDefinition(out.taskDefinitionFamily, [{ name: out.containerName, image, logGroup: out.logGroupName, logStreamPrefix: "ecs" }], await this.sim.behaviourOf(image));
            const svc = ecs.createService(outputs.clusterName, out.serviceName, td.arn, s.desiredCount, out.targetGroupArn);
            svc.healthCheckGracePeriodSeconds = s.healthCheck.gracePeriodSeconds;
            applied.images[s.name] = image;
            applied.taskDefinitions[s.name] = td.arn;
            applied.sources[s.name] = "build";
        }
        if (outputs.migration) {
            const m = outputs.migration;
            const image = applied.images[m.service];
            const td = ecs.registerTaskDefinition(m.taskDefinitionFamily, [{ name: m.containerName, image, logGroup: m.logGroupName, logStreamPrefix: m.logStreamPrefix }], await this.sim.behaviourOf(image));
            applied.migrationTaskDefinition = td.arn;
            applied.migrationImage = image;
        }
        const listenerRules = this.provisionRollouts(outputs);
        // Those services were switched over when the stack was provisioned: their load-balancer block is ECS's now.
        applied.trafficConfigured = Object.fromEntries(Object.keys(listenerRules).map((name) => [name, true]));
        const waits = Object.fromEntries(settings.services.map((s) => [s.name, { waitsFor: s.waitsFor }]));
        fs.writeFileSync(
            this.scenarioFile,
            JSON.stringify({
                version: "v3.248.0",
                stacks: ["dev", ...(this.options.unprovisioned ?? [])],
                sim: {
                    project: this.synthesis.project,
                    outputs,
                    declarationOrder: this.declarationOrder,
                    services: waits,
                    applied,
                    unprovisioned: this.options.unprovisioned ?? [],
                    providerReportsRollbackAsSuccess: this.options.providerReportsRollbackAsSuccess ?? false,
                    listenerRules,
                    loadBalancerRoleArn: LB_ROLE,
                },
            }),
        );
        return this;
    }

    /**
     * What `pulumi up` would have provisioned for the services given `rollouts`: an alternate target group with the
     * same health check, a test rule (the production rule's paths plus the header, evaluated first), the deployment
     * alarm on 5xx of either group, and the service configured with the strategy. Returns each service's rule ARNs.
     */
    private provisionRollouts(outputs: Record<string, any>): Record<string, { production: string; test: string }> {
        const ecs = this.sim.ecs;
        this.sim.loadBalancerDimension = outputs.loadBalancer.arn.slice(outputs.loadBalancer.arn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
        const rules: Record<string, { production: string; test: string }> = {};
        for (const [name, wanted] of Object.entries(this.options.rollouts ?? {})) {
            const out = outputs.services[name];
            if (!out?.targetGroupArn) throw new Error(`${name} has no route: a ${wanted.strategy} rollout needs one`);
            const blue = ecs.targetGroups.get(out.targetGroupArn)!;
            const alternate = out.targetGroupArn.replace(/targetgroup\/([^/]+)\/([0-9a-f]+)$/, (_m: string, tg: string, id: string) => `targetgroup/${tg.slice(0, 28)}-g/${id.split("").reverse().join("")}`);
            ecs.createTargetGroup({ ...blue, arn: alternate, routes: [] });
            const production = ecs.rules.productionRuleOf(out.targetGroupArn)!;
            const test = ecs.rules.create({ priority: production.priority - 5, paths: production.paths, header: { name: TEST_HEADER.header, values: [TEST_HEADER.value] }, forward: [{ targetGroupArn: out.targetGroupArn, weight: 100 }] });
            // As the program decides it (infra/components/rollout.ts engineWait): the engine waits through this service's
            // deployment only while a rolling service waits for it.
            const shifting = (n: string) => (this.options.rollouts?.[n]?.strategy ?? "rolling") !== "rolling";
            const rollingDependents = Object.keys(outputs.services).filter((n) => !shifting(n) && outputs.services[n].waitsFor.includes(name));
            const rollout: RolloutOutputs = {
                bakeMinutes: 0,
                pauseHooks: [{ stage: "POST_TEST_TRAFFIC_SHIFT", timeoutMinutes: 10 }],
                testTraffic: TEST_HEADER,
                alternateTargetGroupArn: alternate,
                alarmNames: [`${out.serviceName}-5xx`],
                engineWaits: rollingDependents.length > 0,
                ...(rollingDependents.length > 0 ? { rollingDependents } : {}),
                ...wanted,
            };
            out.rollout = rollout;
            for (const alarm of rollout.alarmNames) ecs.cloudwatch.defineAlarm({ name: alarm, metric: "HTTPCode_Target_5XX_Count", targetGroupArns: [out.targetGroupArn, alternate], threshold: 5, periodSeconds: 60 });
            const svc = ecs.service(outputs.clusterName, out.serviceName)!;
            svc.config = {
                strategy: ({ blueGreen: "BLUE_GREEN", canary: "CANARY", linear: "LINEAR", rolling: "ROLLING" } as const)[rollout.strategy],
                bakeTimeInMinutes: rollout.bakeMinutes,
                ...(rollout.canary ? { canary: rollout.canary } : {}),
                ...(rollout.linear ? { linear: rollout.linear } : {}),
                lifecycleHooks: rollout.pauseHooks.map((h) => ({ targetType: "PAUSE", lifecycleStages: [h.stage], timeoutInMinutes: h.timeoutMinutes, action: "ROLLBACK" })),
                ...(rollout.alarmNames.length > 0 ? { alarms: { alarmNames: rollout.alarmNames, enable: true, rollback: true } } : {}),
            };
            svc.advanced = { alternateTargetGroupArn: alternate, productionListenerRule: production.arn, testListenerRule: test.arn, roleArn: LB_ROLE };
            rules[name] = { production: production.arn, test: test.arn };
        }
        return rules;
    }

    async stop(): Promise<void> {
        await this.sim?.stop();
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    /** The checkout CI would have: Pulumi.yaml, the stack files, `main`'s folder and one tiny build context per service. */
    private writeProject(services: string[]): void {
        fs.mkdirSync(path.join(this.project, "infra"), { recursive: true });
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(this.project, f));
        fs.writeFileSync(path.join(this.project, "infra", "README.md"), "The program lives in the real repository; the scripted pulumi stands in for it here.\n");
        for (const name of services) this.writeService(name, {});
        fs.writeFileSync(path.join(this.project, ".gitignore"), "report*.json\n");
        this.git("init", "-q", "-b", "main");
        this.git("add", "-A");
        this.git("commit", "-q", "-m", "the example project");
    }

    private writeService(name: string, behaviour: Behaviour): void {
        const dir = path.join(this.project, "sim", name);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "service.txt"), `${name}\n`);
        fs.writeFileSync(
            path.join(dir, "Dockerfile"),
            [
                "# A stand-in service: the simulator reads its behaviour from the image's environment.",
                "FROM scratch",
                "COPY service.txt /service.txt",
                "ARG GIT_SHA=unknown",
                `ENV GIT_SHA=$GIT_SHA SIM_BEHAVIOUR=${behaviour.SIM_BEHAVIOUR ?? "healthy"} SIM_MIGRATION=${behaviour.SIM_MIGRATION ?? "ok"}`,
                "",
            ].join("\n"),
        );
    }

    /** Changes services' images (a new commit), optionally with a behaviour; returns the new HEAD sha. */
    commit(changes: Record<string, Behaviour & { note?: string }>, message = "change services"): string {
        for (const [name, b] of Object.entries(changes)) {
            this.writeService(name, b);
            fs.appendFileSync(path.join(this.project, "sim", name, "service.txt"), `${b.note ?? message} ${Date.now()}\n`);
        }
        this.git("add", "-A");
        this.git("commit", "-q", "-m", message);
        return this.head();
    }

    /** Puts services' build contexts back as they were at `sha` (a new commit): their context digests match again. */
    revert(sha: string, services: string[]): string {
        this.git("checkout", sha, "--", ...services.map((s) => `sim/${s}`));
        this.git("commit", "-q", "-m", `back to ${sha.slice(0, 7)}: ${services.join(", ")}`);
        return this.head();
    }

    /** Switches the scripted pulumi's provider behaviour for the next invocations. */
    provider(options: { reportsRollbackAsSuccess: boolean }): void {
        const scenario = JSON.parse(fs.readFileSync(this.scenarioFile, "utf8"));
        scenario.sim.providerReportsRollbackAsSuccess = options.reportsRollbackAsSuccess;
        fs.writeFileSync(this.scenarioFile, JSON.stringify(scenario));
    }

    head(): string {
        return this.git("rev-parse", "HEAD").trim();
    }

    /** `git status --porcelain` of the checkout: empty when no release touched the working tree. */
    status(): string {
        return this.git("status", "--porcelain");
    }

    git(...args: string[]): string {
        return execFileSync("git", args, { cwd: this.project, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "e2e", GIT_AUTHOR_EMAIL: "e2e@example.com", GIT_COMMITTER_NAME: "e2e", GIT_COMMITTER_EMAIL: "e2e@example.com" } });
    }

    private async bootstrapImage(): Promise<string> {
        const dir = path.join(this.root, "bootstrap");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "service.txt"), "bootstrap\n");
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\nCOPY service.txt /service.txt\nENV GIT_SHA=bootstrap SIM_BEHAVIOUR=healthy SIM_MIGRATION=ok\n");
        const ref = `${this.env.registry}/berth/dev/bootstrap:v1`;
        await dockerOk(this.env, ["build", "-q", "-t", ref, dir]);
        const pushed = await dockerOk(this.env, ["push", ref]);
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
        if (!digest) throw new Error(`docker push ${ref} printed no digest:\n${pushed}`);
        return digest;
    }

    /** Environment of every CLI run: the simulator as AWS, the scripted pulumi first on PATH, the shared sim clock. */
    cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const key of Object.keys(env)) if (key.startsWith("AWS_") || key === "GITHUB_STEP_SUMMARY" || key === "SLACK_WEBHOOK_URL") delete env[key];
        return {
            ...env,
            PATH: `${FAKE_PULUMI}${path.delimiter}${process.env.PATH}`,
            FAKE_PULUMI_STATE: this.state,
            FAKE_PULUMI_SCENARIO: this.scenarioFile,
            AWS_ENDPOINT_URL: this.sim.endpoint,
            AWS_ACCESS_KEY_ID: "AKIASIMULATOR0000000",
            AWS_SECRET_ACCESS_KEY: "simulator-secret-access-key",
            AWS_REGION: this.outputs.region,
            AWS_EC2_METADATA_DISABLED: "true",
            DOCKER_HOST: this.env.dockerHost,
            DOCKER_CONFIG: path.join(this.root, "docker-config"),
            BERTH_SIM_CLOCK: this.clock.encode(),
            TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            ...extra,
        };
    }

    /**
     * Runs `berth <command> --stack dev …` as its own process group (a terminal's foreground job), from `cwd`
     * (the checkout by default). `interrupt` sends SIGINT to the whole group when it returns true, as Ctrl-C does;
     * `watch` polls the world (every 100 ms) and sends its signal to the group once `when` holds — SIGKILL is a CI
     * runner dying: berth is gone, the Pulumi CLI (a process group of its own) is not.
     */
    run(
        command: string,
        args: string[] = [],
        options: {
            stack?: string;
            cwd?: string;
            env?: Record<string, string>;
            interrupt?: (output: string) => boolean;
            watch?: { when: () => boolean; signal: NodeJS.Signals };
            timeoutMs?: number;
        } = {},
    ): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            const child = spawn(process.execPath, ["-r", ACCELERATED_CLOCK, compiledCli(), command, "--stack", options.stack ?? "dev", ...args], {
                cwd: options.cwd ?? this.project,
                env: this.cliEnv(options.env),
                detached: true,
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            let interrupted = false;
            const check = () => {
                if (!interrupted && options.interrupt?.(stderr)) {
                    interrupted = true;
                    process.kill(-child.pid!, "SIGINT");
                }
            };
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => {
                stderr += d.toString();
                check();
            });
            const timer = setTimeout(() => {
                process.kill(-child.pid!, "SIGKILL");
                reject(new Error(`berth ${command} did not finish within ${options.timeoutMs ?? 240_000} ms\nstderr:\n${stderr}\nstdout:\n${stdout}`));
            }, options.timeoutMs ?? 240_000);
            const poll = options.watch
                ? setInterval(() => {
                      if (interrupted || !options.watch!.when()) return;
                      interrupted = true;
                      process.kill(-child.pid!, options.watch!.signal);
                  }, 100)
                : undefined;
            child.on("error", reject);
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                clearInterval(poll);
                resolve({ code, signal, stdout, stderr });
            });
        });
    }

    /** The released set the driver recorded in SSM (read past any simulated lag). */
    released(): Record<string, any> | undefined {
        const v = this.sim.readParameter(this.outputs.releasedImagesParameter, false);
        return v ? JSON.parse(v.value) : undefined;
    }

    /** Release history entries in SSM, oldest first. */
    history(): Record<string, any>[] {
        const prefix = this.outputs.releasedImagesParameter.replace(/\/[^/]+$/, "/releases/");
        return this.sim.calls
            .filter((c) => c.api === "ssm" && c.operation === "PutParameter" && !c.error && String(c.input.Name).startsWith(prefix))
            .map((c) => JSON.parse(String(c.input.Value)));
    }

    /** argv of every scripted-pulumi invocation so far. */
    pulumiInvocations(): Record<string, any>[] {
        const file = path.join(this.state, "invocations.jsonl");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
    }

    /** Per-service [start, end] (sim seconds) of `up` service updates, from the scripted engine's events since line `from`. */
    rolloutSpans(from = 0): Record<string, [number, number]> {
        const file = path.join(this.state, "events.jsonl");
        const spans: Record<string, [number, number]> = {};
        if (!fs.existsSync(file)) return spans;
        for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(from)) {
            const e = JSON.parse(line);
            const meta = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
            const m = meta && e.command === "up" && /::svc-(.+)-service$/.exec(meta.urn);
            if (!m) continue;
            if (e.resourcePreEvent) spans[m[1]] = [e.timestamp, e.timestamp];
            else spans[m[1]][1] = e.timestamp;
        }
        return spans;
    }

    pulumiState(): Record<string, any> {
        return JSON.parse(fs.readFileSync(path.join(this.state, "state.json"), "utf8"));
    }

    /** What ECS runs now for a service: its primary deployment's task definition image. */
    runningImage(service: string): string {
        const svc = this.sim.ecs.service(this.outputs.clusterName, this.outputs.services[service].serviceName)!;
        const primary = svc.deployments.find((d) => d.status === "PRIMARY")!;
        return this.sim.ecs.taskDefinition(primary.taskDefinition)!.containers[0].image;
    }

    digestOf(service: string): string {
        const image = this.runningImage(service);
        return image.slice(image.indexOf("@") + 1);
    }
}

/** The release record's state from the Markdown report at the end of stdout. */
export function reportState(stdout: string): string | undefined {
    return /\b(RELEASED|NOTHING_TO_DO|ROLLED_BACK|FAILED_BEFORE_CHANGE|NEEDS_ATTENTION|INTERRUPTED)\b/.exec(stdout.slice(stdout.lastIndexOf("### ") >= 0 ? stdout.lastIndexOf("###") : 0))?.[1];
}
