// StackPort over @pulumi/pulumi/automation (a local-source LocalWorkspace driving the `pulumi` CLI), and the one
// function that maps Automation API failures to berth's errors, exit codes and hints.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    CommandError,
    ConcurrentUpdateError,
    EngineEvent as SdkEngineEvent,
    LocalWorkspace,
    PulumiCommand,
    Stack,
    StackNotFoundError as SdkStackNotFoundError,
} from "@pulumi/pulumi/automation";
import { environmentProblem } from "./environmentErrors";
import { inOwnProcessGroup } from "./pulumiProcess";
import {
    EngineEvent,
    EnvironmentError,
    PulumiCliMissingError,
    RefreshFailedError,
    RefreshPreviewPort,
    ReleaseConfig,
    StackHistoryEntry,
    StackLockedError,
    StackNotFoundError,
    StackPort,
    StackUpdateOptions,
    UpdateResult,
} from "../ports";

/** What `outputs()` returns in place of a secret output's value (the CLI's own mask). */
export const SECRET_OUTPUT = "[secret]";

export const INSTALL_URL = "https://www.pulumi.com/docs/install/";

export interface PulumiStackOptions {
    stackName: string;
    /** The directory holding Pulumi.yaml. */
    projectDir: string;
    /** An install root holding `bin/pulumi`; by default the `pulumi` found on PATH. */
    pulumiRoot?: string;
    /** Extra environment for every CLI invocation. */
    envVars?: Record<string, string>;
}

/** Selects an existing stack (never creates one: a typo in --stack must not make a new environment). */
export async function openPulumiStack(options: PulumiStackOptions): Promise<PulumiStack> {
    try {
        // Its own process group: a terminal's Ctrl-C reaches berth only, and berth's abort reaches the CLI once.
        const pulumiCommand = inOwnProcessGroup(await PulumiCommand.get(options.pulumiRoot === undefined ? undefined : { root: options.pulumiRoot }));
        const stack = await LocalWorkspace.selectStack(
            { stackName: options.stackName, workDir: options.projectDir },
            { pulumiCommand, envVars: options.envVars },
        );
        return new PulumiStack(stack, options.projectDir);
    } catch (error) {
        throw mapStackError(error, options.stackName).error;
    }
}

export class PulumiStack implements StackPort, RefreshPreviewPort {
    readonly name: string;

    constructor(
        private readonly stack: Stack,
        private readonly projectDir?: string,
    ) {
        this.name = stack.name;
    }

