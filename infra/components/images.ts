// Which image each service runs, by digest (F06, F07): (1) `berth:images` set by the release driver for the
// update in flight, (2) the released image set the driver recorded in SSM after its last verified release,
// (3) only when neither names the service (bootstrap), an image built and pushed here with @pulumi/docker.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import type { ServiceSettings } from "../config/settings";
import { hashBuildContext } from "../buildContext";
import { parseReleasedImagesValue } from "../contracts/releasedSet";

export type ImageSource = "config" | "released" | "build";

export interface ImageChoice {
    service: string;
    source: ImageSource;
    /** sha256:… for config and released images; undefined when the image is built here. */
    digest?: string;
}

/** Parses the released image set parameter (infra/contracts/releasedSet.ts): its service → digest map. */
export function parseReleasedImages(parameterName: string, value: string): Record<string, string> {
    const parsed = parseReleasedImagesValue(value);
    if (parsed.ok) return parsed.value;
    throw new Error(
        `SSM parameter ${parameterName} is not a berth released image set (${parsed.why}); rerun a release to rewrite it, or delete the parameter to rebuild images from source`,
    );
}

/** Pure precedence: config over released over build. */
export function chooseImages(services: readonly string[], configured: Record<string, string>, released: Record<string, string>): ImageChoice[] {
    return services.map((service) => {
        if (configured[service]) return { service, source: "config", digest: configured[service] };
        if (released[service]) return { service, source: "released", digest: released[service] };
        return { service, source: "build" };
    });
}

/** Reads the released image set; an absent parameter means nothing has been released yet. */
export async function readReleasedImages(parameterPath: string, parameterName: string, provider: aws.Provider): Promise<Record<string, string>> {
    // getParametersByPath answers an empty list where getParameter would fail on a missing parameter.
    const found = await aws.ssm.getParametersByPath({ path: parameterPath, recursive: false, withDecryption: false }, { provider });
    const index = found.names.indexOf(parameterName);
    return index === -1 ? {} : parseReleasedImages(parameterName, found.values[index]);
}

export interface ImagesArgs {
    projectDir: string;
    services: ServiceSettings[];
    choices: ImageChoice[];
    repositories: Record<string, aws.ecr.Repository>;
    provider: aws.Provider;
}

export class Images extends pulumi.ComponentResource {
    /** `<repository url>@sha256:…` per service. */
    readonly refs: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: ImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("berth:images:Images", name, {}, opts);
        this.refs = {};
        for (const choice of args.choices) {
            const repo = args.repositories[choice.service];
            if (choice.digest) {
                this.refs[choice.service] = pulumi.interpolate`${repo.repositoryUrl}@${choice.digest}`;
                continue;
            }
            const service = args.services.find((s) => s.name === choice.service)!;
            this.refs[choice.service] = this.build(name, args, service, repo);
        }
        this.registerOutputs({ refs: this.refs });
    }

    private build(name: string, args: ImagesArgs, service: ServiceSettings, repo: aws.ecr.Repository): pulumi.Output<string> {
        const context = path.resolve(args.projectDir, service.build.context);
        // The content digest makes the tag unique per source, so the immutable repository never sees a tag twice.
        const tag = `bootstrap-${hashBuildContext(context, service.build.dockerfile).slice(0, 12)}`;
        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repo.registryId }, { provider: args.provider });
        const image = new docker.Image(
            `${name}-${service.name}`,
            {
                imageName: pulumi.interpolate`${repo.repositoryUrl}:${tag}`,
                build: {
                    context,
                    dockerfile: path.join(context, service.build.dockerfile),
                    target: service.build.target,
                    platform: service.architecture === "arm64" ? "linux/arm64" : "linux/amd64",
                    args: { ...service.build.args, GIT_SHA: tag },
                },
                registry: { server: repo.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) },
            },
            { parent: this },
        );
        return image.repoDigest;
    }
}
