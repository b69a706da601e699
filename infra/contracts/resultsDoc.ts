// docs/json.md, generated from the result schemas (infra/contracts/results.ts): `npm run docs:json` writes it,
// and a test fails when the file and the schemas disagree.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { RESULT_SCHEMAS, SCHEMA_IDS, type ResultCommand } from "./results";

const WHAT: Record<ResultCommand, string> = {
    deploy: "The release record of one `deploy`: what each stage and service did, and what runs afterwards. The Markdown report is drawn from the same record.",
    rollback: "The release record of one `rollback`, the same shape as `deploy`'s.",
    status: "What runs now, per service: task definitions, counts, deployments, target health, the released digest; and how the last run ended when it was not the released set's release.",
    preview: "The pull-request preview: change counts, changes by component, stateful replacements, the release this commit would make, the cost change, and where the Markdown went.",
    synth: "The offline synthesis: components, resources (secret inputs redacted), outputs, rollout levels and graph, policy findings, the cost estimate.",
    cost: "The monthly cost estimate: lines, totals by component and AWS service, assumptions; with `--base`, the change.",
    drift: "What changed outside berth: each drifted resource by component with the properties that differ, the counts, the drift issue (with `--issue`).",
};

const COMMAND_LINE: Record<ResultCommand, string> = {
    deploy: "npm run deploy -- --stack <s> --json",
    rollback: "npm run rollback -- --stack <s> --json",
    status: "npm run status -- --stack <s> --json",
    preview: "npm run preview -- --stack <s> --json",
    synth: "npm run synth -- --stack <s> --json",
    cost: "npm run cost -- --stack <s> --json",
    drift: "npm run drift -- --stack <s> --json",
};

export const RESULTS_DOC = path.join(__dirname, "..", "..", "docs", "json.md");

export function renderResultsDoc(): string {
    const lines = [
        "# JSON results",
        "",
        "<!-- Generated from infra/contracts/results.ts by `npm run docs:json`; do not edit by hand. -->",
        "",
        "Every berth command reads the same two flags: `--json` prints the command's result as JSON on stdout (human",
        "text goes to stderr, or nowhere), `--output <file>` writes the same JSON to a file (the human output stays on",
        "stdout). Exit codes do not change with either flag.",
        "",
        'Each document names its shape in its first field, `"schema": "berth.<command>/v1"`. Fields may be added',
        "within a version (read tolerantly: ignore what you do not know); removing or changing a field makes a new",
        "version. berth checks every document against its schema before writing it.",
        "",
        "| command | schema | what |",
        "|---|---|---|",
        ...(Object.keys(SCHEMA_IDS) as ResultCommand[]).map((c) => `| \`${COMMAND_LINE[c]}\` | [\`${SCHEMA_IDS[c]}\`](#${anchor(SCHEMA_IDS[c])}) | ${WHAT[c]} |`),
        "",
        "Release records written before the schema ids (`deploy --json <file>` of earlier versions: `version: 1`, no",
        "`schema`) still parse with the same schema (`readReleaseRecord` in infra/contracts/resultJson.ts).",
    ];
    for (const c of Object.keys(SCHEMA_IDS) as ResultCommand[]) {
        const jsonSchema = z.toJSONSchema(RESULT_SCHEMAS[c], { io: "input", unrepresentable: "any" });
        lines.push("", `## ${SCHEMA_IDS[c]}`, "", WHAT[c], "", "```json", JSON.stringify(jsonSchema, null, 2), "```");
    }
    return `${lines.join("\n")}\n`;
}

function anchor(id: string): string {
    return id.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}

if (require.main === module) {
    fs.writeFileSync(RESULTS_DOC, renderResultsDoc());
    process.stdout.write(`wrote ${path.relative(path.join(__dirname, "..", ".."), RESULTS_DOC)}\n`);
}
