import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { runUnderMocks } from "../../infra/synth/mockEngine";
import { resolveOutputs } from "../../infra/synth/synthesize";
import { findProjectDir } from "../../infra/projectDir";
import { berth } from "../../infra/program";
import { ConfigError } from "../../infra/config/errors";
import { baseConfig, PROJECT_DIR, toRuntime, T } from "../helpers/synth";

// What the Pulumi CLI does on a laptop: chdir to the folder Pulumi.yaml's `main` names, then load the entry point.
function programDirOf(projectDir: string): string {
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    const main = path.resolve(projectDir, project.main ?? ".");
    return fs.statSync(main).isDirectory() ? main : path.dirname(main);
}

describe("the entry point as the Pulumi CLI runs it (laptop pulumi up)", () => {
    it("builds the contexts from the project root although the working directory is infra/", async () => {
        const programDir = programDirOf(PROJECT_DIR);
        expect(programDir).to.equal(path.join(PROJECT_DIR, "infra"));
        const before = process.cwd();
        process.chdir(programDir);
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const entry = require(path.join(programDir, "index.ts")) as () => Promise<Record<string, unknown>>;
            const run = await runUnderMocks({
                project: "berth",
                stack: "dev",
                config: toRuntime(baseConfig()),
                world: { region: "eu-west-1", accountId: "123456789012" },
                program: async () => resolveOutputs(await entry()),
            });
            const contexts = run.resources.filter((r) => r.type === T.image).map((r) => (r.inputs.build as { context: string }).context);
            expect(contexts).to.deep.equal(["web", "api", "worker"].map(() => path.join(PROJECT_DIR, "test/fixtures/context")));
        } finally {
            process.chdir(before);
        }
    });

    it("rejects a missing build context as bad configuration before declaring anything, as a laptop run would", async () => {
        const config = baseConfig();
        config["berth:services"][2].build = { context: "services/wroker" };
        let error: Error | undefined;
        const run = await runUnderMocks({
            project: "berth",
            stack: "dev",
            config: toRuntime(config),
            world: { region: "eu-west-1", accountId: "123456789012" },
            program: async () => resolveOutputs(await berth()),
        }).catch((e: Error) => ((error = e), undefined));
        expect(run).to.equal(undefined);
        expect(error).to.be.instanceOf(ConfigError);
        expect(error!.message).to.equal(
            `berth configuration has 1 problem:\n  1. berth:services[2].build.context: "services/wroker" is not a folder in the project (${path.join(PROJECT_DIR, "services/wroker")}); build contexts are relative to Pulumi.yaml, e.g. services/app`,
        );
    });

    it("compiles with the project's tsconfig.json: the runtime's tsconfig option, resolved from the program's folder", () => {
        const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
        expect(project.runtime.options.typescript).to.equal(true);
        expect(path.resolve(programDirOf(PROJECT_DIR), project.runtime.options.tsconfig)).to.equal(path.join(PROJECT_DIR, "tsconfig.json"));
    });

    it("finds the project root by searching for Pulumi.yaml upward, and says so when there is none", () => {
        expect(findProjectDir(path.join(PROJECT_DIR, "infra/components"))).to.equal(PROJECT_DIR);
        expect(() => findProjectDir("/")).to.throw("no Pulumi.yaml in / or any folder above it");
    });
});
