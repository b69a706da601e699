// Reads Pulumi.yaml and Pulumi.<stack>.yaml as the Pulumi CLI would, checks them against the shape Pulumi
// documents (no CLI here can catch a malformed project file), and turns stack config into runtime config.
// `secure:` values stay opaque: they are replaced by a placeholder and marked secret, never decrypted.
import * as fs from "fs";
import * as path from "path";
import { parse, YAMLParseError } from "yaml";
import { NAMESPACE } from "../config/errors";

export interface ProjectFile {
    name: string;
    runtime: string | { name: string; options?: Record<string, unknown> };
    main?: string;
    description?: string;
    config?: Record<string, unknown>;
}

export interface StackConfig {
    /** Runtime config: full key → string value (JSON for structured values), as the engine passes it. */
    config: Record<string, string>;
    /** Keys whose value is (or contains) a `secure:` value. */
    secretKeys: string[];
}

export const SECRET_PLACEHOLDER = "[secret]";

const PROJECT_KEYS = new Set(["name", "runtime", "main", "description", "config", "stackConfigDir", "backend", "options", "template", "plugins", "author", "license", "website", "packages"]);
const STACK_KEYS = new Set(["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"]);
const CONFIG_KEY = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/;

/** Problems with Pulumi.yaml's shape (https://www.pulumi.com/docs/iac/concepts/projects/project-file/). */
export function checkProjectFile(doc: unknown): string[] {
    const problems: string[] = [];
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) return ["Pulumi.yaml must be a YAML mapping"];
    const p = doc as Record<string, unknown>;
    for (const key of Object.keys(p)) if (!PROJECT_KEYS.has(key)) problems.push(`Pulumi.yaml: unknown top-level key "${key}"`);
    if (typeof p.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(p.name)) problems.push("Pulumi.yaml: name is required (letters, digits, _ . -)");
    const runtime = p.runtime;
    const runtimeName = typeof runtime === "string" ? runtime : (runtime as { name?: unknown } | undefined)?.name;
    if (runtimeName !== "nodejs") problems.push('Pulumi.yaml: runtime must be nodejs (a string, or {name: nodejs, options: {...}})');
    if (p.main !== undefined && typeof p.main !== "string") problems.push("Pulumi.yaml: main must be a path string");
    if (p.config !== undefined) {
        if (typeof p.config !== "object" || p.config === null || Array.isArray(p.config)) problems.push("Pulumi.yaml: config must be a mapping");
        else for (const key of Object.keys(p.config)) if (!CONFIG_KEY.test(key) && !/^[A-Za-z0-9_.-]+$/.test(key)) problems.push(`Pulumi.yaml: config key "${key}" is not a valid key`);
    }
    return problems;
}

/** Problems with a stack file's shape; config keys must be namespaced (`berth:` or a provider's). */
export function checkStackFile(doc: unknown, file: string, allowedNamespaces: readonly string[]): string[] {
    const problems: string[] = [];
    if (doc === null || doc === undefined) return [];
    if (typeof doc !== "object" || Array.isArray(doc)) return [`${file} must be a YAML mapping`];
    const s = doc as Record<string, unknown>;
    for (const key of Object.keys(s)) if (!STACK_KEYS.has(key)) problems.push(`${file}: unknown top-level key "${key}"`);
    const config = s.config;
    if (config === undefined) return problems;
    if (typeof config !== "object" || config === null || Array.isArray(config)) return [...problems, `${file}: config must be a mapping`];
    for (const key of Object.keys(config)) {
        if (!CONFIG_KEY.test(key)) problems.push(`${file}: config key "${key}" must be namespaced as <namespace>:<name>, e.g. berth:${key}`);
        else if (!allowedNamespaces.includes(key.split(":")[0])) problems.push(`${file}: config key "${key}" has namespace "${key.split(":")[0]}"; expected one of ${allowedNamespaces.join(", ")}`);
    }
    return problems;
}

/** Replaces `secure:` values with a placeholder; reports whether any was found. */
export function redactSecure(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(redactSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return { value: SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            const r = redactSecure(v);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

/** Stack config → the runtime's config map. */
export function toRuntimeConfig(config: Record<string, unknown>): StackConfig {
    const out: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(config)) {
        const { value, secret } = redactSecure(raw);
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) secretKeys.push(key);
    }
    return { config: out, secretKeys };
}

export class StackFileError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "StackFileError";
    }
}

export interface LoadedProject {
    projectDir: string;
    project: ProjectFile;
    stack: string;
    stackConfig: StackConfig;
}

/** Parses a YAML file; a syntax error becomes a StackFileError naming the file, line and column. */
export function parseYamlFile(file: string, text: string): unknown {
    try {
        return parse(text);
    } catch (e) {
        if (!(e instanceof YAMLParseError)) throw e;
        const at = e.linePos?.[0];
        const where = at ? `${file}:${at.line}:${at.col}` : file;
        const reason = e.code === "TAB_AS_INDENT" ? "a tab is used for indentation; YAML indents with spaces only" : e.message.split(" at line ")[0].split("\n")[0];
        throw new StackFileError([`${where}: not valid YAML: ${reason}`]);
    }
}

/** Loads the project and one stack's config, with project-level config defaults applied. */
export function loadProject(projectDir: string, stack: string): LoadedProject {
    const projectPath = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(projectPath)) throw new StackFileError([`no Pulumi.yaml in ${projectDir}`]);
    const projectDoc = parseYamlFile("Pulumi.yaml", fs.readFileSync(projectPath, "utf8"));
    const projectProblems = checkProjectFile(projectDoc);
    if (projectProblems.length > 0) throw new StackFileError(projectProblems);
    const project = projectDoc as ProjectFile;
    const stackFile = `Pulumi.${stack}.yaml`;
    const stackPath = path.join(projectDir, stackFile);
    if (!fs.existsSync(stackPath)) {
        const stacks = fs.readdirSync(projectDir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
        throw new StackFileError([`no ${stackFile}: known stacks are ${stacks.join(", ") || "none"}`]);
    }
    const stackDoc = parseYamlFile(stackFile, fs.readFileSync(stackPath, "utf8")) ?? {};
    // berth's own keys are always `berth:`; the project's namespace is let through for the loader to explain.
    const stackProblems = checkStackFile(stackDoc, stackFile, [...new Set([NAMESPACE, "aws", project.name])]);
    if (stackProblems.length > 0) throw new StackFileError(stackProblems);
    const merged: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(project.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        const value = spec && typeof spec === "object" && !Array.isArray(spec) && ("default" in spec || "value" in spec) ? ((spec as { value?: unknown; default?: unknown }).value ?? (spec as { default?: unknown }).default) : spec;
        if (value !== undefined) merged[fullKey] = value;
    }
    Object.assign(merged, (stackDoc as { config?: Record<string, unknown> }).config ?? {});
    return { projectDir, project, stack, stackConfig: toRuntimeConfig(merged) };
}
