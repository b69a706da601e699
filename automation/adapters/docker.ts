// ImageBuilderPort over the docker CLI: login, build, push. DOCKER_HOST and the rest of the environment
// pass through; aborting a signal kills the docker process. Every docker call has a timeout; login and push, which
// talk to the registry, are tried again when the registry or the network failed them (attempts.ts), a build never.
import { spawn } from "node:child_process";
import path from "node:path";
import { BuildFailedError, type BuildRequest, type ImageBuilderPort, type RegistryCredentials } from "../ports";
import { withAttempts, type Attempts } from "./attempts";
import { systemClock } from "./clock";

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

export interface DockerRetryOptions {
    /** Attempts per login and per push, the wait between them, the clock and the retry lines (default 3, 2 s, system clock). */
    retry?: Partial<Attempts>;
    /** Per docker call (per attempt): login 60 s, build 30 min, push 15 min by default. */
    timeoutsMs?: Partial<Record<"login" | "build" | "push", number>>;
}

export const DOCKER_TIMEOUTS_MS = { login: 60_000, build: 30 * 60_000, push: 15 * 60_000 } as const;

/**
 * What docker prints when the registry or the network, not the image, failed a login or push (Docker's registry
 * client errors; the CLI gives only exit code 1, so its output is all there is to go by).
 */
const TRANSIENT_OUTPUT = [
    /connection reset by peer/i,
    /connection refused/i,
    /i\/o timeout/i,
    /TLS handshake timeout/i,
    /net\/http: request canceled/i,
    /unexpected EOF/i,
    /toomanyrequests/i,
    /\b(?:502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b/i,
    /received unexpected HTTP status: 5\d\d/i,
];

/** Whether a failed login or push is worth trying again (pure). */
export function isTransientDockerFailure(output: string): boolean {
    return TRANSIENT_OUTPUT.some((pattern) => pattern.test(output));
}

class DockerCallFailed extends Error {
    constructor(
        message: string,
        readonly transient: boolean,
    ) {
        super(message);
    }
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
    private readonly policy: Attempts;
    private readonly timeoutsMs: Record<"login" | "build" | "push", number>;

    constructor(private readonly options: DockerImageBuilderOptions & DockerRetryOptions = {}) {
        this.policy = { attempts: 3, backoffMs: 2_000, clock: systemClock, progress: () => undefined, ...options.retry };
        this.timeoutsMs = { ...DOCKER_TIMEOUTS_MS, ...options.timeoutsMs };
    }

    async login(credentials: RegistryCredentials): Promise<void> {
        // An anonymous registry (OciRegistry without credentials) needs no login.
        if (credentials.username === "") return;
        const args = ["login", "--username", credentials.username, "--password-stdin", credentials.server];
        await this.retried(`docker login ${credentials.server}`, async () => {
            const result = await this.run("login", args, { onLine: undefined, stdin: credentials.password });
            if (result.code !== 0) {
                throw new DockerCallFailed(`docker login ${credentials.server} failed (exit ${result.code}): ${tail(result.stderr.split("\n"), 5).join(" | ")}`, isTransientDockerFailure(result.stderr));
            }
        });
    }

    async build(request: BuildRequest, signal?: AbortSignal): Promise<void> {
        const result = await this.run("build", buildArgs(request), { signal });
        if (result.code !== 0) {
            throw new BuildFailedError(`docker build of ${request.imageRef} failed (exit ${result.code})`, tail(result.lines));
        }
    }

    async push(imageRef: string, signal?: AbortSignal): Promise<string> {
        // Layers the registry already has are skipped, so a repeated push sends only what the failed one did not.
        const result = await this.retried(
            `docker push ${imageRef}`,
            async () => {
                const pushed = await this.run("push", ["push", imageRef], { signal });
                if (pushed.code !== 0) {
                    throw new DockerCallFailed(`docker push ${imageRef} failed (exit ${pushed.code}):\n${tail(pushed.lines).join("\n")}`, isTransientDockerFailure(pushed.lines.join("\n")));
                }
                return pushed;
            },
            signal,
        );
        const printed = pushedDigest(result.stdout);
        if (printed) return printed;
        // Older engines or quiet output: the engine records the pushed digest in RepoDigests.
        const inspect = await this.run("login", ["image", "inspect", "--format", "{{json .RepoDigests}}", imageRef], { onLine: undefined, signal });
        const repository = repositoryOf(imageRef);
        const digests = inspect.code === 0 ? (JSON.parse(inspect.stdout) as string[] | null) : null;
        const found = (digests ?? []).find((d) => d.startsWith(`${repository}@`));
        if (!found) throw new Error(`docker push ${imageRef} succeeded but no digest was printed or recorded for ${repository}`);
        return found.slice(repository.length + 1);
    }

    private retried<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
        return withAttempts(what, this.policy, call, (error) => error instanceof DockerCallFailed && error.transient, signal);
    }

    /** docker with the caller's signal and this call's timeout; running out of time is a (transient) failure. */
    private async run(kind: "login" | "build" | "push", args: readonly string[], extra: { signal?: AbortSignal; stdin?: string; onLine?: undefined }): Promise<DockerResult> {
        const timeout = AbortSignal.timeout(this.timeoutsMs[kind]);
        const signal = extra.signal ? AbortSignal.any([timeout, extra.signal]) : timeout;
        try {
            return await runDocker(args, { ...this.options, ...extra, signal });
        } catch (error) {
            if (timeout.aborted && !extra.signal?.aborted) {
                throw new DockerCallFailed(`docker ${args[0]} did not finish within ${Math.round(this.timeoutsMs[kind] / 1000)} s`, kind !== "build");
            }
            throw error;
        }
    }
}
