import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildArgs, DockerImageBuilder, isTransientDockerFailure, pushedDigest, repositoryOf, tail } from "../../../automation/adapters/docker";
import { FakeClock } from "../fakes/world";

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

describe("DockerImageBuilder retries (a scripted docker executable, a virtual clock)", () => {
    let dir: string;
    const digest = `sha256:${"c".repeat(64)}`;
    /** A `docker` that fails its first `failures` pushes with `output`, then pushes; it counts its runs in a file. */
    function fakeDocker(failures: number, output: string): string {
        const script = path.join(dir, "docker");
        fs.writeFileSync(
            script,
            `#!/bin/sh\nn=$(cat "${dir}/runs" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${dir}/runs"\n` +
                `if [ "$1" = push ] && [ $n -le ${failures} ]; then echo "The push refers to repository [r/api]"; echo "${output}" >&2; exit 1; fi\n` +
                `echo "t1: digest: ${digest} size: 528"\n`,
            { mode: 0o755 },
        );
        return script;
    }
    const runs = () => Number(fs.readFileSync(path.join(dir, "runs"), "utf8"));
    function builder(docker: string) {
        const clock = new FakeClock(0);
        const lines: string[] = [];
        return { clock, lines, builder: new DockerImageBuilder({ docker, retry: { clock, progress: (l) => lines.push(l) } }) };
    }

    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-docker-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("pushes again when the registry or network failed the push, on the injected clock, with a line per retry", async () => {
        const { builder: b, clock, lines } = builder(fakeDocker(2, "error parsing HTTP 503 Service Unavailable response body"));
        expect(await b.push("r/api:t1")).to.equal(digest);
        expect(runs()).to.equal(3);
        expect(clock.now()).to.equal(2_000 + 4_000);
        expect(lines[0]).to.equal("retrying docker push r/api:t1 (attempt 2/3): docker push r/api:t1 failed (exit 1):\nThe push refers to repository [r/api]\nerror parsing HTTP 503 Service Unavailable response body");
        expect(lines).to.have.length(2);
    });

    it("does not push again when the registry refused the image itself (access denied)", async () => {
        const { builder: b, lines } = builder(fakeDocker(5, "denied: requested access to the resource is denied"));
        const failure = await b.push("r/api:t1").catch((e: Error) => e);
        expect((failure as Error).message).to.equal("docker push r/api:t1 failed (exit 1):\nThe push refers to repository [r/api]\ndenied: requested access to the resource is denied");
        expect(runs()).to.equal(1);
        expect(lines).to.deep.equal([]);
    });

    it("gives up after its attempts with the last failure", async () => {
        const { builder: b } = builder(fakeDocker(5, "read tcp 10.0.0.1:443: connection reset by peer"));
        const failure = await b.push("r/api:t1").catch((e: Error) => e);
        expect((failure as Error).message).to.match(/connection reset by peer$/);
        expect(runs()).to.equal(3);
    });

    it("tells registry and network failures from the image's own (pure)", () => {
        expect(["net/http: TLS handshake timeout", "toomanyrequests: retry later", "dial tcp: i/o timeout", "received unexpected HTTP status: 502 Bad Gateway"].map(isTransientDockerFailure)).to.deep.equal([true, true, true, true]);
        expect(["denied: requested access to the resource is denied", "manifest invalid", "name unknown: repository not found"].map(isTransientDockerFailure)).to.deep.equal([false, false, false]);
    });
});