    /**
     * Plain output values; a secret output keeps its key with the value SECRET_OUTPUT. The SDK reads outputs with
     * `--show-secrets` (and does so after every `up`), so the plaintext passes through this process but never out.
     */
    async outputs(): Promise<Record<string, unknown>> {
        const outputs = await this.call(() => this.stack.outputs());
        return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? SECRET_OUTPUT : output.value]));
    }

    async up(options: StackUpdateOptions): Promise<UpdateResult> {
        return this.update("up", options);
    }

    async preview(options: StackUpdateOptions): Promise<UpdateResult> {
        return this.update("preview", options);
    }

    /**
     * `pulumi refresh --preview-only` (the SDK's previewRefresh): the engine reads every resource from the cloud and
     * reports how it differs from the state, writing nothing. The program does not run, so no release config is needed.
     */
    async refreshPreview(options: { onEvent?: (event: EngineEvent) => void; signal?: AbortSignal }): Promise<UpdateResult> {
        const { signal } = options;
        if (signal?.aborted) throw interrupted(this.name, "refresh");
        const delivered = new Set<number>();
        const onEvent = (event: SdkEngineEvent) => {
            if (delivered.has(event.sequence)) return;
            delivered.add(event.sequence);
            options.onEvent?.(event as unknown as EngineEvent);
        };
        try {
            const result = await this.stack.previewRefresh({ onEvent, signal, color: "never", message: "berth drift" });
            return { result: "succeeded", resourceChanges: numbers(result.changeSummary) };
        } catch (error) {
            if (signal?.aborted) throw interrupted(this.name, "refresh");
            const mapped = mapStackError(error, this.name);
            // The CLI ran and reported failure (a resource that could not be read): an outcome, told in its own words.
            if (!mapped.expected && error instanceof CommandError) {
                // CommandResult.toString(): "code: …\n stdout: …\n stderr: error: …"; the engine's error lines name the cause.
                const lines = error.message.split("\n").map((l) => l.trim().replace(/^(stdout|stderr): /, "")).filter((l) => /^error:/i.test(l));
                throw new RefreshFailedError(`the refresh preview of stack ${this.name} failed: ${lines.slice(-3).join(" ") || "see the Pulumi output above"}`);
            }
            throw mapped.error;
        }
    }

    async history(limit: number): Promise<StackHistoryEntry[]> {
        // showSecrets defaults to true in the SDK; berth never needs decrypted config from history.
        const entries = await this.call(() => this.stack.history(limit, 1, false));
        return entries.map((entry) => ({
            version: entry.version,
            kind: entry.kind,
            result: entry.result,
            startTime: isoTime(entry.startTime),
            ...(entry.endTime === undefined ? {} : { endTime: isoTime(entry.endTime) }),
            ...(entry.message ? { message: entry.message } : {}),
        }));
    }

    /**
     * The release's config goes to this one operation through `--config-file`: a private copy of the checked-in
     * Pulumi.<stack>.yaml (secrets provider, salt and every other key kept) with berth:images set and
     * berth:migrationImage set or removed. The working tree is never written, whatever happens to the update.
     */
    private async update(kind: "up" | "preview", options: StackUpdateOptions): Promise<UpdateResult> {
        if (options.signal?.aborted) throw interrupted(this.name, kind);
        if (!options.config) return this.run(kind, options, undefined);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-config-"));
        try {
            const configFile = path.join(dir, path.basename(this.stackFile()));
            fs.writeFileSync(configFile, releaseStackSettings(this.readStackFile(), options.config));
            return await this.run(kind, options, configFile);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    private stackFile(): string {
        return path.join(this.projectDir ?? ".", `Pulumi.${this.name.split("/").pop()}.yaml`);
    }

    private readStackFile(): string | undefined {
        const file = this.stackFile();
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    }

    private async run(kind: "up" | "preview", options: StackUpdateOptions, configFile: string | undefined): Promise<UpdateResult> {
        const { signal } = options;
        if (signal?.aborted) throw interrupted(this.name, kind);
        let summary: SdkEngineEvent["summaryEvent"];
        // The SDK's event-log tailing can deliver an event twice (see ProgressTracker): pass each sequence on once.
        const delivered = new Set<number>();
        const onEvent = (event: SdkEngineEvent) => {
            if (delivered.has(event.sequence)) return;
            delivered.add(event.sequence);
            if (event.summaryEvent) summary = event.summaryEvent;
            // ports.EngineEvent is the subset of the SDK's shape that berth reads.
            options.onEvent?.(event as unknown as EngineEvent);
        };
        const sdkOptions = { onEvent, signal, parallel: options.parallel, message: options.message, color: "never" as const, ...(configFile ? { configFile } : {}) };
        try {
            if (kind === "preview") {
                const result = await this.stack.preview(sdkOptions);
                return { result: "succeeded", resourceChanges: numbers(result.changeSummary) };
            }
            // Without an explicit false the SDK reads the post-update history entry with --show-secrets.
            const result = await this.stack.up({ ...sdkOptions, showSecrets: false });
            return {
                result: result.summary.result === "succeeded" ? "succeeded" : "failed",
                updateId: String(result.summary.version),
                resourceChanges: numbers(result.summary.resourceChanges ?? summary?.resourceChanges),
            };
        } catch (error) {
            // SIGINT made the engine stop after the operations in flight; the CLI then exits non-zero.
            if (signal?.aborted) throw interrupted(this.name, kind);
            // The engine ran to its summary and reported failure (a resource failed): an outcome, not a crash.
            if (summary && error instanceof CommandError && !(error instanceof ConcurrentUpdateError)) {
                const latest = kind === "up" ? await this.history(1).catch(() => []) : [];
                return { result: "failed", ...(latest[0] ? { updateId: String(latest[0].version) } : {}), resourceChanges: numbers(summary.resourceChanges) };
            }
            throw mapStackError(error, this.name).error;
        }
    }

    private async call<T>(operation: () => Promise<T>): Promise<T> {
        try {
            return await operation();
        } catch (error) {
            throw mapStackError(error, this.name).error;
        }
    }
}

/**
 * The stack settings for one release operation: `stackFile` (the checked-in Pulumi.<stack>.yaml, undefined when
 * absent) with `berth:images` as one plaintext JSON value replacing the whole map (services dropped from the set
 * do not linger) and `berth:migrationImage` set when given, removed otherwise. Comments and other keys survive.
 */
export function releaseStackSettings(stackFile: string | undefined, config: ReleaseConfig): string {
    const doc = YAML.parseDocument(stackFile?.trim() ? stackFile : "config:\n");
    if (doc.errors.length > 0) throw doc.errors[0];
    if (!YAML.isMap(doc.get("config"))) doc.set("config", doc.createNode({}));
    doc.setIn(["config", "berth:images"], JSON.stringify(config.images));
    if (config.migrationImage !== undefined) doc.setIn(["config", "berth:migrationImage"], config.migrationImage);
    else doc.deleteIn(["config", "berth:migrationImage"]);
    return doc.toString();
}

export interface MappedStackError {
    /** A ports.ts error for the expected failures; the original error otherwise (a bug: print its stack). */
    error: Error;
    /** berth's exit code: 3 for a precondition the user must fix (nothing was changed), 2 otherwise. */
    exitCode: number;
    hint: string;
    /** False for anything unexpected: the CLI prints the stack, not only the message. */
    expected: boolean;
}

/**
 * berth's one error-mapping function. Maps an Automation API failure (or one already mapped by this adapter) by
 * class, and an AWS adapter's environment problem by SDK error name, code or status (environmentErrors.ts). A lock met before the release
 * changed anything is a precondition (exit 3); a stage that meets one mid-release reports NEEDS_ATTENTION itself.
 */
export function mapStackError(error: unknown, stackName = "<stack>"): MappedStackError {
    const history = `\`pulumi stack history --stack ${stackName}\``;
    if (error instanceof StackLockedError || error instanceof ConcurrentUpdateError) {
        return {
            error: error instanceof StackLockedError ? error : new StackLockedError(`stack ${stackName} is locked: another update is in progress`),
            exitCode: 3,
            hint: `another update is running on stack ${stackName}; wait for it to finish, or check ${history}`,
            expected: true,
        };
    }
    if (error instanceof StackNotFoundError || error instanceof SdkStackNotFoundError) {
        return {
            error: error instanceof StackNotFoundError ? error : new StackNotFoundError(`no stack named ${stackName}`),
            exitCode: 3,
            hint: `check the stack name and \`pulumi whoami\` (the right backend and organisation?); create it with \`pulumi stack init ${stackName}\``,
            expected: true,
        };
    }
    const cli = cliProblem(error);
    if (cli !== undefined) {
        return {
            error: error instanceof PulumiCliMissingError ? error : new PulumiCliMissingError(cli),
            exitCode: 3,
            hint: `install the Pulumi CLI: ${INSTALL_URL}`,
            expected: true,
        };
    }
    if (isAbortError(error)) {
        return {
            error,
            exitCode: 2,
            hint: `the update stopped after finishing the operations in flight; check ${history} and run \`pulumi refresh --stack ${stackName}\` if it reports pending operations`,
            expected: true,
        };
    }
    // Credentials, permissions, network, an AWS API that kept failing: the environment, not a bug. Before the
    // release changed anything this is the whole story (exit 3); a stage that meets one after the rollout
    // started ends in rollback-or-report itself and only uses the message.
    const environment = environmentProblem(error);
    if (environment) {
        return { error: new EnvironmentError(environment.message), exitCode: 3, hint: environment.hint, expected: true };
    }
    return {
        error: error instanceof Error ? error : new Error(String(error)),
        exitCode: 2,
        hint: "unexpected failure from the Pulumi CLI or berth itself; the stack trace follows",
        expected: false,
    };
}

/** Why the CLI cannot be used (not found, too old), or undefined when the error is about something else. */
function cliProblem(error: unknown): string | undefined {
    if (error instanceof PulumiCliMissingError) return error.message;
    if (!(error instanceof Error)) return undefined;
    // PulumiCommand.get() runs `pulumi version`: a missing binary surfaces as CommandError "spawn pulumi ENOENT".
    const spawn = /spawn (\S+) ENOENT/.exec(error.message);
    if (spawn) return `the Pulumi CLI was not found (${spawn[1]} is not on PATH)`;
    const version = /(Minimum version requirement failed|Major version mismatch)[^\n]*/.exec(error.message);
    if (version) return `the Pulumi CLI cannot be used: ${version[0]}`;
    return undefined;
}

function isAbortError(error: unknown): error is Error {
    return error instanceof Error && error.name === "AbortError";
}

function interrupted(stackName: string, kind: string): Error {
    return new DOMException(`pulumi ${kind} on stack ${stackName} was interrupted and stopped gracefully (no forced cancel)`, "AbortError");
}

function numbers(changes: Record<string, number> | undefined): Record<string, number> {
    return { ...(changes ?? {}) };
}

function isoTime(value: Date | string): string {
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
