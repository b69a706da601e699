import { expect } from "chai";
import { buildRequest, stripAnsi } from "../../../automation/stages/build";
import { parseStackOutputs } from "../../../automation/plan/outputs";
import type { ReleasePlan } from "../../../automation/plan/release";
import { baseConfig, synth } from "../../helpers/synth";

describe("build stage: builds exactly what the program declares", () => {
    it("uses the catalogue's Dockerfile, target, build args and platform from the stack outputs, plus the release SHA", async () => {
        const c = baseConfig();
        c["berth:services"][1].build = { context: "test/fixtures/context", dockerfile: "Dockerfile", target: "runtime", args: { FLAVOUR: "slim" } };
        c["berth:services"][1].architecture = "arm64";
        const outputs = parseStackOutputs((await synth(c)).outputs);
        const sha = "a".repeat(40);
        const plan = { sha, imageTag: sha } as ReleasePlan;
        expect(buildRequest(plan, outputs, "/project", "api")).to.deep.equal({
            context: "/project/test/fixtures/context",
            dockerfile: "Dockerfile",
            imageRef: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/api:${sha}`,
            buildArgs: { FLAVOUR: "slim", GIT_SHA: sha },
            platform: "linux/arm64",
            target: "runtime",
        });
        expect(buildRequest(plan, outputs, "/project", "web")).to.deep.include({ platform: "linux/amd64", buildArgs: { GIT_SHA: sha } });
    });

    it("reads stacks deployed before the build outputs existed with Docker's defaults", async () => {
        const raw = (await synth(baseConfig())).outputs as any;
        for (const svc of Object.values(raw.services) as any[]) {
            delete svc.dockerfile;
            delete svc.buildArgs;
            delete svc.platform;
        }
        const outputs = parseStackOutputs(raw);
        expect([outputs.services.api.dockerfile, outputs.services.api.buildArgs, outputs.services.api.platform]).to.deep.equal(["Dockerfile", {}, "linux/amd64"]);
    });
});

describe("build stage: log tails", () => {
    it("strips terminal escape codes (colours, cursor moves, OSC titles) from build log lines", () => {
        expect(stripAnsi("\u001b[31mnpm ERR!\u001b[0m code E404")).to.equal("npm ERR! code E404");
        expect(stripAnsi("\u001b[1A\u001b[2K#7 [build 3/5] RUN npm ci")).to.equal("#7 [build 3/5] RUN npm ci");
        expect(stripAnsi("\u001b]0;docker build\u0007done")).to.equal("done");
        expect(stripAnsi("plain [brackets] stay")).to.equal("plain [brackets] stay");
    });
});
