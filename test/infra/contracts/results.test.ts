// The command results' one schema module: strict writing, tolerant reading of older documents, the generated docs.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { RESULT_SCHEMAS, SCHEMA_IDS } from "../../../infra/contracts/results";
import { deliverResult, readReleaseRecord, resultJson } from "../../../infra/contracts/resultJson";
import { renderResultsDoc, RESULTS_DOC } from "../../../infra/contracts/resultsDoc";
import { parseReleasedSetValue, serializeReleasedSet } from "../../../infra/contracts/releasedSet";
import { parseReleasedSet } from "../../../automation/adapters/releaseStore";
import { releaseGantt, renderJson, renderMarkdown } from "../../../automation/plan/report";
import { releaseRecord } from "../../helpers/releaseRecord";

const FIXTURES = path.join(__dirname, "../../fixtures/records");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

describe("contracts/results: one versioned schema per command", () => {
    it("every command has a berth.<command>/v1 id and a schema whose schema field is that id", () => {
        expect(SCHEMA_IDS).to.deep.equal({
            deploy: "berth.deploy/v1",
            rollback: "berth.rollback/v1",
            status: "berth.status/v1",
            preview: "berth.preview/v1",
            synth: "berth.synth/v1",
            cost: "berth.cost/v1",
            drift: "berth.drift/v1",
        });
        for (const [command, schema] of Object.entries(RESULT_SCHEMAS)) {
            expect(schema.shape.schema.safeParse(SCHEMA_IDS[command as keyof typeof SCHEMA_IDS]).success, command).to.equal(true);
            expect(schema.shape.schema.safeParse("berth.other/v1").success, command).to.equal(false);
        }
    });

    it("docs/json.md is generated from the schemas and current (npm run docs:json rewrites it)", () => {
        expect(fs.readFileSync(RESULTS_DOC, "utf8")).to.equal(renderResultsDoc());
    });

    it("strict writing: a status result with a field the schema lacks is refused with its path", () => {
        const status = { schema: SCHEMA_IDS.status, stack: "dev", cluster: "c", services: [] };
        expect(resultJson("status", status)).to.equal(`${JSON.stringify(status, null, 2)}\n`);
        expect(() => resultJson("status", { ...status, extra: 1 } as typeof status)).to.throw("berth.status/v1: extra not in the schema");
        expect(() => resultJson("status", { ...status, schema: "berth.status/v2" } as unknown as typeof status)).to.throw('berth.status/v1: schema: Invalid input: expected "berth.status/v1"');
    });

    it("deliverResult: --json → JSON on stdout and the human text on stderr or nowhere; --output → the file, human on stdout", () => {
        const doc = { schema: SCHEMA_IDS.status, stack: "dev", cluster: "c", services: [] };
        const run = (flags: { json?: boolean; output?: string }, human: "stderr" | "none") => {
            const seen = { stdout: "", stderr: "", files: {} as Record<string, string> };
            deliverResult("status", doc, "TABLE\n", flags, { stdout: (t) => (seen.stdout += t), stderr: (t) => (seen.stderr += t), writeFile: (f, t) => (seen.files[f] = t) }, human);
            return seen;
        };
        const json = `${JSON.stringify(doc, null, 2)}\n`;
        expect(run({}, "stderr")).to.deep.equal({ stdout: "TABLE\n", stderr: "", files: {} });
        expect(run({ json: true }, "none")).to.deep.equal({ stdout: json, stderr: "", files: {} });
        expect(run({ json: true }, "stderr")).to.deep.equal({ stdout: json, stderr: "TABLE\n", files: {} });
        expect(run({ output: "/o.json" }, "none")).to.deep.equal({ stdout: "TABLE\n", stderr: "berth.status/v1 result written to /o.json\n", files: { "/o.json": json } });
        expect(run({ json: true, output: "/o.json" }, "none")).to.deep.equal({ stdout: json, stderr: "berth.status/v1 result written to /o.json\n", files: { "/o.json": json } });
    });
});

