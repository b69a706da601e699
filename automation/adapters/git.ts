// SourcePort over the git CLI: the commit being released and the paths that differ from it.
import { execFile } from "node:child_process";
import type { SourcePort } from "../ports";

function git(cwd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("git", args, { cwd, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) reject(new Error(`git ${args.join(" ")} failed in ${cwd}: ${stderr.toString().trim() || error.message}`));
            else resolve(stdout.toString());
        });
    });
}

/** Paths from `git status --porcelain=v1 -z` (pure); a rename lists its new and old path. */
export function parsePorcelainZ(output: string): string[] {
    const fields = output.split("\0");
    const paths: string[] = [];
    for (let i = 0; i < fields.length; i++) {
        const entry = fields[i];
        if (entry.length < 4) continue;
        paths.push(entry.slice(3));
        // With -z the source path of a rename or copy follows as its own field.
        if ("RC".includes(entry[0]) || "RC".includes(entry[1])) paths.push(fields[++i]);
    }
    return paths;
}

export class GitSource implements SourcePort {
    constructor(private readonly cwd: string = process.cwd()) {}

    async headSha(): Promise<string> {
        return (await git(this.cwd, ["rev-parse", "HEAD"])).trim();
    }

    async dirtyPaths(): Promise<string[]> {
        return parsePorcelainZ(await git(this.cwd, ["status", "--porcelain=v1", "-z"]));
    }
}
