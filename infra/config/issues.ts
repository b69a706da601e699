// Schema issues (zod) translated into berth's problems: full keys, plain words, "did you mean" at any depth.
import { z } from "zod";
import { configSchema } from "./schema";
import { NAMESPACE, type ConfigProblem } from "./errors";
import { suggestKey } from "./suggest";

/** `["services", 2, "port"]` → `berth:services[2].port`. */
export function keyOf(path: readonly PropertyKey[]): string {
    let out = NAMESPACE + ":";
    path.forEach((p, i) => {
        if (typeof p === "number") out += `[${p}]`;
        else out += i === 0 ? String(p) : `.${String(p)}`;
    });
    return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, p) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined), root);
}

/** The field names the schema declares for the object at `path` (list indices step into the element). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
    let schema: unknown = configSchema;
    const unwrap = (s: unknown): unknown => (s instanceof z.ZodOptional ? unwrap(s.unwrap()) : s);
    for (const p of path) {
        const current = unwrap(schema);
        if (typeof p === "number" && current instanceof z.ZodArray) schema = current.element;
        else if (typeof p === "string" && current instanceof z.ZodObject) schema = (current.shape as Record<string, unknown>)[p];
        else return [];
    }
    const target = unwrap(schema);
    return target instanceof z.ZodObject ? Object.keys(target.shape) : [];
}

export function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem | ConfigProblem[] {
    const key = keyOf(issue.path);
    switch (issue.code) {
        case "invalid_type": {
            const received = valueAt(raw, issue.path);
            if (received === undefined) return { key, message: `is required (${issue.expected})` };
            return { key, message: `must be ${article(issue.expected)}, not ${JSON.stringify(received)}` };
        }
        case "too_small":
            if (issue.origin === "array") return { key, message: `must have at least ${issue.minimum} entr${Number(issue.minimum) === 1 ? "y" : "ies"}` };
            if (issue.origin === "string") return { key, message: "must not be empty" };
            return { key, message: issue.inclusive === false ? `must be above ${issue.minimum}` : `must be at least ${issue.minimum}` };
        case "too_big":
            return { key, message: issue.inclusive === false ? `must be below ${issue.maximum}` : `must be at most ${issue.maximum}` };
        case "invalid_value":
            return { key, message: `must be one of ${issue.values.map((v) => String(v)).join(", ")}` };
        case "unrecognized_keys": {
            const known = knownKeysAt(issue.path);
            return issue.keys.map((k) => {
                const hint = suggestKey(k, known);
                const message = hint ? `unknown key; did you mean ${hint}?` : `unknown key; ${known.length > 0 ? `this map takes ${known.join(", ")}` : "remove it or check the spelling against the configuration reference in README.md"}`;
                return { key: `${key}${key.endsWith(":") ? "" : "."}${k}`, message };
            });
        }
        default:
            return { key, message: issue.message };
    }
}

function article(expected: string): string {
    if (expected === "array") return "a list";
    if (expected === "object") return "a map";
    if (expected === "int") return "a whole number";
    return `a ${expected}`;
}
