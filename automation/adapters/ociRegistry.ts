// RegistryPort for a plain OCI registry (Docker Registry HTTP API v2): tag → digest via the
// Docker-Content-Digest header, retag by copying the manifest under the new tag. Basic auth or anonymous. A request
// that gets no answer, or a busy answer (429, 502-504), is tried again on the injected clock (attempts.ts).
import { createHash } from "node:crypto";
import type { RegistryCredentials, RegistryPort } from "../ports";
import { withAttempts, type Attempts } from "./attempts";
import { systemClock } from "./clock";
import { MANIFEST_MEDIA_TYPES } from "./ecr";

/** Statuses a registry (or the proxy before it) answers when it is busy for a moment, not when the request is wrong. */
const BUSY = new Set([429, 502, 503, 504]);

class RegistryBusy extends Error {
    constructor(readonly response: Response) {
        super(`answered ${response.status}`);
    }
}

export interface OciRegistryOptions {
    /** `host[:port]` as used in image references. */
    registry: string;
    /** Default https; http only for loopback test registries. */
    scheme?: "http" | "https";
    username?: string;
    password?: string;
    /** Per attempt (default 30 s). */
    timeoutMs?: number;
    /** Attempts per request, the wait between them, the clock and the retry lines (default 3, 500 ms, the system clock). */
    retry?: Partial<Attempts>;
}

export class OciRegistry implements RegistryPort {
    private readonly base: string;

    constructor(private readonly options: OciRegistryOptions) {
        this.base = `${options.scheme ?? "https"}://${options.registry}/v2`;
    }

    async credentials(): Promise<RegistryCredentials> {
        // Empty username = anonymous: DockerImageBuilder.login skips it.
        return { server: this.options.registry, username: this.options.username ?? "", password: this.options.password ?? "" };
    }

    async digestOf(repositoryName: string, tag: string): Promise<string | undefined> {
        const url = `${this.base}/${repositoryName}/manifests/${encodeURIComponent(tag)}`;
        const head = await this.fetch(url, { method: "HEAD", headers: { Accept: MANIFEST_MEDIA_TYPES.join(", ") } });
        if (head.status === 404) return undefined;
        if (head.status !== 200) throw new Error(`HEAD ${url} answered ${head.status}`);
        const digest = head.headers.get("docker-content-digest");
        if (digest) return digest;
        // The header is optional in the distribution spec: hash the manifest bytes instead.
        const got = await this.getManifest(repositoryName, tag);
        return `sha256:${createHash("sha256").update(got.body).digest("hex")}`;
    }

    async addTag(repositoryName: string, digest: string, tag: string): Promise<void> {
        const manifest = await this.getManifest(repositoryName, digest);
        const url = `${this.base}/${repositoryName}/manifests/${encodeURIComponent(tag)}`;
        const put = await this.fetch(url, { method: "PUT", headers: { "Content-Type": manifest.mediaType }, body: manifest.body });
        if (put.status !== 201 && put.status !== 200) {
            throw new Error(`cannot tag ${repositoryName}@${digest} as ${tag}: PUT ${url} answered ${put.status} ${(await put.text()).slice(0, 300)}`);
        }
        const stored = put.headers.get("docker-content-digest");
        if (stored && stored !== digest) throw new Error(`tagging ${repositoryName} as ${tag} stored ${stored}, not ${digest}`);
    }

    private async getManifest(repositoryName: string, reference: string): Promise<{ body: Buffer; mediaType: string }> {
        const url = `${this.base}/${repositoryName}/manifests/${reference}`;
        const res = await this.fetch(url, { method: "GET", headers: { Accept: MANIFEST_MEDIA_TYPES.join(", ") } });
        if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
        const body = Buffer.from(await res.arrayBuffer());
        const mediaType = res.headers.get("content-type") ?? (JSON.parse(body.toString("utf8")) as { mediaType?: string }).mediaType;
        if (!mediaType) throw new Error(`GET ${url}: the manifest has no media type`);
        return { body, mediaType };
    }

    private async fetch(url: string, init: { method: string; headers: Record<string, string>; body?: Buffer }): Promise<Response> {
        const headers = { ...init.headers };
        if (this.options.username) {
            headers.Authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ""}`).toString("base64")}`;
        }
        const policy: Attempts = { attempts: 3, backoffMs: 500, clock: systemClock, progress: () => undefined, ...this.options.retry };
        const once = async () => {
            const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
            if (BUSY.has(res.status)) throw new RegistryBusy(res);
            return res;
        };
        try {
            // Every registry request is idempotent (HEAD, GET, a PUT of the same manifest under the same tag).
            return await withAttempts(`${init.method} ${url}`, policy, once, () => true);
        } catch (error) {
            // Still busy after the last attempt: the caller reads the status like any other answer.
            if (error instanceof RegistryBusy) return error.response;
            throw error;
        }
    }
}
