// Runs the `pulumi` CLI for the Automation API in a process group of its own. A terminal's Ctrl-C reaches the
// whole foreground process group: a CLI child in berth's group gets one SIGINT from the terminal and a second
// from the SDK when berth aborts — and the CLI treats a second ^C as "terminate now" (pending operations).
// In its own group the CLI gets only the SIGINT berth sends (through the SDK's abort signal), once.
import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { CommandError, ConcurrentUpdateError, PulumiCommand, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";

/** The SDK's CommandResult (automation/cmd.js; not in its .d.ts): what its errors and callers read. */
class CommandResult {
    constructor(
        readonly stdout: string,
        readonly stderr: string,
        readonly code: number,
        readonly err?: Error,
    ) {}
    toString(): string {
        return `code: ${this.code}\n stdout: ${this.stdout}\n stderr: ${this.stderr}\n err?: ${this.err ? this.err.toString() : ""}\n`;
    }
}

type Run = (args: string[], cwd: string, additionalEnv: Record<string, string>, onOutput?: (data: string) => void, onError?: (data: string) => void, signal?: AbortSignal) => Promise<CommandResult>;

// The SDK's own classification of a failed CLI run (automation/errors.js createCommandError), over its public classes.
function commandError(result: CommandResult): CommandError {
    type ErrorClass = new (result: CommandResult) => CommandError;
    const stderr = result.stderr;
    const make = (type: unknown) => new (type as ErrorClass)(result);
    if (/no stack named.*found/.test(stderr)) return make(StackNotFoundError);
    if (/stack.*already exists/.test(stderr)) return make(StackAlreadyExistsError);
    if (stderr.includes("[409] Conflict: Another update is currently in progress.") || stderr.includes("the stack is currently locked by")) return make(ConcurrentUpdateError);
    return make(CommandError);
}

/** `command` with its CLI runs spawned detached (a new process group), everything else as the SDK does it. */
export function inOwnProcessGroup(command: PulumiCommand): PulumiCommand {
    const run: Run = (args, cwd, additionalEnv, onOutput, onError, signal) => {
        if (!args.includes("--non-interactive")) args.push("--non-interactive");
        const env: Record<string, string | undefined> = { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: "true" };
        if (path.isAbsolute(command.command)) env.PATH = `${path.dirname(command.command)}${os.platform() === "win32" ? ";" : ":"}${additionalEnv.PATH ?? process.env.PATH}`;
        return new Promise<CommandResult>((resolve, reject) => {
            const child = spawn(command.command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (data: Buffer) => ((stdout += data.toString()), onOutput?.(data.toString())));
            child.stderr.on("data", (data: Buffer) => ((stderr += data.toString()), onError?.(data.toString())));
            // Like the SDK: one SIGINT asks the engine for a graceful stop; never a forced kill.
            const onAbort = () => child.kill("SIGINT");
            signal?.addEventListener("abort", onAbort, { once: true });
            child.on("error", (error) => {
                signal?.removeEventListener("abort", onAbort);
                reject(commandError(new CommandResult("", error.message, -2, error)));
            });
            child.on("close", (code) => {
                signal?.removeEventListener("abort", onAbort);
                const result = new CommandResult(stdout, stderr, code ?? -2);
                if (code === 0) resolve(result);
                else reject(commandError(result));
            });
        });
    };
    return Object.assign(Object.create(command) as PulumiCommand, { run });
}
