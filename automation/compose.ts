// The composition root: real adapters wired into the ports the release driver and the preview flow take. The AWS
// region and every resource name come from the stack's outputs; nothing here decides anything.
import * as fs from "fs";
import * as path from "path";
import { hashBuildContext } from "../infra/buildContext";
import type { AwsClientSettings } from "./adapters/aws";
import { systemClock } from "./adapters/clock";
import { DockerImageBuilder } from "./adapters/docker";
import { EcrRegistry } from "./adapters/ecr";
import { EcsAdapter } from "./adapters/ecs";
import { ElbAdapter } from "./adapters/elb";
import { GitSource } from "./adapters/git";
import { githubComments, githubDriftIssues } from "./adapters/github";
import { FetchHttp } from "./adapters/http";
import { LogsAdapter } from "./adapters/logs";
import { CloudWatchMetrics } from "./adapters/metrics";
import { openPulumiStack } from "./adapters/pulumiStack";
import { SsmReleaseStore } from "./adapters/releaseStore";
import { GitRevisionCost } from "../infra/cost/revision";
import { parseStackOutputs, StackOutputsError, type EnvironmentOutputs } from "./plan/outputs";
import type { PromotionPort, RegistryCredentials, StackPort } from "./ports";
import { RegistryImageCopier } from "./adapters/imageCopy";
import { ReleaseInputError } from "./stages/types";
import type { PreviewPorts } from "./commands/preview";
import { issueSettings, type DriftPorts } from "./commands/drift";
import type { ReleaseDeps } from "./stages/types";

export interface ComposeOptions {
    projectDir: string;
    stackName: string;
    /** Human progress lines; stderr by default. */
    progress?: (line: string) => void;
    /** The preview's base commit for the cost change (`--base`); else the pull request's base from the event. */
    base?: string;
    /** `deploy --promote-from`: compose the promotion ports (the source stack, the image copier). */
    promote?: boolean;
}

const toStderr = (line: string) => process.stderr.write(`${line}\n`);

export function openStack(options: ComposeOptions): Promise<StackPort> {
    return openPulumiStack({ stackName: options.stackName, projectDir: options.projectDir });
}

/** Every port of a release, for the stack's region (from its outputs). */
export async function composeReleaseDeps(options: ComposeOptions): Promise<ReleaseDeps> {
    const progress = options.progress ?? toStderr;
    const stack = await openStack(options);
    const outputs = parseStackOutputs(await stack.outputs());
    // Every AWS client is built by the adapters with adapters/aws.ts's settings (awsClient): the SDK's retry strategy
    // and one progress line per retry. A new AWS adapter takes these same settings.
    const aws: AwsClientSettings = { region: outputs.region, progress };
    return {
        stack,
        ecs: new EcsAdapter(aws),
        elb: new ElbAdapter(aws),
        logs: new LogsAdapter(aws),
        metrics: new CloudWatchMetrics(aws),
        registry: new EcrRegistry(aws),
        builder: new DockerImageBuilder({ retry: { clock: systemClock, progress } }),
        http: new FetchHttp({ clock: systemClock, progress }),
        store: new SsmReleaseStore({ ...aws, parameterName: outputs.releasedImagesParameter }),
        source: new GitSource(options.projectDir),
        clock: systemClock,
        progress,
        contextDigest: hashBuildContext,
        ...(options.promote ? { promotion: promotionPort(options, progress) } : {}),
    };
}

/**
 * The source stack of a promotion, read like `status` reads a stack: its outputs through the Automation API, its
 * released set and history from the SSM parameters those outputs name (in the source's region); and the image copier.
 */
function promotionPort(options: ComposeOptions, progress: (line: string) => void): PromotionPort {
    const credentials = new Map<string, Promise<RegistryCredentials>>();
    const ecrCredentials = (region: string) => {
        if (!credentials.has(region)) credentials.set(region, new EcrRegistry({ region, progress }).credentials());
        return credentials.get(region)!;
    };
    return {
        images: new RegistryImageCopier({ ecrCredentials }),
        readSource: async (stackName) => {
            const source = await openPulumiStack({ stackName, projectDir: options.projectDir });
            const raw = await source.outputs();
            let outputs: EnvironmentOutputs;
            try {
                outputs = parseStackOutputs(raw);
            } catch (error) {
                if (error instanceof StackOutputsError) throw new ReleaseInputError(`the outputs of the source stack ${stackName} are unusable: ${error.message}`);
                throw error;
            }
            const store = new SsmReleaseStore({ region: outputs.region, progress, parameterName: outputs.releasedImagesParameter });
            // The outcome history only words a refusal: a promotion of a verified release does not need it.
            const outcomes = await store.listOutcomes().then(
                (list) => ({ outcomes: list }),
                (error: Error) => ({ outcomes: [], outcomesProblem: error.message }),
            );
            return { outputs: raw, released: await store.readReleased(), history: await store.listReleases(), ...outcomes, updates: await source.history(50) };
        },
    };
}

/** The ports of the preview flow: the stack, the release store, this checkout's build contexts, GitHub, files. */
export async function composePreviewPorts(options: ComposeOptions): Promise<PreviewPorts> {
    const progress = options.progress ?? toStderr;
    const stack = await openStack(options);
    return {
        stack,
        storeFor: (outputs) => new SsmReleaseStore({ region: outputs.region, progress, parameterName: outputs.releasedImagesParameter }),
        contextDigests: (outputs) => contextDigests(options.projectDir, outputs),
        source: new GitSource(options.projectDir),
        now: () => systemClock.now(),
        comments: githubComments,
        files: {
            write: (file, text) => fs.writeFileSync(file, text),
            append: (file, text) => fs.appendFileSync(file, text),
            read: (file) => fs.readFileSync(file, "utf8"),
        },
        env: process.env,
        stdout: (text) => process.stdout.write(text),
        progress,
        cost: new GitRevisionCost(options.projectDir, options.stackName, options.base ?? baseFromEvent(process.env)),
    };
}

/** The pull request's base commit from the GitHub event payload, when this run is for a pull request. */
export function baseFromEvent(env: NodeJS.ProcessEnv, read: (file: string) => string = (f) => fs.readFileSync(f, "utf8")): string | undefined {
    if (!env.GITHUB_EVENT_PATH || !env.GITHUB_EVENT_NAME?.startsWith("pull_request")) return undefined;
    const event = JSON.parse(read(env.GITHUB_EVENT_PATH)) as { pull_request?: { base?: { sha?: string } } };
    return event.pull_request?.base?.sha;
}

/**
 * service → digest of its build context in this checkout, computed exactly as the driver's resolve stage does (the
 * context directory and Dockerfile from the outputs), so the preview predicts what a release would roll.
 */
export function contextDigests(projectDir: string, outputs: EnvironmentOutputs): Record<string, string> {
    return Object.fromEntries(Object.entries(outputs.services).map(([name, svc]) => [name, hashBuildContext(path.resolve(projectDir, svc.buildContext), svc.dockerfile)]));
}

/** The ports of `drift`: the stack (its refresh preview) and, asked for only with --issue, the GitHub drift issue. */
export async function composeDriftPorts(options: ComposeOptions & { env: NodeJS.ProcessEnv }): Promise<DriftPorts> {
    const progress = options.progress ?? toStderr;
    const stack = await openPulumiStack({ stackName: options.stackName, projectDir: options.projectDir });
    return { stack, issues: () => githubDriftIssues(issueSettings(options.env)), now: () => systemClock.now(), progress };
}
