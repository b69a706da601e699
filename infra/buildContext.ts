// Content digest of a service's build context: the files Docker would send (the context less its
// .dockerignore) plus the Dockerfile. Same files, same digest, on any machine. The program tags bootstrap
// images with it; the release driver uses it to tell which services changed.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import dockerignore from "@balena/dockerignore";

/** Never part of an image's inputs, whatever .dockerignore says. */
const ALWAYS_IGNORED = [".git"];

function listFiles(root: string, dir = ""): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) out.push(...listFiles(root, rel));
        else if (entry.isFile()) out.push(rel);
    }
    return out;
}

/** The files of a context that reach the Docker daemon, sorted. */
export function contextFiles(contextDir: string): string[] {
    const ignoreFile = path.join(contextDir, ".dockerignore");
    const patterns = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8").split(/\r?\n/) : [];
    const filter = dockerignore().add([...ALWAYS_IGNORED, ...patterns]);
    return filter.filter(listFiles(contextDir)).sort();
}

/** sha256 over the Dockerfile and (path, content) of every file Docker would receive. */
export function hashBuildContext(contextDir: string, dockerfile = "Dockerfile"): string {
    if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
        throw new Error(`build context ${contextDir} does not exist or is not a directory`);
    }
    const hash = createHash("sha256");
    const dockerfilePath = path.join(contextDir, dockerfile);
    // Docker always reads the Dockerfile, even when .dockerignore lists it.
    hash.update(`dockerfile:${dockerfile}\0`);
    if (!fs.existsSync(dockerfilePath)) throw new Error(`Dockerfile ${dockerfilePath} does not exist`);
    hash.update(fs.readFileSync(dockerfilePath));
    for (const file of contextFiles(contextDir)) {
        hash.update(`\0${file}\0`);
        hash.update(fs.readFileSync(path.join(contextDir, file)));
    }
    return hash.digest("hex");
}
