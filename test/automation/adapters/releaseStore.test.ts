import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import { GetParameterCommand, GetParametersByPathCommand, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parseReleasedSet, releaseHistoryPath, SsmReleaseStore, tierFor } from "../../../automation/adapters/releaseStore";
import type { ReleasedSet } from "../../../automation/ports";

const ssmMock = mockClient(SSMClient);
const NAME = "/berth/dev/released-images";
const HISTORY = "/berth/dev/releases";
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
        expect(() => parseReleasedSet(NAME, JSON.stringify({ ...SET, rolledBackFrom: 7 }))).to.throw(
            `SSM parameter ${NAME} is not a berth released set (rolledBackFrom is not a release id); a verified release rewrites it`,
        );
        expect(parseReleasedSet(NAME, JSON.stringify({ ...SET, rolledBackFrom: "20260301-120000-0000000" })).rolledBackFrom).to.equal("20260301-120000-0000000");
    });

    it("writes the history entry releases/<id>, then overwrites the released set, each one String parameter with the whole set", async () => {
        ssmMock.on(PutParameterCommand).resolves({ Version: 2 });
        await store().writeReleased(SET);
        const inputs = ssmMock.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
        const put = (Name: string) => ({ Name, Value: JSON.stringify(SET), Type: "String", Overwrite: true, Tier: "Intelligent-Tiering" });
        expect(inputs).to.deep.equal([put(`${HISTORY}/r-1`), put(NAME)]);
    });

    it("strict writing: a set with a field the schema lacks, or a tag for a digest, is refused before any PutParameter", async () => {
        ssmMock.on(PutParameterCommand).resolves({ Version: 2 });
        const extra = await store().writeReleased({ ...SET, strategy: "canary" } as ReleasedSet).catch((e: Error) => e);
        expect((extra as Error).message).to.equal("not a valid released set: strategy not in the schema (infra/contracts/releasedSet.ts)");
        const tag = await store().writeReleased({ ...SET, images: { api: "latest" } }).catch((e: Error) => e);
        expect((tag as Error).message).to.equal("not a valid released set: api has no sha256 digest");
        expect(ssmMock.commandCalls(PutParameterCommand)).to.have.length(0);
    });

    it("derives the history path from the released-set parameter, one level below the path the program lists", () => {
        expect(releaseHistoryPath(NAME)).to.equal(HISTORY);
        expect(releaseHistoryPath("/acme/prod-eu/released-images")).to.equal("/acme/prod-eu/releases");
        expect(() => releaseHistoryPath("released-images")).to.throw("the released-set parameter released-images is not hierarchical");
    });

    it("does not touch the released set when the history entry cannot be written", async () => {
        ssmMock.on(PutParameterCommand, { Name: `${HISTORY}/r-1` }).rejects(Object.assign(new Error("User is not authorized to perform ssm:PutParameter"), { name: "AccessDeniedException" }));
        ssmMock.on(PutParameterCommand, { Name: NAME }).resolves({ Version: 2 });
        const failure = await store().writeReleased(SET).catch((e: Error) => e);
        expect((failure as Error).message).to.match(/not authorized/);
        expect(ssmMock.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Name)).to.deep.equal([`${HISTORY}/r-1`]);
    });

    it("lists the history non-recursively across pages (NextToken), newest first", async () => {
        const at = (id: string, releasedAt: string, sha: string): ReleasedSet => ({ ...SET, releaseId: id, releasedAt, sha });
        const a = at("20260101-120000-aaaaaaa", "2026-01-01T12:00:00.000Z", "a".repeat(40));
        const b = at("20260301-120000-bbbbbbb", "2026-03-01T12:00:00.000Z", "b".repeat(40));
        const c = at("20260201-120000-ccccccc", "2026-02-01T12:00:00.000Z", "c".repeat(40));
        const param = (s: ReleasedSet) => ({ Name: `${HISTORY}/${s.releaseId}`, Type: "String" as const, Value: JSON.stringify(s) });
        ssmMock
            .on(GetParametersByPathCommand)
            .resolvesOnce({ Parameters: [param(a)], NextToken: "t1" })
            .resolvesOnce({ Parameters: [], NextToken: "t2" })
            .resolvesOnce({ Parameters: [param(b), param(c)] });
        expect(await store().listReleases()).to.deep.equal([b, c, a]);
        expect(ssmMock.commandCalls(GetParametersByPathCommand).map((x) => x.args[0].input)).to.deep.equal([
            { Path: HISTORY, Recursive: false, MaxResults: 10 },
            { Path: HISTORY, Recursive: false, MaxResults: 10, NextToken: "t1" },
            { Path: HISTORY, Recursive: false, MaxResults: 10, NextToken: "t2" },
        ]);
    });

    it("lists an empty history as []; a corrupt entry fails naming the parameter", async () => {
        ssmMock.on(GetParametersByPathCommand).resolvesOnce({ Parameters: [] });
        expect(await store().listReleases()).to.deep.equal([]);
        ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: `${HISTORY}/x`, Value: "{" }] });
        const failure = await store().listReleases().catch((e: Error) => e);
        expect((failure as Error).message).to.equal(`SSM parameter ${HISTORY}/x is not a berth released set (not JSON); delete that parameter to drop it from the release history`);
    });

    it("asks for the Advanced tier above 4 KB and refuses above 8 KB before calling SSM", async () => {
        expect(tierFor(4096)).to.equal("Intelligent-Tiering");
        expect(tierFor(4097)).to.equal("Advanced");
        ssmMock.on(PutParameterCommand).resolves({ Version: 3 });
        const big = { ...SET, contexts: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`service-${i}`, "c".repeat(40)])) };
        await store().writeReleased(big);
        expect(ssmMock.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Tier)).to.deep.equal(["Advanced", "Advanced"]);

        const huge = { ...SET, contexts: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`service-${i}`, "c".repeat(40)])) };
        const failure = await store().writeReleased(huge).catch((e: Error) => e);
        expect((failure as Error).message).to.match(/^the released set is \d+ bytes, above SSM's 8192-byte parameter limit; it cannot be recorded in \/berth\/dev\/released-images$/);
        expect(ssmMock.commandCalls(PutParameterCommand)).to.have.length(2);
    });

});