describe("contracts/results: the release record, written strictly and read tolerantly", () => {
    it("a record written before the schema ids (today's deploy --json file: version 1 + exitCode, no schema, no stage times) parses", () => {
        const read = readReleaseRecord(fixture("deploy-record-v1-before-schema-ids.json"));
        expect(read.ok).to.equal(true);
        if (!read.ok) return;
        expect(read).to.not.have.property("schema");
        expect([read.record.id, read.record.state, read.record.services[0].rollback, read.record.stages.length]).to.deep.equal(["20261201-101502-1a2b3c4", "ROLLED_BACK", "restored", 6]);
        expect(read.record).to.not.have.property("exitCode"); // the exit code is the result's, not the record's
        // The report draws it too, stages back to back from the record's start.
        expect(renderMarkdown(read.record)).to.contain("    build and push :done, build1, 2026-12-01T10:15:02, 2026-12-01T10:16:04");
    });

    it("a record written now reads back to the same record; fields added in a later v1 are ignored", () => {
        const record = releaseRecord("RELEASED", { stages: [{ name: "build", outcome: "ok", startedAt: "2026-03-14T09:15:02.000Z", durationMs: 1000 }] });
        const read = readReleaseRecord(renderJson(record, "rollback"));
        expect(read).to.deep.equal({ ok: true, record, schema: "berth.rollback/v1" });
        const later = JSON.stringify({ ...JSON.parse(renderJson(record)), source: { stack: "dev", releaseId: "r0" }, services: [] });
        const tolerant = readReleaseRecord(later);
        expect(tolerant.ok && tolerant.record).to.deep.equal({ ...record, services: [] });
        expect(releaseGantt(record)).to.be.a("string");
    });

    it("refuses what is not a release record, saying why", () => {
        expect(readReleaseRecord("{")).to.deep.equal({ ok: false, why: "not JSON" });
        expect(readReleaseRecord("[]")).to.deep.equal({ ok: false, why: "not an object" });
        expect(readReleaseRecord(JSON.stringify({ schema: "berth.status/v1" }))).to.deep.equal({ ok: false, why: 'schema "berth.status/v1" is not a release record (berth.deploy/v1 or berth.rollback/v1)' });
        const noState = JSON.parse(fixture("deploy-record-v1-before-schema-ids.json"));
        delete noState.state;
        expect(readReleaseRecord(JSON.stringify(noState))).to.deep.equal({
            ok: false,
            why: 'state: Invalid option: expected one of "RELEASED"|"NOTHING_TO_DO"|"ROLLED_BACK"|"FAILED_BEFORE_CHANGE"|"NEEDS_ATTENTION"|"INTERRUPTED"',
        });
    });
});

describe("contracts/releasedSet: what SSM holds, written strictly and read tolerantly", () => {
    it("a released set as stored today reads back whole, and is written back byte for byte", () => {
        const stored = fixture("released-set-v1.json").trim();
        const set = parseReleasedSet("/berth/dev/released-images", stored);
        expect(set.rolledBackFrom).to.equal("20261130-090000-0f0f0f0");
        expect(serializeReleasedSet(set)).to.equal(stored);
    });

    it("a set carrying a field a later version adds still reads (the field dropped); writing one this version lacks is refused", () => {
        const later = JSON.stringify({ ...JSON.parse(fixture("released-set-v1.json")), signedBy: "dev" });
        const read = parseReleasedSetValue(later);
        expect(read.ok && Object.keys(read.value)).to.not.include("signedBy");
        const set = parseReleasedSet("/p", fixture("released-set-v1.json"));
        expect(() => serializeReleasedSet({ ...set, signedBy: "dev" } as typeof set)).to.throw("not a valid released set: signedBy not in the schema (infra/contracts/releasedSet.ts)");
        expect(() => serializeReleasedSet({ ...set, images: { orders: "latest" } })).to.throw("not a valid released set: orders has no sha256 digest");
    });
});
