// Runs the real @pulumi/pulumi/automation code path against the scripted CLI in test/fixtures/fake-pulumi.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mapStackError, openPulumiStack, releaseStackSettings, SECRET_OUTPUT } from "../../../automation/adapters/pulumiStack";
import { EngineEvent, EnvironmentError, PulumiCliMissingError, RefreshFailedError, StackLockedError, StackNotFoundError } from "../../../automation/ports";
import { parseConfigValue } from "../../../infra/config/pulumiConfig";

const FAKE_DIR = path.resolve(__dirname, "../../fixtures/fake-pulumi");
const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;

const urn = (name: string) => `urn:pulumi:dev::berth::aws:ecs/service:Service::${name}`;
const meta = (op: string, name: string) => ({ op, urn: urn(name), type: "aws:ecs/service:Service" });
const pre = (op: string, name: string) => ({ resourcePreEvent: { metadata: meta(op, name) } });
const done = (op: string, name: string) => ({ resOutputsEvent: { metadata: meta(op, name) } });

describe("PulumiStack adapter over the Automation API (fake pulumi CLI)", function () {
    this.timeout(20_000);
    const saved = { PATH: process.env.PATH, state: process.env.FAKE_PULUMI_STATE, scenario: process.env.FAKE_PULUMI_SCENARIO };
    let root: string;
    let projectDir: string;
    let stateDir: string;

    function scenario(value: object) {
        const file = path.join(root, "scenario.json");
        fs.writeFileSync(file, JSON.stringify(value));
        process.env.FAKE_PULUMI_SCENARIO = file;
    }
    function invocations(): string[][] {
        const file = path.join(stateDir, "invocations.jsonl");
        return fs.readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line)).filter((e) => e.argv).map((e) => e.argv);
    }
    function signals(): string[] {
        const file = path.join(stateDir, "invocations.jsonl");
        return fs.readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line)).filter((e) => e.signal).map((e) => e.signal);
    }
    function operationConfigs(): { command: string; operationConfig: Record<string, string>; configFile?: string }[] {
        const file = path.join(stateDir, "invocations.jsonl");
        return fs.readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line)).filter((e) => e.operationConfig);
    }
    const open = () => openPulumiStack({ stackName: "dev", projectDir });

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "berth-fake-pulumi-"));
        projectDir = path.join(root, "project");
        stateDir = path.join(root, "state");
        fs.mkdirSync(projectDir);
        fs.mkdirSync(stateDir);
        fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: berth\nruntime: nodejs\n");
        process.env.PATH = `${FAKE_DIR}${path.delimiter}${saved.PATH}`;
        process.env.FAKE_PULUMI_STATE = stateDir;
        scenario({});
    });
    afterEach(() => {
        process.env.PATH = saved.PATH;
        for (const [key, value] of [["FAKE_PULUMI_STATE", saved.state], ["FAKE_PULUMI_SCENARIO", saved.scenario]] as const) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("locates `pulumi` on PATH, checks its version and selects the stack without creating it", async () => {
        const stack = await open();
        expect(stack.name).to.equal("dev");
        expect(invocations()).to.deep.equal([["version"], ["stack", "select", "--stack", "dev", "--non-interactive"]]);
    });

    it("reads outputs as plain values and masks secret outputs", async () => {
        scenario({ outputs: { clusterName: "berth-dev", subnetIds: ["subnet-1", "subnet-2"], dbPassword: { secret: "hunter2" } } });
        const outputs = await (await open()).outputs();
        expect(outputs).to.deep.equal({ clusterName: "berth-dev", subnetIds: ["subnet-1", "subnet-2"], dbPassword: SECRET_OUTPUT });
    });

    it("hands berth:images (one plaintext JSON value) and berth:migrationImage to the operation itself through --config-file, keeping the stack's other settings", async () => {
        const file = path.join(projectDir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, "# dev stack\nencryptionsalt: v1:abc\nconfig:\n  berth:environment: dev\n  berth:migrationImage: sha256:stale\n");
        const stack = await open();
        const images = { "api-gateway": DIGEST_A, accounts: DIGEST_B };
        await stack.up({ config: { images, migrationImage: DIGEST_B } });
        await stack.preview({ config: { images: { accounts: DIGEST_B } } }); // replaces the map: api-gateway does not linger
        const seen = operationConfigs();
        expect(seen.map((c) => c.command)).to.deep.equal(["up", "preview"]);
        expect(parseConfigValue(seen[0].operationConfig["berth:images"])).to.deep.equal(images);
        expect(seen[0].operationConfig).to.deep.include({ "berth:environment": "dev", "berth:migrationImage": DIGEST_B });
        expect(parseConfigValue(seen[1].operationConfig["berth:images"])).to.deep.equal({ accounts: DIGEST_B });
        expect(seen[1].operationConfig).to.not.have.property("berth:migrationImage");
        expect(seen[1].operationConfig["berth:environment"]).to.equal("dev");
        const up = invocations().find((a) => a[0] === "up")!;
        expect(path.basename(up[up.indexOf("--config-file") + 1])).to.equal("Pulumi.dev.yaml");
        expect(invocations().some((a) => a[0] === "config")).to.equal(false);
    });

    it("releaseStackSettings keeps comments, the salt and other keys; an absent stack file gets a config map", () => {
        const text = releaseStackSettings("# dev\nencryptionsalt: v1:abc\nconfig:\n  aws:region: eu-west-1 # region\n", { images: { a: DIGEST_A }, migrationImage: DIGEST_B });
        expect(text).to.equal(`# dev\nencryptionsalt: v1:abc\nconfig:\n  aws:region: eu-west-1 # region\n  berth:images: '{"a":"${DIGEST_A}"}'\n  berth:migrationImage: ${DIGEST_B}\n`);
        expect(releaseStackSettings(undefined, { images: {} })).to.equal(`config:\n  berth:images: "{}"\n`);
    });

    for (const [transport, version] of [["gRPC event stream (CLI > 3.205)", "v3.248.0"], ["JSON-lines event log file (CLI <= 3.205)", "v3.205.0"]]) {
        it(`up streams the scripted engine events in order over the ${transport} and returns the summary`, async () => {
            const events = [pre("update", "accounts"), done("update", "accounts"), pre("update", "api-gateway"), done("update", "api-gateway")];
            scenario({ version, up: { events } });
            const seen: EngineEvent[] = [];
            const result = await (await open()).up({ onEvent: (e) => seen.push(e), parallel: 4, message: "berth release r1" });
            expect(result).to.deep.equal({ result: "succeeded", updateId: "1", resourceChanges: { update: 2 } });
            expect(seen.map((e) => e.sequence)).to.deep.equal([0, 1, 2, 3, 4, 5]);
            expect(seen.slice(1, 5).map((e) => e.resourcePreEvent?.metadata.urn ?? `done ${e.resOutputsEvent?.metadata.urn}`)).to.deep.equal([
                urn("accounts"), `done ${urn("accounts")}`, urn("api-gateway"), `done ${urn("api-gateway")}`,
            ]);
            expect(seen[5].summaryEvent?.resourceChanges).to.deep.equal({ update: 2 });
            const up = invocations().find((a) => a[0] === "up")!;
            const eventLog = up[up.indexOf("--event-log") + 1];
            expect(eventLog).to.match(version === "v3.248.0" ? /^tcp:\/\/127\.0\.0\.1:\d+$/ : /eventlog\.txt$/);
            expect(up).to.deep.equal(["up", "--yes", "--skip-preview", "--message", "berth release r1", "--parallel", "4", "--color", "never",
                "--exec-kind", "auto.local", "--event-log", eventLog, "--stack", "dev", "--non-interactive"]);
            // After the update the SDK reads outputs (masked, then with --show-secrets) and the latest history entry.
            expect(invocations().slice(-3)).to.deep.equal([
                ["stack", "output", "--json", "--stack", "dev", "--non-interactive"],
                ["stack", "output", "--json", "--show-secrets", "--stack", "dev", "--non-interactive"],
                ["stack", "history", "--json", "--page-size", "1", "--page", "1", "--stack", "dev", "--non-interactive"],
            ]);
        });
    }

    it('"no changes" is a success', async () => {
        scenario({ up: { events: [pre("same", "accounts"), done("same", "accounts"), pre("same", "orders"), done("same", "orders")] } });
        const result = await (await open()).up({});
        expect(result).to.deep.equal({ result: "succeeded", updateId: "1", resourceChanges: { same: 2 } });
    });

    it("an update whose resource fails is a failed result with its update id, not a thrown error", async () => {
        const failed = { resOpFailedEvent: { metadata: meta("update", "orders"), status: 1, steps: 1 } };
        const diag = { diagnosticEvent: { urn: urn("orders"), message: "ECS service did not stabilise", severity: "error" } };
        scenario({ history: { dev: [{ version: 6, kind: "update", startTime: "2026-05-01T10:00:00Z", message: "", environment: {}, config: {}, result: "succeeded", endTime: "2026-05-01T10:05:00Z", resourceChanges: { update: 1 } }] },
            up: { events: [pre("update", "orders"), failed, diag], exitCode: 255, stderr: "error: update failed\n", resourceChanges: { same: 4, update: 1 } } });
        const seen: EngineEvent[] = [];
        const result = await (await open()).up({ onEvent: (e) => seen.push(e) });
        expect(result).to.deep.equal({ result: "failed", updateId: "7", resourceChanges: { same: 4, update: 1 } });
        expect(seen.some((e) => e.diagnosticEvent?.message === "ECS service did not stabilise")).to.equal(true);
    });

    it("no operation changes the working tree: succeeded, failed, interrupted or thrown, the stack file stays as it was and nothing is left beside it", async () => {
        const file = path.join(projectDir, "Pulumi.dev.yaml");
        const original = "# dev stack\nconfig:\n  berth:environment: dev\n";
        fs.writeFileSync(file, original);
        const tree = () => fs.readdirSync(projectDir).sort();
        const before = tree();
        // A private temp root: other processes on the machine may be using the shared one at the same time.
        const savedTmp = process.env.TMPDIR;
        process.env.TMPDIR = fs.mkdtempSync(path.join(os.tmpdir(), "berth-tree-test-"));
        try {
            const tmpBefore = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("berth-config-")).length;
            const config = { images: { api: DIGEST_A }, migrationImage: DIGEST_B };
            const stack = await open();
            const check = () => {
                expect(fs.readFileSync(file, "utf8")).to.equal(original);
                expect(tree()).to.deep.equal(before);
                expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("berth-config-"))).to.have.length(tmpBefore);
            };
            scenario({ up: { events: [], resourceChanges: { same: 3, update: 1 } } });
            await stack.up({ config });
            check();
            scenario({ up: { events: [], exitCode: 255, stderr: "error: boom\n" } });
            await stack.up({ config }).catch(() => undefined);
            check();
            scenario({ up: { events: [pre("update", "accounts"), done("update", "accounts"), pre("update", "orders")], delayMs: 50 } });
            const controller = new AbortController();
            await stack.up({ config, signal: controller.signal, onEvent: (e) => e.resourcePreEvent && controller.abort() }).catch(() => undefined);
            expect(signals()).to.deep.equal(["SIGINT"]);
            check();
            scenario({ fail: { up: { stderr: "panic: runtime error\n", exitCode: 2 } } });
            const thrown = await stack.up({ config }).then(() => undefined, (e: unknown) => e);
            expect(thrown).to.be.instanceOf(Error);
            check();
            expect(operationConfigs().filter((c) => c.command === "up")).to.have.length(3);
        } finally {
            if (savedTmp === undefined) delete process.env.TMPDIR;
            else process.env.TMPDIR = savedTmp;
        }
    });

    it("F12: a concurrent update (409) becomes StackLockedError with its hint and exit code", async () => {
        scenario({ fail: { up: { stderr: "error: [409] Conflict: Another update is currently in progress.\n" } } });
        const stack = await open();
        const error = await stack.up({}).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(StackLockedError);
        expect((error as Error).message).to.equal("stack dev is locked: another update is in progress");
        const mapped = mapStackError(error, "dev");
        expect(mapped.error).to.equal(error);
        expect(mapped.exitCode).to.equal(3);
        expect(mapped.hint).to.equal("another update is running on stack dev; wait for it to finish, or check `pulumi stack history --stack dev`");
    });

    it("F12: a locked DIY backend stack is StackLockedError too", async () => {
        scenario({ fail: { preview: { stderr: "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" } } });
        const error = await (await open()).preview({}).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(StackLockedError);
    });

    it("an unknown stack is StackNotFoundError with a hint to create it or check the login", async () => {
        const error = await openPulumiStack({ stackName: "prod", projectDir }).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(StackNotFoundError);
        expect((error as Error).message).to.equal("no stack named prod");
        const mapped = mapStackError(error, "prod");
        expect(mapped.exitCode).to.equal(3);
        expect(mapped.hint).to.equal("check the stack name and `pulumi whoami` (the right backend and organisation?); create it with `pulumi stack init prod`");
        expect(invocations()).to.deep.equal([["version"], ["stack", "select", "--stack", "prod", "--non-interactive"]]);
    });

    it("no pulumi on PATH is PulumiCliMissingError with the install hint", async () => {
        const empty = path.join(root, "empty-bin");
        fs.mkdirSync(empty);
        process.env.PATH = empty;
        const error = await open().then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(PulumiCliMissingError);
        expect((error as Error).message).to.equal("the Pulumi CLI was not found (pulumi is not on PATH)");
        const mapped = mapStackError(error, "dev");
        expect([mapped.exitCode, mapped.hint]).to.deep.equal([3, "install the Pulumi CLI: https://www.pulumi.com/docs/install/"]);
    });

    it("a CLI older than the SDK's minimum is PulumiCliMissingError too", async () => {
        scenario({ version: "v3.1.0" });
        const error = await open().then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(PulumiCliMissingError);
        expect((error as Error).message).to.match(/^the Pulumi CLI cannot be used: Minimum version requirement failed/);
    });

    it("F13: aborting the signal mid-up stops the engine gracefully (SIGINT) and never runs `pulumi cancel`", async () => {
        const events = [pre("update", "accounts"), done("update", "accounts"), pre("update", "orders"), done("update", "orders"), pre("update", "api-gateway"), done("update", "api-gateway")];
        scenario({ up: { events, delayMs: 80 } });
        const stack = await open();
        const controller = new AbortController();
        const seen: EngineEvent[] = [];
        const onEvent = (e: EngineEvent) => {
            seen.push(e);
            if (e.resourcePreEvent?.metadata.urn === urn("orders")) controller.abort();
        };
        const error = await stack.up({ onEvent, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
        expect((error as Error).name).to.equal("AbortError");
        expect(signals()).to.deep.equal(["SIGINT"]);
        expect(invocations().some((a) => a[0] === "cancel")).to.equal(false);
        // The engine finished the operation it had started (orders), then stopped before api-gateway.
        const urns = seen.filter((e) => e.resOutputsEvent).map((e) => e.resOutputsEvent!.metadata.urn);
        expect(urns).to.deep.equal([urn("accounts"), urn("orders")]);
        expect(seen.some((e) => e.cancelEvent)).to.equal(true);
        expect((await stack.history(1)).map((h) => [h.version, h.result])).to.deep.equal([[1, "failed"]]);
        const mapped = mapStackError(error, "dev");
        expect(mapped.exitCode).to.equal(2);
        expect(mapped.hint).to.equal("the update stopped after finishing the operations in flight; check `pulumi stack history --stack dev` and run `pulumi refresh --stack dev` if it reports pending operations");
    });

    it("an already aborted signal starts no update", async () => {
        const stack = await open();
        const error = await stack.up({ signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e);
        expect((error as Error).name).to.equal("AbortError");
        expect(invocations().some((a) => a[0] === "up")).to.equal(false);
    });

    it("preview returns the change summary and changes no history", async () => {
        scenario({ preview: { events: [pre("update", "accounts"), done("update", "accounts"), pre("same", "orders"), done("same", "orders")] } });
        const stack = await open();
        expect(await stack.preview({ parallel: 2 })).to.deep.equal({ result: "succeeded", resourceChanges: { update: 1, same: 1 } });
        expect(await stack.history(5)).to.deep.equal([]);
        const preview = invocations().find((a) => a[0] === "preview")!;
        expect(preview.slice(0, 5)).to.deep.equal(["preview", "--parallel", "2", "--color", "never"]);
        expect(preview).to.not.include("--yes");
    });

    it("refreshPreview runs `pulumi refresh --preview-only`, streams its refresh events and writes no history", async () => {
        const fixture = fs.readFileSync(path.resolve(__dirname, "../../fixtures/drift/dev-refresh.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
        const scripted = fixture.filter((e) => e.resourcePreEvent || e.resOutputsEvent).map(({ sequence: _s, timestamp: _t, ...rest }) => rest);
        scenario({ refresh: { events: scripted } });
        const stack = await open();
        const seen: EngineEvent[] = [];
        expect(await stack.refreshPreview({ onEvent: (e) => seen.push(e) })).to.deep.equal({ result: "succeeded", resourceChanges: { same: 6, update: 2, delete: 1 } });
        expect(seen.filter((e) => e.resOutputsEvent).map((e) => e.resOutputsEvent!.metadata.op)).to.deep.equal(["same", "same", "same", "same", "same", "update", "same", "update", "delete"]);
        expect(seen.filter((e) => e.resourcePreEvent).every((e) => e.resourcePreEvent!.metadata.op === "refresh")).to.equal(true);
        const refresh = invocations().find((a) => a[0] === "refresh")!;
        expect(refresh.slice(0, 6)).to.deep.equal(["refresh", "--preview-only", "--message", "berth drift", "--color", "never"]);
        expect(refresh).to.not.include("--yes");
        expect(await stack.history(5)).to.deep.equal([]);
    });

    it("a refresh preview the engine fails is a RefreshFailedError in the engine's words; a locked stack stays StackLockedError", async () => {
        scenario({ refresh: { events: [], exitCode: 255, stderr: "error: reading ECS Task Definition (berth-dev-orders): AccessDeniedException: not authorized" } });
        const error = await (await open()).refreshPreview({}).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(RefreshFailedError);
        expect((error as Error).message).to.equal("the refresh preview of stack dev failed: error: reading ECS Task Definition (berth-dev-orders): AccessDeniedException: not authorized");
        scenario({ fail: { refresh: { stderr: "error: [409] Conflict: Another update is currently in progress.", exitCode: 255 } } });
        const locked = await (await open()).refreshPreview({}).then(() => undefined, (e: unknown) => e);
        expect(locked).to.be.instanceOf(StackLockedError);
    });

    it("history maps the CLI's entries to StackHistoryEntry without asking for secrets", async () => {
        const entry = (version: number, result: string, message: string) => ({
            version, kind: "update", startTime: `2026-05-0${version}T10:00:00Z`, message, environment: { "exec.kind": "auto.local" },
            config: {}, result, endTime: `2026-05-0${version}T10:04:30Z`, resourceChanges: { update: 1 },
        });
        scenario({ history: { dev: [entry(3, "succeeded", "berth release r3"), entry(2, "failed", ""), entry(1, "succeeded", "first")] } });
        const history = await (await open()).history(2);
        expect(history).to.deep.equal([
            { version: 3, kind: "update", result: "succeeded", startTime: "2026-05-03T10:00:00.000Z", endTime: "2026-05-03T10:04:30.000Z", message: "berth release r3" },
            { version: 2, kind: "update", result: "failed", startTime: "2026-05-02T10:00:00.000Z", endTime: "2026-05-02T10:04:30.000Z" },
        ]);
        expect(invocations().at(-1)).to.deep.equal(["stack", "history", "--json", "--page-size", "2", "--page", "1", "--stack", "dev", "--non-interactive"]);
    });

    describe("environment problems from the AWS adapters: one line naming the call, the cause and the fix (exit 3)", () => {
        const sdk = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
        const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), { code: "ECONNREFUSED" });
        const network = refused();
        const gaveUp = (error: Error, call: string, attempts: number) => {
            const e = error as Error & { $metadata?: Record<string, unknown> };
            return Object.assign(e, { call, $metadata: { ...e.$metadata, attempts, totalRetryDelay: 30_000 } });
        };
        const SIGN_IN = "sign in again (`aws sso login`, AWS_PROFILE) or, in CI, check the aws-actions/configure-aws-credentials step";
        const cases: [string, unknown, string, string][] = [
            ["invalid key", Object.assign(sdk("UnrecognizedClientException", "The security token included in the request is invalid."), { call: "ecs:DescribeServices" }),
                "ecs:DescribeServices: the AWS credentials are not valid (UnrecognizedClientException: The security token included in the request is invalid.)", SIGN_IN],
            ["expired token", Object.assign(sdk("ExpiredTokenException", "The security token included in the request is expired"), { call: "ssm:GetParameter /berth/dev/released-images" }),
                "ssm:GetParameter /berth/dev/released-images: the AWS session has expired (ExpiredTokenException: The security token included in the request is expired)", "refresh the credentials (`aws sso login`, or a new role session in CI) and rerun"],
            ["access denied", Object.assign(sdk("AccessDeniedException", "not authorized"), { call: "ecr:DescribeImages berth-dev-api" }),
                "ecr:DescribeImages berth-dev-api: access denied (AccessDeniedException: not authorized)", "the role berth runs as needs permission for ecr:DescribeImages: check the deploy role's policy (ci.deployRoleArn) or the AWS_PROFILE in use"],
            ["no credentials", Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
                "an AWS call: no AWS credentials found (CredentialsProviderError: Could not load credentials from any providers)", SIGN_IN],
            ["refused connection", network, "an AWS call: cannot reach AWS (connect ECONNREFUSED 127.0.0.1:4566)", "check the network, any proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL / the region"],
            // What the SDK client throws when its attempts are spent: the last attempt's error, attempts in $metadata.
            ["retries given up on throttling", gaveUp(sdk("ThrottlingException", "Rate exceeded"), "elasticloadbalancing:DescribeTargetHealth", 8),
                "elasticloadbalancing:DescribeTargetHealth: AWS kept failing, retries given up after 8 attempts (ThrottlingException: Rate exceeded)", "AWS is throttling or unavailable: wait a few minutes and rerun (a smaller --parallel makes fewer calls)"],
            ["retries given up on a 503", gaveUp(sdk("ServiceUnavailableException", "Service Unavailable", 503), "ecs:DescribeServices", 8),
                "ecs:DescribeServices: AWS kept failing, retries given up after 8 attempts (ServiceUnavailableException: Service Unavailable)", "AWS is throttling or unavailable: wait a few minutes and rerun (a smaller --parallel makes fewer calls)"],
            ["retries given up on a refused connection", gaveUp(refused(), "ecs:DescribeTasks", 8),
                "ecs:DescribeTasks: cannot reach AWS (connect ECONNREFUSED 127.0.0.1:4566)", "check the network, any proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL / the region"],
        ];
        for (const [what, error, message, hint] of cases) {
            it(what, () => {
                const mapped = mapStackError(error, "dev");
                expect(mapped.error).to.be.instanceOf(EnvironmentError);
                expect([mapped.error.message, mapped.hint, mapped.exitCode, mapped.expected]).to.deep.equal([message, hint, 3, true]);
            });
        }

        it("a throttled error that was not retried (no attempts recorded: not from an SDK client) is not called an environment problem", () => {
            expect(mapStackError(sdk("ThrottlingException", "Rate exceeded"), "dev").expected).to.equal(false);
        });
    });

    it("anything else passes through unchanged as a bug", () => {
        const bug = new TypeError("cannot read properties of undefined");
        const mapped = mapStackError(bug, "dev");
        expect(mapped.error).to.equal(bug);
        expect([mapped.exitCode, mapped.expected]).to.deep.equal([2, false]);
    });
});
