// RegistryPort over ECR (SDK v3): login credentials, tag → digest, and retagging an existing image by
// putting its manifest under the new tag (the documented way to retag in ECR; no pull or push needed).
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import type { RegistryCredentials, RegistryPort } from "../ports";
import { awsClient, type AwsAdapterOptions } from "./aws";

/** Manifest types berth accepts when reading a manifest back (single-platform and index/list). */
export const MANIFEST_MEDIA_TYPES = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

export class EcrRegistry implements RegistryPort {
    private readonly client: ECRClient;

    constructor(options: AwsAdapterOptions<ECRClient> = {}) {
        this.client = options.client ?? awsClient(ECRClient, options);
    }

    async credentials(): Promise<RegistryCredentials> {
        const out = await this.client.send(new GetAuthorizationTokenCommand({}));
        const data = out.authorizationData?.[0];
        if (!data?.authorizationToken || !data.proxyEndpoint) throw new Error("ECR GetAuthorizationToken returned no token");
        // The token is base64 of "AWS:<password>"; the password may itself contain ':'.
        const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon <= 0) throw new Error("ECR authorization token is not of the form user:password");
        return { server: new URL(data.proxyEndpoint).host, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }

    async digestOf(repositoryName: string, tag: string): Promise<string | undefined> {
        try {
            const out = await this.client.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
            return out.imageDetails?.[0]?.imageDigest;
        } catch (error) {
            if ((error as { name?: string }).name === "ImageNotFoundException") return undefined;
            throw error;
        }
    }

    async addTag(repositoryName: string, digest: string, tag: string): Promise<void> {
        const got = await this.client.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest: digest }], acceptedMediaTypes: MANIFEST_MEDIA_TYPES }));
        const image = got.images?.[0];
        if (!image?.imageManifest) {
            const failure = got.failures?.[0];
            const why = failure ? `${failure.failureCode}: ${failure.failureReason}` : "no manifest returned";
            throw new Error(`cannot tag ${repositoryName}@${digest} as ${tag}: the image was not found (${why})`);
        }
        try {
            await this.client.send(
                new PutImageCommand({
                    repositoryName,
                    imageManifest: image.imageManifest,
                    imageManifestMediaType: image.imageManifestMediaType,
                    imageDigest: digest,
                    imageTag: tag,
                }),
            );
        } catch (error) {
            const name = (error as { name?: string }).name;
            // The tag already points at this very image: the goal is reached.
            if (name === "ImageAlreadyExistsException") return;
            if (name === "ImageTagAlreadyExistsException") {
                throw new Error(`cannot tag ${repositoryName}@${digest} as ${tag}: the immutable repository already has ${tag} on another image`);
            }
            throw error;
        }
    }
}
