import { expect } from "chai";
import { chooseImages, parseReleasedImages } from "../../infra/components/images";
import { contextFiles, hashBuildContext } from "../../infra/buildContext";
import * as fs from "fs";
import * as os from "os";
import { baseConfig, FIXTURE_CONTEXT, PROJECT_DIR, containers, ofType, one, synth, T } from "../helpers/synth";
import * as path from "path";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const released = (images: Record<string, string>) => JSON.stringify({ version: 1, releaseId: "r-1", sha: "abc1234", images });
const imageOf = (s: Awaited<ReturnType<typeof synth>>, svc: string) => containers(one(s, T.taskDefinition, `svc-${svc}-task-definition`))[0].image as string;
const repo = (svc: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/${svc}`;

describe("images: config over the released set over a bootstrap build (F06, F07)", () => {
    it("precedence is pure: config digest, then released digest, then build", () => {
        expect(chooseImages(["a", "b", "c"], { a: D("1") }, { a: D("2"), b: D("3") })).to.deep.equal([
            { service: "a", source: "config", digest: D("1") },
            { service: "b", source: "released", digest: D("3") },
            { service: "c", source: "build" },
        ]);
    });

    it("bootstrap: with no release recorded, the program builds and pushes each image, tagged by content, and runs it by digest", async () => {
        const s = await synth(baseConfig());
        const images = ofType(s, T.image);
        expect(images).to.have.length(3);
        const tag = `bootstrap-${hashBuildContext(path.join(PROJECT_DIR, FIXTURE_CONTEXT)).slice(0, 12)}`;
        expect(images.map((i) => i.inputs.imageName).sort()).to.deep.equal(["api", "web", "worker"].map((svc) => `${repo(svc)}:${tag}`));
        expect(imageOf(s, "api")).to.match(new RegExp(`^${repo("api").replace(/\./g, "\\.")}@sha256:[a-f0-9]{64}$`));
        // The SDK lifts secretness to the top-level input: the whole registry block travels as a secret.
        expect(images[0].secretPaths).to.deep.equal(["registry"]);
        expect(s.outputs.services).to.deep.nested.include({ "api.imageSource": "build" });
    });

    it("F07: after a verified release, a laptop up or PR preview rebuilds nothing and changes no image", async () => {
        const set = { web: D("a"), api: D("b"), worker: D("c") };
        const s = await synth(baseConfig(), { releasedImages: released(set) });
        expect(ofType(s, T.image)).to.have.length(0);
        for (const [svc, digest] of Object.entries(set)) expect(imageOf(s, svc)).to.equal(`${repo(svc)}@${digest}`);
        expect(containers(one(s, T.taskDefinition, "migration-task-definition"))[0].image).to.equal(`${repo("api")}@${set.api}`);
    });

    it("the release driver's berth:images override the released set for the update in flight", async () => {
        const s = await synth(baseConfig({ "berth:images": { api: D("d") } }), { releasedImages: released({ web: D("a"), api: D("b"), worker: D("c") }) });
        expect([imageOf(s, "web"), imageOf(s, "api")]).to.deep.equal([`${repo("web")}@${D("a")}`, `${repo("api")}@${D("d")}`]);
        expect(ofType(s, T.image)).to.have.length(0);
    });

    it("F02: berth:migrationImage moves only the migration task to the new image; every service keeps its own", async () => {
        const set = { web: D("a"), api: D("b"), worker: D("c") };
        const s = await synth(baseConfig({ "berth:migrationImage": D("f") }), { releasedImages: released(set) });
        expect(containers(one(s, T.taskDefinition, "migration-task-definition"))[0].image).to.equal(`${repo("api")}@${D("f")}`);
        for (const [svc, digest] of Object.entries(set)) expect(imageOf(s, svc)).to.equal(`${repo(svc)}@${digest}`);
    });

    it("a service added since the last release is built; the released ones are not", async () => {
        const s = await synth(baseConfig(), { releasedImages: released({ web: D("a"), api: D("b") }) });
        expect(ofType(s, T.image).map((i) => i.name)).to.deep.equal(["images-worker"]);
    });

    it("a malformed released set fails with the parameter name and the fix", () => {
        expect(() => parseReleasedImages("/berth/dev/released-images", "{}")).to.throw(
            "SSM parameter /berth/dev/released-images is not a berth released image set (no images map); rerun a release to rewrite it, or delete the parameter to rebuild images from source",
        );
        expect(() => parseReleasedImages("/p", JSON.stringify({ images: { a: "latest" } }))).to.throw("(a has no sha256 digest)");
    });

    it("the build-context digest covers what Docker receives: .dockerignore'd files do not count, the Dockerfile does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-ctx-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        fs.writeFileSync(path.join(dir, ".dockerignore"), "*.md\nnode_modules\nDockerfile\n");
        fs.writeFileSync(path.join(dir, "app.js"), "1");
        const before = hashBuildContext(dir);
        expect(contextFiles(dir)).to.deep.equal([".dockerignore", "app.js"]);
        fs.writeFileSync(path.join(dir, "README.md"), "docs");
        fs.mkdirSync(path.join(dir, "node_modules"));
        fs.writeFileSync(path.join(dir, "node_modules", "x.js"), "x");
        expect(hashBuildContext(dir)).to.equal(before);
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\nCOPY app.js /\n");
        expect(hashBuildContext(dir)).to.not.equal(before);
        fs.writeFileSync(path.join(dir, "app.js"), "2");
        expect(hashBuildContext(dir, "Dockerfile")).to.not.equal(before);
        expect(() => hashBuildContext(path.join(dir, "missing"))).to.throw("does not exist");
        expect(() => hashBuildContext(dir, "Dockerfile.prod")).to.throw(`Dockerfile ${path.join(dir, "Dockerfile.prod")} does not exist`);
    });
});
