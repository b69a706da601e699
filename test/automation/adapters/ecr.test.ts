import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import {
    BatchGetImageCommand,
    DescribeImagesCommand,
    ECRClient,
    GetAuthorizationTokenCommand,
    ImageAlreadyExistsException,
    ImageNotFoundException,
    ImageTagAlreadyExistsException,
    PutImageCommand,
} from "@aws-sdk/client-ecr";
import { EcrRegistry, MANIFEST_MEDIA_TYPES } from "../../../automation/adapters/ecr";

const ecrMock = mockClient(ECRClient);
const DIGEST = `sha256:${"a".repeat(64)}`;
const MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}';

function registry(): EcrRegistry {
    return new EcrRegistry({ client: new ECRClient({ region: "eu-west-1" }) });
}

describe("EcrRegistry", () => {
    beforeEach(() => ecrMock.reset());

    it("decodes the authorization token into user and password, with the proxy endpoint's host as server", async () => {
        ecrMock.on(GetAuthorizationTokenCommand).resolves({
            authorizationData: [
                { authorizationToken: Buffer.from("AWS:pass:with:colons").toString("base64"), proxyEndpoint: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com" },
            ],
        });
        expect(await registry().credentials()).to.deep.equal({
            server: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            username: "AWS",
            password: "pass:with:colons",
        });
    });

    it("reads the digest behind a tag, and undefined when ECR answers ImageNotFoundException", async () => {
        ecrMock
            .on(DescribeImagesCommand, { imageIds: [{ imageTag: "abc123" }] })
            .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ["abc123"] }] })
            .on(DescribeImagesCommand, { imageIds: [{ imageTag: "missing" }] })
            .rejects(new ImageNotFoundException({ message: "The image with imageId {imageTag:'missing'} does not exist", $metadata: {} }));
        expect(await registry().digestOf("berth/api", "abc123")).to.equal(DIGEST);
        expect(await registry().digestOf("berth/api", "missing")).to.equal(undefined);
        expect(ecrMock.commandCalls(DescribeImagesCommand)[0].args[0].input).to.deep.equal({ repositoryName: "berth/api", imageIds: [{ imageTag: "abc123" }] });
    });

    it("retags by putting the existing manifest under the new tag", async () => {
        ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: MANIFEST, imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" }] });
        ecrMock.on(PutImageCommand).resolves({});
        await registry().addTag("berth/api", DIGEST, "rel-42");
        expect(ecrMock.commandCalls(BatchGetImageCommand)[0].args[0].input).to.deep.equal({
            repositoryName: "berth/api",
            imageIds: [{ imageDigest: DIGEST }],
            acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
        });
        expect(ecrMock.commandCalls(PutImageCommand)[0].args[0].input).to.deep.equal({
            repositoryName: "berth/api",
            imageManifest: MANIFEST,
            imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
            imageDigest: DIGEST,
            imageTag: "rel-42",
        });
    });

    it("treats ImageAlreadyExistsException (the tag is already on this image) as success", async () => {
        ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: MANIFEST, imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" }] });
        ecrMock.on(PutImageCommand).rejects(new ImageAlreadyExistsException({ message: "already exists", $metadata: {} }));
        await registry().addTag("berth/api", DIGEST, "rel-42");
    });

    it("explains a tag held by another image in the immutable repository", async () => {
        ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: MANIFEST, imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" }] });
        ecrMock.on(PutImageCommand).rejects(new ImageTagAlreadyExistsException({ message: "tag exists", $metadata: {} }));
        const failure = await registry().addTag("berth/api", DIGEST, "rel-42").catch((e: Error) => e);
        expect((failure as Error).message).to.equal(`cannot tag berth/api@${DIGEST} as rel-42: the immutable repository already has rel-42 on another image`);
    });

    it("names the missing image when BatchGetImage reports a failure", async () => {
        ecrMock.on(BatchGetImageCommand).resolves({ images: [], failures: [{ failureCode: "ImageNotFound", failureReason: "Requested image not found" }] });
        const failure = await registry().addTag("berth/api", DIGEST, "rel-42").catch((e: Error) => e);
        expect((failure as Error).message).to.equal(`cannot tag berth/api@${DIGEST} as rel-42: the image was not found (ImageNotFound: Requested image not found)`);
        expect(ecrMock.commandCalls(PutImageCommand)).to.have.length(0);
    });
});
