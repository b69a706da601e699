// ImageBuilderPort over the docker CLI: login, build, push. DOCKER_HOST and the rest of the environment
// pass through; aborting a signal kills the docker process.
import { spawn } from "node:child_process";
import path from "node:path";
import { BuildFailedError, type BuildRequest, type ImageBuilderPort, type RegistryCredentials } from "../ports";

export const LOG_TAIL_LINES = 30;
const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/g;

export interface DockerResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout and stderr lines in arrival order. */
    lines: string[];
}

export interface DockerImageBuilderOptions {
    /** The docker executable (default `docker` on PATH). */
    docker?: string;
    /** Environment for docker (default process.env, which carries DOCKER_HOST). */
    env?: NodeJS.ProcessEnv;
    /** Receives build and push output lines as they come (progress). */
    onLine?: (line: string) => void;
}

/** Runs docker; resolves with its exit code, rejects only on spawn failure or abort. */
export function runDocker(
    args: readonly string[],
    options: DockerImageBuilderOptions & { stdin?: string; signal?: AbortSignal } = {},
): Promise<DockerResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(options.docker ?? "docker", args, {
            env: options.env ?? process.env,
            stdio: ["pipe", "pipe", "pipe"],
            signal: options.signal,
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        const lines: string[] = [];
        const partial = { stdout: "", stderr: "" };
        const collect = (stream: "stdout" | "stderr", store: Buffer[]) => (chunk: Buffer) => {
            store.push(chunk);
            const text = partial[stream] + chunk.toString("utf8");
            const parts = text.split(/\r?\n|\r/);
            partial[stream] = parts.pop() ?? "";
            for (const line of parts) {
                lines.push(line);
                options.onLine?.(line);
            }
        };
        child.stdout.on("data", collect("stdout", out));
        child.stderr.on("data", collect("stderr", err));
        child.on("error", reject);
        child.on("close", (code, signal) => {
            for (const rest of [partial.stdout, partial.stderr]) if (rest !== "") lines.push(rest);
            resolve({
                code: code ?? (signal ? 128 : -1),
                stdout: Buffer.concat(out).toString("utf8"),
                stderr: Buffer.concat(err).toString("utf8"),
                lines,
            });
        });
        child.stdin.on("error", () => undefined); // docker may exit before reading stdin; the exit code tells.
        child.stdin.end(options.stdin ?? "");
    });
}

/** The last `n` non-empty lines (pure). */
export function tail(lines: readonly string[], n = LOG_TAIL_LINES): string[] {
    return lines.filter((line) => line.trim() !== "").slice(-n);
}

/** `registry/repo:tag` → `registry/repo` (a ':' after the last '/' starts the tag) (pure). */
export function repositoryOf(imageRef: string): string {
    const at = imageRef.indexOf("@");
    const ref = at === -1 ? imageRef : imageRef.slice(0, at);
    const colon = ref.lastIndexOf(":");
    return colon > ref.lastIndexOf("/") ? ref.slice(0, colon) : ref;
}

/** The digest `docker push` reports last, if any (pure). */
export function pushedDigest(output: string): string | undefined {
    let last: string | undefined;
    for (const match of output.matchAll(PUSHED_DIGEST)) last = match[1];
    return last;
}

export function buildArgs(request: BuildRequest): string[] {
    const dockerfile = path.isAbsolute(request.dockerfile) ? request.dockerfile : path.join(request.context, request.dockerfile);
    const args = ["build", "--platform", request.platform, "-f", dockerfile, "-t", request.imageRef];
    for (const [key, value] of Object.entries(request.buildArgs)) args.push("--build-arg", `${key}=${value}`);
    if (request.target) args.push("--target", request.target);
    args.push(request.context);
    return args;
}

export class DockerImageBuilder implements ImageBuilderPort {
    constructor(private readonly options: DockerImageBuilderOptions = {}) {}

    async login(credentials: RegistryCredentials): Promise<void> {
        // An anonymous registry (OciRegistry without credentials) needs no login.
        if (credentials.username === "") return;
        const result = await runDocker(["login", "--username", credentials.username, "--password-stdin", credentials.server], {
            ...this.options,
            onLine: undefined,
            stdin: credentials.password,
        });
        if (result.code !== 0) {
            throw new Error(`docker login ${credentials.server} failed (exit ${result.code}): ${tail(result.stderr.split("\n"), 5).join(" | ")}`);
        }
    }

    async build(request: BuildRequest, signal?: AbortSignal): Promise<void> {
        const result = await runDocker(buildArgs(request), { ...this.options, signal });
        if (result.code !== 0) {
            throw new BuildFailedError(`docker build of ${request.imageRef} failed (exit ${result.code})`, tail(result.lines));
        }
    }

    async push(imageRef: string, signal?: AbortSignal): Promise<string> {
        const result = await runDocker(["push", imageRef], { ...this.options, signal });
        if (result.code !== 0) {
            throw new Error(`docker push ${imageRef} failed (exit ${result.code}):\n${tail(result.lines).join("\n")}`);
        }
        const printed = pushedDigest(result.stdout);
        if (printed) return printed;
        // Older engines or quiet output: the engine records the pushed digest in RepoDigests.
        const inspect = await runDocker(["image", "inspect", "--format", "{{json .RepoDigests}}", imageRef], { ...this.options, onLine: undefined, signal });
        const repository = repositoryOf(imageRef);
        const digests = inspect.code === 0 ? (JSON.parse(inspect.stdout) as string[] | null) : null;
        const found = (digests ?? []).find((d) => d.startsWith(`${repository}@`));
        if (!found) throw new Error(`docker push ${imageRef} succeeded but no digest was printed or recorded for ${repository}`);
        return found.slice(repository.length + 1);
    }
}
