// RegistryPort for a plain OCI registry (Docker Registry HTTP API v2 / OCI distribution): tag → digest via the
// Docker-Content-Digest header, retag by copying the manifest under the new tag, and copying an image by digest
// between repositories or registries (manifests, index children and blobs; no docker pull/push). Basic auth,
// anonymous, or the bearer-token challenge (401 + WWW-Authenticate: Bearer realm=…). Retries of idempotent reads
// live here, on the injected clock.
import { createHash } from "node:crypto";
import type { Clock, RegistryCredentials, RegistryPort } from "../ports";
import { systemClock } from "./clock";
import { MANIFEST_MEDIA_TYPES } from "./ecr";

export interface OciRegistryOptions {
    /** `host[:port]` as used in image references. */
    registry: string;
    /** Default https; http only for loopback test registries. */
    scheme?: "http" | "https";
    username?: string;
    password?: string;
    timeoutMs?: number;
    /** Waits between retries (an injected clock in tests). */
    clock?: Clock;
    /** Attempts for a read (GET/HEAD) or a blob copy that meets a 5xx, a 429 or a network error; default 4. */
    attempts?: number;
    /** One line per retry of a request (the driver's progress output). */
    progress?: (line: string) => void;
    /** Blobs larger than this are uploaded in chunks (PATCH) of this size; default 8 MiB (ECR wants ≥ 5 MiB but the last). */
    chunkBytes?: number;
}

const INDEX_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

/** A registry answered something the copy cannot continue from (a missing blob, a digest that does not match). */
export class RegistryCopyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RegistryCopyError";
    }
}

/** The registry's token service refused or answered nothing usable: credentials, not the network. */
export class RegistryAuthError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RegistryAuthError";
    }
}

interface Manifest {
    body: Buffer;
    mediaType: string;
}

export interface CopyCounts {
    /** Manifests written (an index and its children count one each). */
    manifests: number;
    /** Blobs uploaded (GET then PUT), mounted from the source repository, or already in the target. */
    uploaded: number;
    mounted: number;
    present: number;
    bytes: number;
}

export interface CopyResult extends CopyCounts {
    /** False when the target already had the manifest: nothing was written. */
    copied: boolean;
    /** The Docker-Content-Digest the target answers for the copied manifest: equal to the digest asked for. */
    verified: string;
}

