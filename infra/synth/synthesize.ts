// Synthesis: the real program, in-process, under the mock engine — the environment a `pulumi up` would
// declare, with no CLI and no cloud. Returns the resources, the outputs and the settings behind them.
import * as pulumi from "@pulumi/pulumi";
import { berth } from "../program";
import { loadSettings } from "../config/load";
import { checkBuildInputs } from "../config/buildInputs";
import { parseConfigValue } from "../config/pulumiConfig";
import type { Settings } from "../config/settings";
import { runUnderMocks, MockWorld, SynthResource } from "./mockEngine";
import { loadProject } from "./stackFiles";

export interface Synthesis {
    project: string;
    stack: string;
    settings: Settings;
    resources: SynthResource[];
    outputs: Record<string, unknown>;
}

export interface SynthOptions {
    project: string;
    stack: string;
    /** Runtime config: full key → string (JSON for structured values). */
    config: Record<string, string>;
    secretKeys?: string[];
    projectDir: string;
    world?: Partial<MockWorld>;
}

/** Resolves every Output inside a value (mock runs are never previews, so nothing stays unknown). */
export function resolveOutputs<T>(value: T): Promise<pulumi.Unwrap<T>> {
    return new Promise((resolve) => {
        pulumi.output(value).apply((v) => {
            resolve(v as pulumi.Unwrap<T>);
            return v;
        });
    });
}

export async function synthesize(options: SynthOptions): Promise<Synthesis> {
    const values = Object.fromEntries(Object.entries(options.config).map(([k, v]) => [k, parseConfigValue(v)]));
    // Validated here first so a bad config fails before the runtime is touched (the program validates again).
    const settings = loadSettings({ project: options.project, stack: options.stack, values, secretKeys: options.secretKeys });
    checkBuildInputs(settings.services, options.projectDir);
    const region = (values["aws:region"] as string | undefined) ?? "us-east-1";
    const world: MockWorld = { region, accountId: "123456789012", ...options.world };
    const run = await runUnderMocks({
        project: options.project,
        stack: options.stack,
        config: options.config,
        secretKeys: options.secretKeys,
        world,
        program: async () => resolveOutputs(await berth({ projectDir: options.projectDir })),
    });
    return { project: options.project, stack: options.stack, settings, resources: run.resources, outputs: run.result as Record<string, unknown> };
}

/** Synthesizes a stack of the project in `projectDir` from its Pulumi.yaml and Pulumi.<stack>.yaml. */
export async function synthesizeStack(projectDir: string, stack: string, world?: Partial<MockWorld>): Promise<Synthesis> {
    const loaded = loadProject(projectDir, stack);
    return synthesize({
        project: loaded.project.name,
        stack,
        config: loaded.stackConfig.config,
        secretKeys: loaded.stackConfig.secretKeys,
        projectDir,
        world,
    });
}
