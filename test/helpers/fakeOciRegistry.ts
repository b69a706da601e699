// A loopback OCI distribution registry in memory, unkind where real ones are: bearer-token auth (401 with a
// WWW-Authenticate challenge, a token service wanting Basic credentials), manifests refused while a blob they name
// is missing, digests checked on every PUT, upload sessions with relative Locations and Content-Range checks,
// cross-repository mount that can be refused (202 + a session), and knobs for a blob lost from the source, a
// HEAD that answers another digest, and 503s before reads succeed. Records each call as "METHOD /path".
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeRegistryOptions {
    /** Require a bearer token from /token (which wants Basic user:pass). */
    auth?: { username: string; password: string };
    /** Answer 202 (no mount) to cross-repository mount requests. */
    refuseMount?: boolean;
    /** HEAD manifests answer this Docker-Content-Digest instead of the real one. */
    lyingHeadDigest?: string;
    /** GET of this blob answers 404 even though manifests name it. */
    lostBlob?: string;
    /** The first N GET/HEAD requests answer 503. */
    unavailableFirst?: number;
}

export interface FakeRegistry {
    host: string;
    calls: string[];
    blobs: Map<string, Buffer>;
    /** repository → digest → { body, mediaType }; tags in `tags`. */
    manifests: Map<string, Map<string, { body: Buffer; mediaType: string }>>;
    /** repository → set of blob digests linked to it. */
    links: Map<string, Set<string>>;
    options: FakeRegistryOptions;
    close(): Promise<void>;
}

