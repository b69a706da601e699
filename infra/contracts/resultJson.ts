// Writing and reading the results of infra/contracts/results.ts: a document is checked against its command's
// schema before it is written (strict), a stored release record is read tolerantly, and every command delivers its
// result the same way (`--json` to stdout, `--output <file>`).
import * as fs from "fs";
import type { z } from "zod";
import { parseJsonObject } from "./releasedSet";
import { RESULT_SCHEMAS, releaseRecordSchema, SCHEMA_IDS, type ReleaseRecordShape, type ResultCommand, type ResultOf } from "./results";

// ── writing strictly, reading tolerantly ─────────────────────────────────────────────────────────────────

/** A result that does not match its own schema: a bug in berth, never the user's input. */
export class ResultSchemaError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ResultSchemaError";
    }
}

/** Keys of `input` that parsing dropped: zod strips unknown keys, so these are keys the schema does not define. */
function unknownKeys(input: unknown, parsed: unknown, at: string): string[] {
    if (Array.isArray(input) && Array.isArray(parsed)) return input.flatMap((v, i) => unknownKeys(v, parsed[i], `${at}[${i}]`));
    if (!input || typeof input !== "object" || !parsed || typeof parsed !== "object") return [];
    const out = parsed as Record<string, unknown>;
    return Object.entries(input as Record<string, unknown>).flatMap(([k, v]) => {
        const here = at ? `${at}.${k}` : k;
        if (v === undefined) return [];
        if (!(k in out)) return [here];
        return unknownKeys(v, out[k], here);
    });
}

/**
 * Strict writing: the document must match its command's schema exactly — every field valid, none undeclared
 * (a field added to the code but not to the schema fails here, in tests, before any user sees it).
 */
export function resultJson<C extends ResultCommand>(command: C, document: ResultOf<C>): string {
    const schema = RESULT_SCHEMAS[command] as z.ZodType;
    const result = schema.safeParse(document);
    if (!result.success) {
        const issue = result.error.issues[0];
        throw new ResultSchemaError(`${SCHEMA_IDS[command]}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    const extra = unknownKeys(document, result.data, "");
    if (extra.length > 0) throw new ResultSchemaError(`${SCHEMA_IDS[command]}: ${extra.join(", ")} not in the schema`);
    return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Tolerant reading of a release record (a `deploy`/`rollback --json` file): records written before the schema ids
 * (`version: 1`, no `schema`) and records with fields added later both parse; what is read is the record itself.
 */
export function readReleaseRecord(text: string): { ok: true; record: ReleaseRecordShape; schema?: string } | { ok: false; why: string } {
    const object = parseJsonObject(text);
    if (!object.ok) return object;
    const raw = object.value;
    const schema = raw.schema;
    if (schema !== undefined && schema !== SCHEMA_IDS.deploy && schema !== SCHEMA_IDS.rollback) {
        return { ok: false, why: `schema ${JSON.stringify(schema)} is not a release record (${SCHEMA_IDS.deploy} or ${SCHEMA_IDS.rollback})` };
    }
    const parsed = releaseRecordSchema.safeParse(raw);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { ok: false, why: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
    }
    return { ok: true, record: parsed.data, ...(typeof schema === "string" ? { schema } : {}) };
}

// ── one way to deliver a result ──────────────────────────────────────────────────────────────────────────

export interface ResultSinks {
    stdout(text: string): void;
    stderr(text: string): void;
    writeFile(file: string, text: string): void;
}

/** The process's own streams and files. */
export const STD_SINKS: ResultSinks = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    writeFile: (file, text) => fs.writeFileSync(file, text),
};

export interface ResultFlags {
    /** `--json`: the JSON result on stdout. */
    json?: boolean;
    /** `--output <file>` (already resolved): the same JSON in this file. */
    output?: string;
}

/**
 * The same on every command: `--json` prints the result's JSON on stdout and moves the human text to stderr
 * (`humanWithJson: "stderr"`, for reports a CI log should keep) or drops it (`"none"`); `--output <file>` writes
 * the same JSON to the file and leaves the human text on stdout; both together do both.
 */
export function deliverResult<C extends ResultCommand>(command: C, document: ResultOf<C>, human: string, flags: ResultFlags, sinks: ResultSinks, humanWithJson: "stderr" | "none"): void {
    const json = flags.json || flags.output ? resultJson(command, document) : "";
    if (flags.output) {
        sinks.writeFile(flags.output, json);
        sinks.stderr(`${SCHEMA_IDS[command]} result written to ${flags.output}\n`);
    }
    if (flags.json) {
        if (humanWithJson === "stderr") sinks.stderr(human);
        sinks.stdout(json);
    } else {
        sinks.stdout(human);
    }
}