export function sha256(bytes: Buffer): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export class OciRegistry implements RegistryPort {
    private readonly base: string;
    private bearer: string | undefined;
    private readonly clock: Clock;

    constructor(private readonly options: OciRegistryOptions) {
        this.base = `${options.scheme ?? "https"}://${options.registry}/v2`;
        this.clock = options.clock ?? systemClock;
    }

    get host(): string {
        return this.options.registry;
    }

    async credentials(): Promise<RegistryCredentials> {
        // Empty username = anonymous: DockerImageBuilder.login skips it.
        return { server: this.options.registry, username: this.options.username ?? "", password: this.options.password ?? "" };
    }

    async digestOf(repositoryName: string, tag: string): Promise<string | undefined> {
        const url = `${this.base}/${repositoryName}/manifests/${encodeURIComponent(tag)}`;
        const head = await this.request("HEAD", url, { Accept: MANIFEST_MEDIA_TYPES.join(", ") });
        if (head.status === 404) return undefined;
        if (head.status !== 200) throw new Error(`HEAD ${url} answered ${head.status}`);
        const digest = head.headers.get("docker-content-digest");
        if (digest) return digest;
        // The header is optional in the distribution spec: hash the manifest bytes instead.
        const got = await this.getManifest(repositoryName, tag);
        return sha256(got.body);
    }

    async addTag(repositoryName: string, digest: string, tag: string): Promise<void> {
        const manifest = await this.getManifest(repositoryName, digest);
        await this.putManifest(repositoryName, tag, manifest, digest);
    }

    /** HEAD of a manifest: its status and the Docker-Content-Digest the registry answers. */
    async headManifest(repositoryName: string, reference: string): Promise<{ status: number; digest?: string }> {
        const head = await this.request("HEAD", `${this.base}/${repositoryName}/manifests/${reference}`, { Accept: MANIFEST_MEDIA_TYPES.join(", ") });
        return { status: head.status, ...(head.headers.get("docker-content-digest") ? { digest: head.headers.get("docker-content-digest")! } : {}) };
    }

    /** Whether the repository holds a manifest with this digest (HEAD by digest). */
    async hasManifest(repositoryName: string, digest: string): Promise<boolean> {
        const head = await this.headManifest(repositoryName, digest);
        if (head.status === 404) return false;
        if (head.status !== 200) throw new Error(`HEAD ${this.base}/${repositoryName}/manifests/${digest} answered ${head.status}`);
        return true;
    }

    /** The manifest by digest, checked against it: a registry answering other bytes is refused. */
    async getManifest(repositoryName: string, reference: string): Promise<Manifest> {
        const url = `${this.base}/${repositoryName}/manifests/${reference}`;
        const res = await this.request("GET", url, { Accept: MANIFEST_MEDIA_TYPES.join(", ") });
        if (res.status === 404) throw new RegistryCopyError(`${this.host}/${repositoryName}@${reference} does not exist (GET ${url} answered 404)`);
        if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
        const body = Buffer.from(await res.arrayBuffer());
        if (reference.startsWith("sha256:") && sha256(body) !== reference) {
            throw new RegistryCopyError(`${this.host}/${repositoryName}@${reference}: the registry answered a manifest whose digest is ${sha256(body)}`);
        }
        const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim() || (JSON.parse(body.toString("utf8")) as { mediaType?: string }).mediaType;
        if (!mediaType) throw new Error(`GET ${url}: the manifest has no media type`);
        return { body, mediaType };
    }

    /** Puts `manifest` under `reference` (a tag or its digest); the digest the registry stored must be `digest`. */
    async putManifest(repositoryName: string, reference: string, manifest: Manifest, digest: string): Promise<void> {
        const url = `${this.base}/${repositoryName}/manifests/${reference.startsWith("sha256:") ? reference : encodeURIComponent(reference)}`;
        const put = await this.request("PUT", url, { "Content-Type": manifest.mediaType }, manifest.body);
        if (put.status !== 201 && put.status !== 200) {
            throw new Error(`cannot put ${repositoryName}@${digest} as ${reference}: PUT ${url} answered ${put.status} ${(await put.text()).slice(0, 300)}`);
        }
        const stored = put.headers.get("docker-content-digest");
        if (stored && stored !== digest) throw new RegistryCopyError(`putting ${repositoryName}:${reference} stored ${stored}, not ${digest}`);
    }

    async hasBlob(repositoryName: string, digest: string): Promise<boolean> {
        const url = `${this.base}/${repositoryName}/blobs/${digest}`;
        const head = await this.request("HEAD", url, {});
        if (head.status === 404) return false;
        if (head.status !== 200) throw new Error(`HEAD ${url} answered ${head.status}`);
        return true;
    }

    /** Opens the blob for reading (the caller consumes the body). */
    async openBlob(repositoryName: string, digest: string): Promise<Response> {
        const url = `${this.base}/${repositoryName}/blobs/${digest}`;
        const res = await this.request("GET", url, {});
        if (res.status === 404) throw new RegistryCopyError(`${this.host}/${repositoryName} has no blob ${digest} (GET ${url} answered 404): the image is incomplete in the source repository`);
        if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
        return res;
    }

    /**
     * Cross-repository blob mount (POST …/blobs/uploads/?mount=<digest>&from=<repository>): 201 when the registry
     * mounted it. A registry that cannot (or will not) answers 202 with an upload session instead, whose location is
     * returned for a normal upload.
     */
    async mountBlob(repositoryName: string, digest: string, fromRepository: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
        const url = `${this.base}/${repositoryName}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
        const res = await this.request("POST", url, { "Content-Length": "0" });
        if (res.status === 201) return { mounted: true };
        if (res.status === 202) return { mounted: false, location: this.location(res, url) };
        throw new Error(`POST ${url} answered ${res.status} ${(await res.text()).slice(0, 300)}`);
    }

    /** Uploads a blob from a readable body: one monolithic PUT up to chunkBytes, else PATCH chunks then PUT. */
    async uploadBlob(repositoryName: string, digest: string, size: number, body: AsyncIterable<Uint8Array>, session?: string): Promise<void> {
        let location = session ?? (await this.startUpload(repositoryName));
        const chunkBytes = this.options.chunkBytes ?? 8 * 1024 * 1024;
        const hash = createHash("sha256");
        let sent = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async () => {
            const chunk = Buffer.concat(pending);
            pending = [];
            pendingBytes = 0;
            const res = await this.request("PATCH", location, { "Content-Type": "application/octet-stream", "Content-Range": `${sent}-${sent + chunk.length - 1}`, "Content-Length": String(chunk.length) }, chunk);
            if (res.status !== 202) throw new Error(`PATCH ${location} (bytes ${sent}-${sent + chunk.length - 1} of ${digest}) answered ${res.status} ${(await res.text()).slice(0, 300)}`);
            location = this.location(res, location);
            sent += chunk.length;
        };
        for await (const part of body) {
            const buf = Buffer.from(part);
            hash.update(buf);
            pending.push(buf);
            pendingBytes += buf.length;
            while (size > chunkBytes && pendingBytes >= chunkBytes) {
                const all = Buffer.concat(pending);
                pending = [all.subarray(0, chunkBytes)];
                pendingBytes = chunkBytes;
                await flush();
                if (all.length > chunkBytes) {
                    pending = [all.subarray(chunkBytes)];
                    pendingBytes = all.length - chunkBytes;
                }
            }
        }
        const read = `sha256:${hash.digest("hex")}`;
        if (read !== digest) throw new RegistryCopyError(`the source answered other bytes for blob ${digest} (they hash to ${read}): not uploaded`);
        const last = Buffer.concat(pending);
        const url = new URL(location);
        url.searchParams.set("digest", digest);
        const put = await this.request("PUT", url.toString(), { "Content-Type": "application/octet-stream", "Content-Length": String(last.length) }, last);
        if (put.status !== 201) throw new Error(`PUT ${url} (blob ${digest}) answered ${put.status} ${(await put.text()).slice(0, 300)}`);
        const stored = put.headers.get("docker-content-digest");
        if (stored && stored !== digest) throw new RegistryCopyError(`uploading blob ${digest} to ${this.host}/${repositoryName} stored ${stored}`);
    }

    private async startUpload(repositoryName: string): Promise<string> {
        const url = `${this.base}/${repositoryName}/blobs/uploads/`;
        const res = await this.request("POST", url, { "Content-Length": "0" });
        if (res.status !== 202) throw new Error(`POST ${url} answered ${res.status} ${(await res.text()).slice(0, 300)}`);
        return this.location(res, url);
    }

    /** The upload session's Location header, which may be relative to the registry. */
    private location(res: Response, requestUrl: string): string {
        const location = res.headers.get("location");
        if (!location) throw new Error(`${requestUrl} answered ${res.status} without a Location header`);
        return new URL(location, requestUrl).toString();
    }

    /**
     * One HTTP call with this registry's auth: Basic when credentials are set, a bearer token after a Bearer
     * challenge. GET and HEAD are retried on 5xx, 429 and network errors (bounded, on the clock); uploads are not
     * (their session would be lost): the copy retries a whole blob instead.
     */
    async request(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
        const idempotent = method === "GET" || method === "HEAD";
        const attempts = idempotent ? (this.options.attempts ?? 4) : 1;
        for (let attempt = 1; ; attempt++) {
            let res: Response | undefined;
            let failure: unknown;
            try {
                res = await this.authorized(method, url, headers, body);
            } catch (error) {
                if (error instanceof RegistryAuthError) throw error;
                failure = error;
            }
            const transient = failure !== undefined || (res !== undefined && (res.status >= 500 || res.status === 429));
            if (!transient || attempt >= attempts) {
                if (failure !== undefined) throw new Error(`${method} ${url} failed: ${(failure as Error).message}`);
                return res!;
            }
            await res?.arrayBuffer().catch(() => undefined);
            await this.clock.sleep(500 * 2 ** (attempt - 1));
            const cause = failure !== undefined ? (failure as Error).message : `answered ${res!.status}`;
            this.options.progress?.(`retrying ${method} ${url} (attempt ${attempt + 1}/${attempts}): ${cause}`);
        }
    }

    private async authorized(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
        const send = () => fetch(url, { method, headers: { ...headers, ...this.authHeader() }, ...(body ? { body } : {}), redirect: "follow", signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
        const res = await send();
        if (res.status !== 401) return res;
        const challenge = res.headers.get("www-authenticate") ?? "";
        if (!/^bearer /i.test(challenge)) return res;
        await res.arrayBuffer().catch(() => undefined);
        this.bearer = await this.fetchToken(challenge);
        return send();
    }

    private authHeader(): Record<string, string> {
        if (this.bearer) return { Authorization: `Bearer ${this.bearer}` };
        if (this.options.username) return { Authorization: `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ""}`).toString("base64")}` };
        return {};
    }

    /** The token service named by a Bearer challenge (Docker token auth): GET realm?service=…&scope=…, Basic if we have credentials. */
    private async fetchToken(challenge: string): Promise<string> {
        const params = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (!params.realm) throw new RegistryAuthError(`${this.host} asked for a bearer token without naming a realm (${challenge})`);
        const url = new URL(params.realm);
        if (params.service) url.searchParams.set("service", params.service);
        if (params.scope) url.searchParams.set("scope", params.scope);
        const headers: Record<string, string> = this.options.username ? { Authorization: `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ""}`).toString("base64")}` } : {};
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
        if (res.status !== 200) throw new RegistryAuthError(`the token service of ${this.host} (${url.origin}${url.pathname}) answered ${res.status}: check the registry credentials`);
        const json = (await res.json()) as { token?: string; access_token?: string };
        const token = json.token ?? json.access_token;
        if (!token) throw new RegistryAuthError(`the token service of ${this.host} answered no token`);
        return token;
    }
}

export interface ImageLocation {
    registry: OciRegistry;
    repository: string;
}

/**
 * Copies the image `digest` from one repository to another, by digest: for an index (multi-platform) every child
 * manifest first, for a manifest its config and layer blobs first (mounted across repositories of the same registry
 * where it allows, else read and uploaded), then the manifest itself under its digest; finally a HEAD by digest on
 * the target must answer the same Docker-Content-Digest. A target that already has the manifest is left alone.
 */
export async function copyImage(from: ImageLocation, to: ImageLocation, digest: string): Promise<CopyResult> {
    const counts: CopyCounts = { manifests: 0, uploaded: 0, mounted: 0, present: 0, bytes: 0 };
    if (await to.registry.hasManifest(to.repository, digest)) {
        return { copied: false, verified: await verifyDigest(to, digest), ...counts };
    }
    await copyManifest(from, to, digest, counts);
    return { copied: true, verified: await verifyDigest(to, digest), ...counts };
}

async function verifyDigest(to: ImageLocation, digest: string): Promise<string> {
    const where = `${to.registry.host}/${to.repository}@${digest}`;
    const head = await to.registry.headManifest(to.repository, digest);
    if (head.status !== 200) throw new RegistryCopyError(`verifying ${where}: HEAD answered ${head.status}`);
    if (head.digest !== digest) throw new RegistryCopyError(`verifying ${where}: the registry answers Docker-Content-Digest ${head.digest ?? "(none)"}`);
    return head.digest;
}

async function copyManifest(from: ImageLocation, to: ImageLocation, digest: string, counts: CopyCounts): Promise<void> {
    const manifest = await from.registry.getManifest(from.repository, digest);
    const doc = JSON.parse(manifest.body.toString("utf8")) as { manifests?: { digest: string }[]; config?: Descriptor; layers?: Descriptor[] };
    if (INDEX_TYPES.includes(manifest.mediaType) || Array.isArray(doc.manifests)) {
        for (const child of doc.manifests ?? []) {
            if (await to.registry.hasManifest(to.repository, child.digest)) continue;
            await copyManifest(from, to, child.digest, counts);
        }
    } else {
        // Foreign layers (with `urls`, Windows base layers) are fetched from their URLs by the runtime, never copied.
        const blobs = [doc.config, ...(doc.layers ?? [])].filter((d): d is Descriptor => d !== undefined && !(d.urls && d.urls.length > 0));
        for (const blob of blobs) await copyBlob(from, to, blob, counts);
    }
    await to.registry.putManifest(to.repository, digest, manifest, digest);
    counts.manifests += 1;
}

interface Descriptor {
    digest: string;
    size: number;
    mediaType?: string;
    urls?: string[];
}

async function copyBlob(from: ImageLocation, to: ImageLocation, blob: Descriptor, counts: CopyCounts): Promise<void> {
    if (await to.registry.hasBlob(to.repository, blob.digest)) {
        counts.present += 1;
        return;
    }
    let session: string | undefined;
    if (from.registry.host === to.registry.host) {
        const mount = await to.registry.mountBlob(to.repository, blob.digest, from.repository);
        if (mount.mounted) {
            counts.mounted += 1;
            return;
        }
        session = mount.location;
    }
    const attempts = 3;
    for (let attempt = 1; ; attempt++) {
        try {
            const res = await from.registry.openBlob(from.repository, blob.digest);
            if (!res.body) throw new Error(`GET blob ${blob.digest} answered no body`);
            await to.registry.uploadBlob(to.repository, blob.digest, blob.size, res.body as unknown as AsyncIterable<Uint8Array>, session);
            counts.uploaded += 1;
            counts.bytes += blob.size;
            return;
        } catch (error) {
            // A missing blob or other bytes will not heal by retrying; a broken upload session might.
            if (error instanceof RegistryCopyError || error instanceof RegistryAuthError || attempt >= attempts) throw error;
            session = undefined;
        }
    }
}
