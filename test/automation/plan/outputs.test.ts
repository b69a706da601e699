import { expect } from "chai";
import { parseStackOutputs, repositoryName, StackOutputsError } from "../../../automation/plan/outputs";
import { realOutputs } from "./fixtures";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const problemsOf = (raw: unknown): string[] => {
    try {
        parseStackOutputs(raw);
    } catch (err) {
        expect(err).to.be.instanceOf(StackOutputsError);
        return (err as StackOutputsError).problems;
    }
    throw new Error("expected StackOutputsError");
};

describe("plan/outputs: parseStackOutputs", function () {
    this.timeout(30_000);

    it("F18: parses the outputs the real program exports, identifiers unchanged", async () => {
        const { raw, outputs } = await realOutputs();
        expect(Object.keys(outputs.services)).to.deep.equal(["web", "api", "worker"]);
        const api = (raw.services as Record<string, Record<string, unknown>>).api;
        expect(outputs.services.api.serviceName).to.equal(api.serviceName);
        expect(outputs.services.api.taskDefinitionArn).to.equal(api.taskDefinitionArn);
        expect(outputs.services.worker.targetGroupArn).to.equal(undefined);
        expect(outputs.services.api.waitsFor).to.deep.equal(["worker"]);
        expect(outputs.rolloutLevels).to.deep.equal([["worker"], ["api"], ["web"]]);
        expect(outputs.migration?.service).to.equal("api");
        expect(outputs.migration?.securityGroupIds).to.have.length(1);
        expect(outputs.releasedImagesParameter).to.equal("/berth/dev/released-images");
    });

    it("F04: names every missing key with the command that fixes it", async () => {
        const raw = clone((await realOutputs()).raw) as any;
        delete raw.services.api.serviceName;
        delete raw.clusterName;
        delete raw.migration.subnetIds;
        expect(problemsOf(raw)).to.have.members([
            "stack output clusterName is missing — run `pulumi up` with this version of berth first",
            "stack output services.api.serviceName is missing — run `pulumi up` with this version of berth first",
            "stack output migration.subnetIds is missing — run `pulumi up` with this version of berth first",
        ]);
    });

    it("F04: says what is wrong with an invalid key", async () => {
        const raw = clone((await realOutputs()).raw) as any;
        raw.services.web.port = "8080";
        const problems = problemsOf(raw);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^stack output services\.web\.port is invalid \(.*expected number.*; got "8080"\) — run `pulumi up`/);
    });

    it("F11: rejects waitsFor and rolloutLevels naming services the stack does not have", async () => {
        const raw = clone((await realOutputs()).raw) as any;
        raw.services.web.waitsFor = ["api", "ghost"];
        raw.rolloutLevels = [["worker"], ["api"]];
        expect(problemsOf(raw)).to.deep.equal([
            "stack output services.web.waitsFor names ghost, which is not a service of this stack — run `pulumi up` with this version of berth first",
            "stack output rolloutLevels does not place web — run `pulumi up` with this version of berth first",
        ]);
    });

    it("rejects a stack with no outputs at all", () => {
        expect(problemsOf(undefined)).to.deep.equal(["the stack has no outputs object (got undefined) — run `pulumi up` with this version of berth first"]);
    });

    it("a never-provisioned stack (no outputs) is one sentence, not a list of missing outputs", () => {
        expect(problemsOf({})).to.deep.equal(["the stack has no outputs: it was never provisioned — run `pulumi up` first"]);
    });

    it("lists several problems as one numbered message", async () => {
        const raw = clone((await realOutputs()).raw) as any;
        delete raw.region;
        delete raw.publicUrl;
        expect(() => parseStackOutputs(raw)).to.throw(
            "the stack outputs are not usable:\n  1. stack output region is missing — run `pulumi up` with this version of berth first\n  2. stack output publicUrl is missing — run `pulumi up` with this version of berth first",
        );
    });

    it("reads the ECR repository name from its URL", () => {
        expect(repositoryName("123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/dev/api")).to.equal("berth/dev/api");
    });
});
