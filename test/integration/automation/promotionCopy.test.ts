// Promotion's image copy against the real local registry (docker-registry, OCI distribution): two repositories
// stand in for two accounts. Within one registry host the blobs are mounted; through a second host name for the
// same registry (localhost vs 127.0.0.1, as a second account's registry would be) they are read and uploaded.
// Images: one built and pushed by the real docker engine, and a multi-arch OCI index written by hand.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { DockerImageBuilder } from "../../../automation/adapters/docker";
import { copyImage, OciRegistry } from "../../../automation/adapters/ociRegistry";
import { useIntegrationEnv, type IntegrationEnv } from "../helpers/integrationEnv";

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Pushes one blob with a monolithic upload (POST, then PUT ?digest) — the registry API, no docker. */
async function pushBlob(base: string, repo: string, data: Buffer): Promise<string> {
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: "POST" });
    expect(start.status).to.equal(202);
    const location = new URL(start.headers.get("location")!, base);
    location.searchParams.set("digest", digestOf(data));
    const put = await fetch(location, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: data });
    expect(put.status).to.equal(201);
    return digestOf(data);
}

async function pushManifest(base: string, repo: string, doc: object, mediaType: string): Promise<{ digest: string; size: number }> {
    const body = Buffer.from(JSON.stringify(doc));
    const put = await fetch(`${base}/v2/${repo}/manifests/${digestOf(body)}`, { method: "PUT", headers: { "Content-Type": mediaType }, body });
    expect(put.status, await put.text()).to.equal(201);
    return { digest: digestOf(body), size: body.length };
}

/** A hand-written two-platform OCI image (index → amd64 and arm64 manifests sharing a base layer). */
async function pushMultiArch(base: string, repo: string): Promise<string> {
    const shared = randomBytes(2048);
    const children = [];
    for (const arch of ["amd64", "arm64"]) {
        const config = Buffer.from(JSON.stringify({ architecture: arch, os: "linux", rootfs: { type: "layers", diff_ids: [] }, nonce: randomBytes(4).toString("hex") }));
        const own = randomBytes(1024);
        for (const b of [config, shared, own]) await pushBlob(base, repo, b);
        const m = await pushManifest(
            base,
            repo,
            {
                schemaVersion: 2,
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length },
                layers: [shared, own].map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digestOf(l), size: l.length })),
            },
            "application/vnd.oci.image.manifest.v1+json",
        );
        children.push({ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, platform: { architecture: arch, os: "linux" } });
    }
    return (await pushManifest(base, repo, { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: children }, "application/vnd.oci.image.index.v1+json")).digest;
}

describe("promotion: copy an image by digest between repositories of the local registry", function () {
    let env: IntegrationEnv;
    let base: string;
    const run = randomBytes(3).toString("hex");
    const dev = `berth-it/dev-orders-${run}`;
    const prod = `berth-it/prod-orders-${run}`;
    const other = `berth-it/other-account-orders-${run}`;

    before(async function () {
        env = await useIntegrationEnv(this);
        base = `http://${env.registry}`;
    });

    it("a docker-built image: mounted into another repository of the same registry, then uploaded through a second host name; both verify by digest", async () => {
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "berth-promote-"));
        try {
            fs.writeFileSync(path.join(context, "hello.txt"), `promote ${run}\n`);
            fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
            const builder = new DockerImageBuilder({ env: { ...process.env, DOCKER_HOST: env.dockerHost } });
            const ref = `${env.registry}/${dev}:${run}`;
            await builder.build({ context, dockerfile: "Dockerfile", imageRef: ref, buildArgs: {}, platform: "linux/amd64" });
            const digest = await builder.push(ref);

            const registry = new OciRegistry({ registry: env.registry, scheme: "http" });
            const mounted = await copyImage({ registry, repository: dev }, { registry, repository: prod }, digest);
            expect([mounted.copied, mounted.verified, mounted.uploaded]).to.deep.equal([true, digest, 0]);
            expect(mounted.mounted).to.be.greaterThan(0);

            const port = env.registry.split(":")[1];
            const otherAccount = new OciRegistry({ registry: `localhost:${port}`, scheme: "http", chunkBytes: 64 });
            const uploaded = await copyImage({ registry, repository: dev }, { registry: otherAccount, repository: other }, digest);
            expect([uploaded.copied, uploaded.verified, uploaded.mounted]).to.deep.equal([true, digest, 0]);
            expect(uploaded.uploaded).to.be.greaterThan(0);

            // the registry itself answers the digest for the copy, and a second copy writes nothing
            const head = await fetch(`${base}/v2/${other}/manifests/${digest}`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json" } });
            expect([head.status, head.headers.get("docker-content-digest")]).to.deep.equal([200, digest]);
            expect((await copyImage({ registry, repository: dev }, { registry: otherAccount, repository: other }, digest)).copied).to.equal(false);
        } finally {
            fs.rmSync(context, { recursive: true, force: true });
        }
    });

    it("a multi-arch OCI index: every platform's manifest and blobs, then the index, across hosts", async () => {
        const index = await pushMultiArch(base, dev);
        const port = env.registry.split(":")[1];
        const result = await copyImage({ registry: new OciRegistry({ registry: env.registry, scheme: "http" }), repository: dev }, { registry: new OciRegistry({ registry: `localhost:${port}`, scheme: "http" }), repository: `${other}-multi` }, index);
        expect([result.manifests, result.uploaded, result.present, result.verified]).to.deep.equal([3, 5, 1, index]);
        const got = await fetch(`${base}/v2/${other}-multi/manifests/${index}`, { headers: { Accept: "application/vnd.oci.image.index.v1+json" } });
        expect(digestOf(Buffer.from(await got.arrayBuffer()))).to.equal(index);
    });
});
