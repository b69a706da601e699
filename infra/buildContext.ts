// Content digest of a service's build context: the same files give the same digest on any machine. The
// program tags bootstrap images with it; the release driver uses it to tell which services changed.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Never part of an image's inputs (and typically git-ignored or huge). */
const ALWAYS_IGNORED = new Set([".git", "node_modules", "dist", "build", ".DS_Store"]);

function listFiles(root: string, dir = ""): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        if (ALWAYS_IGNORED.has(entry.name)) continue;
        const rel = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) out.push(...listFiles(root, rel));
        else if (entry.isFile()) out.push(rel);
    }
    return out;
}

/** sha256 over (path, content) of every file in the context, in sorted order, plus the Dockerfile name. */
export function hashBuildContext(contextDir: string, dockerfile = "Dockerfile"): string {
    if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
        throw new Error(`build context ${contextDir} does not exist or is not a directory`);
    }
    const hash = createHash("sha256");
    hash.update(`dockerfile:${dockerfile}\0`);
    for (const file of listFiles(contextDir).sort()) {
        hash.update(`${file}\0`);
        hash.update(fs.readFileSync(path.join(contextDir, file)));
        hash.update("\0");
    }
    return hash.digest("hex");
}
