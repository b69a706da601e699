// The docker CLI image builder and the OCI registry adapter against the real engine and local registry:
// build FROM scratch, push, read the digest back, reuse an existing tag, and a failing build's log tail.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { DockerImageBuilder } from "../../../automation/adapters/docker";
import { OciRegistry } from "../../../automation/adapters/ociRegistry";
import { BuildFailedError } from "../../../automation/ports";
import { useIntegrationEnv, type IntegrationEnv } from "../helpers/integrationEnv";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

describe("image builder (docker CLI) and OCI registry adapters", function () {
    let env: IntegrationEnv;
    let builder: DockerImageBuilder;
    let registry: OciRegistry;
    let context: string;
    const repository = `berth-it/adapter-${randomBytes(3).toString("hex")}`;
    const sha = randomBytes(20).toString("hex");
    let pushed: string;

    before(async function () {
        env = await useIntegrationEnv(this);
        builder = new DockerImageBuilder({ env: { ...process.env, DOCKER_HOST: env.dockerHost } });
        registry = new OciRegistry({ registry: env.registry, scheme: "http" });
        context = fs.mkdtempSync(path.join(os.tmpdir(), "berth-build-"));
        fs.writeFileSync(path.join(context, "hello.txt"), `hello ${sha}\n`);
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
        fs.writeFileSync(path.join(context, "Broken.Dockerfile"), "FROM scratch\nCOPY does-not-exist.txt /\n");
    });
    after(() => {
        if (context) fs.rmSync(context, { recursive: true, force: true });
    });

    it("builds, pushes and reads the same digest back from the registry", async () => {
        const ref = `${env.registry}/${repository}:${sha}`;
        await builder.login(await registry.credentials()); // anonymous registry: a no-op
        await builder.build({ context, dockerfile: "Dockerfile", imageRef: ref, buildArgs: { GIT_SHA: sha }, platform: "linux/amd64" });
        pushed = await builder.push(ref);
        expect(pushed).to.match(DIGEST);
        expect(await registry.digestOf(repository, sha)).to.equal(pushed);
    });

    it("reuses an existing tag: digestOf finds it, a missing tag is undefined, addTag puts rel-… on the same digest", async () => {
        expect(pushed, "the build test must run first").to.match(DIGEST);
        expect(await registry.digestOf(repository, sha)).to.equal(pushed);
        expect(await registry.digestOf(repository, "never-pushed")).to.equal(undefined);
        expect(await registry.digestOf(`${repository}-absent`, sha)).to.equal(undefined);
        await registry.addTag(repository, pushed, "rel-42");
        expect(await registry.digestOf(repository, "rel-42")).to.equal(pushed);
        await registry.addTag(repository, pushed, "rel-42"); // idempotent
    });

    it("rejects a failing build with BuildFailedError whose log tail names the failing step", async () => {
        const failure = await builder
            .build({ context, dockerfile: "Broken.Dockerfile", imageRef: `${env.registry}/${repository}:broken`, buildArgs: {}, platform: "linux/amd64" })
            .catch((e: unknown) => e);
        expect(failure).to.be.instanceOf(BuildFailedError);
        const error = failure as BuildFailedError;
        expect(error.message).to.match(new RegExp(`^docker build of ${env.registry}/${repository}:broken failed \\(exit \\d+\\)$`));
        expect(error.logTail.length).to.be.within(1, 30);
        expect(error.logTail.join("\n")).to.include("COPY does-not-exist.txt /");
        expect(error.logTail.join("\n")).to.match(/does-not-exist\.txt/);
    });

    it("kills the docker process when the signal aborts", async () => {
        const controller = new AbortController();
        controller.abort();
        const failure = await builder
            .build({ context, dockerfile: "Dockerfile", imageRef: `${env.registry}/${repository}:aborted`, buildArgs: {}, platform: "linux/amd64" }, controller.signal)
            .catch((e: unknown) => e);
        expect((failure as Error).name).to.equal("AbortError");
    });
});
