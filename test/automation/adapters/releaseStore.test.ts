import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient, TooManyUpdates } from "@aws-sdk/client-ssm";
import { parseReleasedSet, SsmReleaseStore, tierFor } from "../../../automation/adapters/releaseStore";
import type { ReleasedSet } from "../../../automation/ports";

const ssmMock = mockClient(SSMClient);
const NAME = "/berth/dev/released-images";
const SET: ReleasedSet = {
    version: 1,
    releaseId: "r-1",
    sha: "0123456789abcdef0123456789abcdef01234567",
    releasedAt: "2026-01-01T12:00:00.000Z",
    images: { api: `sha256:${"a".repeat(64)}` },
    contexts: { api: "ctx-1" },
};

function store(): SsmReleaseStore {
    return new SsmReleaseStore({
        parameterName: NAME,
        client: new SSMClient({ region: "eu-west-1" }),
        retry: { attempts: 3, sleep: async () => undefined, onRetry: () => undefined },
    });
}

describe("SsmReleaseStore", () => {
    beforeEach(() => ssmMock.reset());

    it("reads and parses the released set", async () => {
        ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: JSON.stringify(SET) } });
        expect(await store().readReleased()).to.deep.equal(SET);
        expect(ssmMock.commandCalls(GetParameterCommand)[0].args[0].input).to.deep.equal({ Name: NAME });
    });

    it("answers undefined when SSM says ParameterNotFound (nothing released yet)", async () => {
        ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "", $metadata: {} }));
        expect(await store().readReleased()).to.equal(undefined);
    });

    it("rejects a value that is not a released set, naming the parameter", () => {
        expect(() => parseReleasedSet(NAME, "{")).to.throw(`SSM parameter ${NAME} is not a berth released set (not JSON); a verified release rewrites it`);
        expect(() => parseReleasedSet(NAME, JSON.stringify({ ...SET, version: 2 }))).to.throw("(version 2, expected 1)");
        expect(() => parseReleasedSet(NAME, JSON.stringify({ ...SET, images: [] }))).to.throw("(no images map)");
    });

    it("overwrites one String parameter with the whole set", async () => {
        ssmMock.on(PutParameterCommand).resolves({ Version: 2 });
        await store().writeReleased(SET);
        expect(ssmMock.commandCalls(PutParameterCommand)[0].args[0].input).to.deep.equal({
            Name: NAME,
            Value: JSON.stringify(SET),
            Type: "String",
            Overwrite: true,
            Tier: "Intelligent-Tiering",
        });
    });

    it("asks for the Advanced tier above 4 KB and refuses above 8 KB before calling SSM", async () => {
        expect(tierFor(4096)).to.equal("Intelligent-Tiering");
        expect(tierFor(4097)).to.equal("Advanced");
        ssmMock.on(PutParameterCommand).resolves({ Version: 3 });
        const big = { ...SET, contexts: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`service-${i}`, "c".repeat(40)])) };
        await store().writeReleased(big);
        expect(ssmMock.commandCalls(PutParameterCommand)[0].args[0].input.Tier).to.equal("Advanced");

        const huge = { ...SET, contexts: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`service-${i}`, "c".repeat(40)])) };
        const failure = await store().writeReleased(huge).catch((e: Error) => e);
        expect((failure as Error).message).to.match(/^the released set is \d+ bytes, above SSM's 8192-byte parameter limit; it cannot be recorded in \/berth\/dev\/released-images$/);
        expect(ssmMock.commandCalls(PutParameterCommand)).to.have.length(1);
    });

    it("retries a throttled write (TooManyUpdates) and gives up after the bound", async () => {
        ssmMock.on(PutParameterCommand).rejects(new TooManyUpdates({ message: "too many updates", $metadata: {} }));
        const failure = await store().writeReleased(SET).catch((e: Error) => e);
        expect(ssmMock.commandCalls(PutParameterCommand)).to.have.length(3);
        expect((failure as Error).message).to.equal(`ssm:PutParameter ${NAME} failed after 3 attempts: TooManyUpdates: too many updates`);
    });
});