export const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
    const calls: string[] = [];
    const blobs = new Map<string, Buffer>();
    const manifests = new Map<string, Map<string, { body: Buffer; mediaType: string }>>();
    const links = new Map<string, Set<string>>();
    const uploads = new Map<string, { repo: string; data: Buffer }>();
    let nextUpload = 1;
    let unavailable = options.unavailableFirst ?? 0;
    const TOKEN = "tok-123";
    const link = (repo: string, digest: string) => links.set(repo, new Set([...(links.get(repo) ?? []), digest]));

    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://x");
        calls.push(`${req.method} ${url.pathname}${url.search}`);
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            const send = (status: number, headers: Record<string, string> = {}, payload?: Buffer | string) => {
                res.writeHead(status, headers);
                res.end(req.method === "HEAD" ? undefined : payload);
            };
            const error = (status: number, code: string) => send(status, { "Content-Type": "application/json" }, JSON.stringify({ errors: [{ code, message: code }] }));
            if (url.pathname === "/token") {
                const basic = `Basic ${Buffer.from(`${options.auth?.username}:${options.auth?.password}`).toString("base64")}`;
                if (req.headers.authorization !== basic) return error(401, "UNAUTHORIZED");
                return send(200, { "Content-Type": "application/json" }, JSON.stringify({ token: TOKEN }));
            }
            if (options.auth && req.headers.authorization !== `Bearer ${TOKEN}`) {
                return send(401, { "WWW-Authenticate": `Bearer realm="http://${req.headers.host}/token",service="fake",scope="repository:x:pull,push"` }, "");
            }
            if ((req.method === "GET" || req.method === "HEAD") && unavailable > 0) {
                unavailable -= 1;
                return error(503, "UNAVAILABLE");
            }
            const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
            const up = /^\/v2\/(.+)\/blobs\/uploads\/(\d*)$/.exec(url.pathname);
            if (up && req.method === "POST") {
                const repo = up[1];
                const mount = url.searchParams.get("mount");
                const from = url.searchParams.get("from");
                if (mount && from && !options.refuseMount && links.get(from)?.has(mount)) {
                    link(repo, mount);
                    return send(201, { Location: `/v2/${repo}/blobs/${mount}`, "Docker-Content-Digest": mount });
                }
                const id = String(nextUpload++);
                uploads.set(id, { repo, data: Buffer.alloc(0) });
                // Relative, with a query string of its own, like distribution's _state parameter.
                return send(202, { Location: `/v2/${repo}/blobs/uploads/${id}?_state=s${id}`, Range: "0-0" });
            }
            if (up && (req.method === "PATCH" || req.method === "PUT")) {
                const session = uploads.get(up[2]);
                if (!session || url.searchParams.get("_state") !== `s${up[2]}`) return error(404, "BLOB_UPLOAD_UNKNOWN");
                if (req.method === "PATCH") {
                    const range = /^(\d+)-(\d+)$/.exec(String(req.headers["content-range"] ?? ""));
                    if (!range || Number(range[1]) !== session.data.length) return error(416, "BLOB_UPLOAD_INVALID");
                    session.data = Buffer.concat([session.data, body]);
                    return send(202, { Location: `/v2/${session.repo}/blobs/uploads/${up[2]}?_state=s${up[2]}`, Range: `0-${session.data.length - 1}` });
                }
                const data = Buffer.concat([session.data, body]);
                const digest = url.searchParams.get("digest");
                if (!digest || digestOf(data) !== digest) return error(400, "DIGEST_INVALID");
                blobs.set(digest, data);
                link(session.repo, digest);
                uploads.delete(up[2]);
                return send(201, { Location: `/v2/${session.repo}/blobs/${digest}`, "Docker-Content-Digest": digest });
            }
            if (m && m[2] === "blobs") {
                const [, repo, , digest] = m;
                const have = links.get(repo)?.has(digest) && blobs.has(digest) && digest !== options.lostBlob;
                if (!have) return error(404, "BLOB_UNKNOWN");
                const data = blobs.get(digest)!;
                return send(200, { "Content-Length": String(data.length), "Docker-Content-Digest": digest, "Content-Type": "application/octet-stream" }, data);
            }
            if (m && m[2] === "manifests") {
                const [, repo, , ref] = m;
                const store = manifests.get(repo) ?? new Map();
                if (req.method === "PUT") {
                    const mediaType = String(req.headers["content-type"]);
                    const digest = digestOf(body);
                    if (ref.startsWith("sha256:") && ref !== digest) return error(400, "DIGEST_INVALID");
                    const doc = JSON.parse(body.toString("utf8"));
                    const needed: string[] = doc.manifests ? doc.manifests.map((d: { digest: string }) => d.digest) : [doc.config?.digest, ...(doc.layers ?? []).map((l: { digest: string }) => l.digest)].filter(Boolean);
                    const missing = needed.filter((d) => (doc.manifests ? !store.has(d) : !links.get(repo)?.has(d)));
                    if (missing.length > 0) return error(400, doc.manifests ? "MANIFEST_UNKNOWN" : "MANIFEST_BLOB_UNKNOWN");
                    store.set(digest, { body, mediaType });
                    store.set(ref, { body, mediaType });
                    manifests.set(repo, store);
                    return send(201, { "Docker-Content-Digest": digest, Location: `/v2/${repo}/manifests/${digest}` });
                }
                const found = store.get(ref);
                if (!found) return error(404, "MANIFEST_UNKNOWN");
                const digest = req.method === "HEAD" && options.lyingHeadDigest ? options.lyingHeadDigest : digestOf(found.body);
                return send(200, { "Content-Type": found.mediaType, "Docker-Content-Digest": digest, "Content-Length": String(found.body.length) }, found.body);
            }
            error(404, "NAME_UNKNOWN");
        });
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ host: `127.0.0.1:${port}`, calls, blobs, manifests, links, options, close: () => new Promise((r) => server.close(() => r())) });
        }),
    );
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** Writes an image (config + layers, each a blob) straight into a fake registry's repository; returns its digest. */
export function seedImage(reg: FakeRegistry, repo: string, layers: Buffer[], platform = "amd64"): string {
    const config = Buffer.from(JSON.stringify({ architecture: platform, os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    for (const b of [config, ...layers]) {
        reg.blobs.set(digestOf(b), b);
        reg.links.set(repo, new Set([...(reg.links.get(repo) ?? []), digestOf(b)]));
    }
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length },
            layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digestOf(l), size: l.length })),
        }),
    );
    const store = reg.manifests.get(repo) ?? new Map();
    store.set(digestOf(manifest), { body: manifest, mediaType: OCI_MANIFEST });
    reg.manifests.set(repo, store);
    return digestOf(manifest);
}

/** An OCI index over images already in the repository (one per platform). */
export function seedIndex(reg: FakeRegistry, repo: string, children: { digest: string; platform: string }[]): string {
    const store = reg.manifests.get(repo)!;
    const index = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: children.map((c) => ({ mediaType: OCI_MANIFEST, digest: c.digest, size: store.get(c.digest)!.body.length, platform: { architecture: c.platform, os: "linux" } })),
        }),
    );
    store.set(digestOf(index), { body: index, mediaType: OCI_INDEX });
    return digestOf(index);
}
