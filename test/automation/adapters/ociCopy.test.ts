// copyImage and OciRegistry against an unkind in-memory registry on loopback (test/helpers/fakeOciRegistry.ts).
import { expect } from "chai";
import { copyImage, OciRegistry, RegistryCopyError } from "../../../automation/adapters/ociRegistry";
import type { Clock } from "../../../automation/ports";
import { RegistryImageCopier, splitRepositoryUrl } from "../../../automation/adapters/imageCopy";
import { digestOf, seedImage, seedIndex, startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from "../../helpers/fakeOciRegistry";

const sleeps: number[] = [];
const clock: Clock = { now: () => 0, sleep: async (ms) => void sleeps.push(ms) };
const layer = (n: number, size = 64) => Buffer.alloc(size, n);

describe("OCI copy by digest (loopback registry)", () => {
    const open: FakeRegistry[] = [];
    async function registry(options: FakeRegistryOptions = {}) {
        const reg = await startFakeRegistry(options);
        open.push(reg);
        return reg;
    }
    const client = (reg: FakeRegistry, extra: Partial<ConstructorParameters<typeof OciRegistry>[0]> = {}) =>
        new OciRegistry({ registry: reg.host, scheme: "http", clock, chunkBytes: 100, ...(reg.options.auth ? reg.options.auth : {}), ...extra });
    beforeEach(() => (sleeps.length = 0));
    afterEach(async () => {
        for (const r of open.splice(0)) await r.close();
    });

    it("across registries: GETs every blob and PUTs it (chunked above the chunk size), then the manifest; the target answers the same digest", async () => {
        const source = await registry();
        const target = await registry();
        const digest = seedImage(source, "berth-dev-orders", [layer(1), layer(2, 250)]);
        const result = await copyImage({ registry: client(source), repository: "berth-dev-orders" }, { registry: client(target), repository: "berth-prod-orders" }, digest);
        expect(result).to.deep.equal({ copied: true, verified: digest, manifests: 1, uploaded: 3, mounted: 0, present: 0, bytes: result.bytes });
        expect(target.manifests.get("berth-prod-orders")!.get(digest)!.body.equals(source.manifests.get("berth-dev-orders")!.get(digest)!.body)).to.equal(true);
        // 250 bytes in chunks of 100: two PATCHes, the rest with the closing PUT
        expect(target.calls.filter((c) => c.startsWith("PATCH")).length).to.equal(2);
        expect(target.calls.filter((c) => c.startsWith("POST")).every((c) => !c.includes("mount="))).to.equal(true);
        // a second copy finds the manifest and writes nothing
        const again = await copyImage({ registry: client(source), repository: "berth-dev-orders" }, { registry: client(target), repository: "berth-prod-orders" }, digest);
        expect([again.copied, again.verified, again.uploaded]).to.deep.equal([false, digest, 0]);
    });

    it("within one registry: mounts blobs from the source repository; where the registry refuses, uploads into the session it opened", async () => {
        const reg = await registry();
        const digest = seedImage(reg, "dev/orders", [layer(3), layer(4)]);
        const mounted = await copyImage({ registry: client(reg), repository: "dev/orders" }, { registry: client(reg), repository: "prod/orders" }, digest);
        expect([mounted.mounted, mounted.uploaded]).to.deep.equal([3, 0]);
        reg.options.refuseMount = true;
        const refused = await copyImage({ registry: client(reg), repository: "dev/orders" }, { registry: client(reg), repository: "staging/orders" }, digest);
        expect([refused.mounted, refused.uploaded, refused.verified]).to.deep.equal([0, 3, digest]);
        // the session the refused mount opened is the one used: one POST per blob
        expect(reg.calls.filter((c) => c.startsWith("POST /v2/staging/orders/blobs/uploads/")).length).to.equal(3);
    });

    it("a multi-arch index: copies each platform's manifest and blobs, then the index; blobs shared between platforms are copied once", async () => {
        const source = await registry();
        const target = await registry();
        const amd = seedImage(source, "r", [layer(5), layer(6)], "amd64");
        const arm = seedImage(source, "r", [layer(5), layer(7)], "arm64");
        const index = seedIndex(source, "r", [{ digest: amd, platform: "amd64" }, { digest: arm, platform: "arm64" }]);
        const result = await copyImage({ registry: client(source), repository: "r" }, { registry: client(target), repository: "r2" }, index);
        expect([result.manifests, result.uploaded, result.present, result.verified]).to.deep.equal([3, 5, 1, index]);
        for (const d of [amd, arm, index]) expect(target.manifests.get("r2")!.has(d), d).to.equal(true);
    });

    it("401 then token: follows the Bearer challenge to the token service with Basic credentials, and refuses wrong ones in one sentence", async () => {
        const source = await registry({ auth: { username: "AWS", password: "pw" } });
        const target = await registry({ auth: { username: "AWS", password: "pw" } });
        const digest = seedImage(source, "a", [layer(8)]);
        const result = await copyImage({ registry: client(source), repository: "a" }, { registry: client(target), repository: "b" }, digest);
        expect(result.verified).to.equal(digest);
        expect(source.calls.filter((c) => c === "GET /token?service=fake&scope=repository%3Ax%3Apull%2Cpush").length).to.equal(1);
        const wrong = await copyImage({ registry: client(source, { password: "nope" }), repository: "a" }, { registry: client(target), repository: "c" }, digest).then(() => undefined, (e: unknown) => e);
        expect((wrong as Error).message).to.equal(`the token service of ${source.host} (http://${source.host}/token) answered 401: check the registry credentials`);
    });

    it("404 on a blob of the source: fails naming the blob, no manifest is written, and it is not retried", async () => {
        const source = await registry();
        const target = await registry();
        const lost = layer(9);
        const digest = seedImage(source, "a", [lost]);
        source.options.lostBlob = digestOf(lost);
        const error = await copyImage({ registry: client(source), repository: "a" }, { registry: client(target), repository: "b" }, digest).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(RegistryCopyError);
        expect((error as Error).message).to.equal(`${source.host}/a has no blob ${digestOf(lost)} (GET http://${source.host}/v2/a/blobs/${digestOf(lost)} answered 404): the image is incomplete in the source repository`);
        expect(target.manifests.get("b")).to.equal(undefined);
        expect(source.calls.filter((c) => c.startsWith(`GET /v2/a/blobs/${digestOf(lost)}`)).length).to.equal(1);
    });

    it("digest mismatch: a target answering another Docker-Content-Digest fails verification; a source serving other manifest bytes is refused", async () => {
        const source = await registry();
        const target = await registry({ lyingHeadDigest: `sha256:${"0".repeat(64)}` });
        const digest = seedImage(source, "a", [layer(10)]);
        const lying = await copyImage({ registry: client(source), repository: "a" }, { registry: client(target), repository: "b" }, digest).then(() => undefined, (e: unknown) => e);
        expect((lying as Error).message).to.equal(`verifying ${target.host}/b@${digest}: the registry answers Docker-Content-Digest sha256:${"0".repeat(64)}`);

        const clean = await registry();
        const other = Buffer.from('{"schemaVersion":2,"tampered":true}');
        source.manifests.get("a")!.set(digest, { body: other, mediaType: "application/vnd.oci.image.manifest.v1+json" });
        const tampered = await copyImage({ registry: client(source), repository: "a" }, { registry: client(clean), repository: "b" }, digest).then(() => undefined, (e: unknown) => e);
        expect((tampered as Error).message).to.equal(`${source.host}/a@${digest}: the registry answered a manifest whose digest is ${digestOf(other)}`);
    });

    it("reads that meet 503 are retried with backoff on the injected clock, bounded", async () => {
        const source = await registry({ unavailableFirst: 2 });
        const target = await registry();
        const digest = seedImage(source, "a", [layer(11)]);
        expect((await copyImage({ registry: client(source), repository: "a" }, { registry: client(target), repository: "b" }, digest)).verified).to.equal(digest);
        expect(sleeps).to.deep.equal([500, 1000]);
        const down = await registry({ unavailableFirst: 100 });
        const status = await client(down).headManifest("a", digest);
        expect(status.status).to.equal(503);
        expect(sleeps).to.deep.equal([500, 1000, 500, 1000, 2000]);
    });

    it("the ImageCopyPort: repository URLs split at the host, loopback registries over plain HTTP, a one-line detail of what happened", async () => {
        expect(splitRepositoryUrl("123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/api")).to.deep.equal({ host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", repository: "berth/dev/api" });
        expect(() => splitRepositoryUrl("no-repository/")).to.throw("no-repository/ is not a repository URL (<registry host>/<repository>)");
        const source = await registry();
        const target = await registry();
        const digest = seedImage(source, "berth/dev/api", [layer(12)]);
        const asked: string[] = [];
        const copier = new RegistryImageCopier({ ecrCredentials: async (region) => (asked.push(region), { server: "", username: "AWS", password: "x" }) });
        const request = { service: "api", digest, from: `${source.host}/berth/dev/api`, to: `${target.host}/berth/prod/api` };
        expect(await copier.copy(request)).to.deep.equal({ copied: true, verified: digest, detail: `copied from ${source.host}/berth/dev/api to ${target.host}/berth/prod/api: 1 manifest(s), 2 blob(s) uploaded, 0 mounted, 0 already there; digest verified` });
        expect(await copier.copy(request)).to.deep.equal({ copied: false, verified: digest, detail: `already in ${target.host}/berth/prod/api; digest verified` });
        expect(asked).to.deep.equal([]);
    });
});
