import { expect } from "chai";
import { buildArgs, pushedDigest, repositoryOf, tail } from "../../../automation/adapters/docker";

describe("docker adapter (pure parts)", () => {
    it("builds the docker build argument list with platform, file, tag, build args and target", () => {
        expect(
            buildArgs({ context: "/src/api", dockerfile: "Dockerfile", imageRef: "r/api:abc", buildArgs: { GIT_SHA: "abc" }, platform: "linux/arm64", target: "runtime" }),
        ).to.deep.equal(["build", "--platform", "linux/arm64", "-f", "/src/api/Dockerfile", "-t", "r/api:abc", "--build-arg", "GIT_SHA=abc", "--target", "runtime", "/src/api"]);
        expect(buildArgs({ context: "c", dockerfile: "/abs/Dockerfile", imageRef: "r:t", buildArgs: {}, platform: "linux/amd64" })).to.deep.equal([
            "build", "--platform", "linux/amd64", "-f", "/abs/Dockerfile", "-t", "r:t", "c",
        ]);
    });

    it("reads the digest docker push prints", () => {
        const d = `sha256:${"b".repeat(64)}`;
        expect(pushedDigest(`abc: Pushed\nabc123: digest: ${d} size: 527\n`)).to.equal(d);
        expect(pushedDigest("nothing")).to.equal(undefined);
    });

    it("strips the tag, not a registry port, from a reference", () => {
        expect(repositoryOf("127.0.0.1:5000/berth/api:abc")).to.equal("127.0.0.1:5000/berth/api");
        expect(repositoryOf("127.0.0.1:5000/berth/api")).to.equal("127.0.0.1:5000/berth/api");
        expect(repositoryOf(`r/api@sha256:${"c".repeat(64)}`)).to.equal("r/api");
    });

    it("keeps the last non-empty lines", () => {
        expect(tail(["a", "", "b", "c"], 2)).to.deep.equal(["b", "c"]);
    });
});
