// Where the project lives: the folder holding Pulumi.yaml, found from this module's own location. The Pulumi
// CLI runs the program with its working directory set to the folder named by `main` (infra/), so the
// working directory is never the project root.
import * as fs from "fs";
import * as path from "path";

/** The nearest folder at or above `from` that holds Pulumi.yaml. */
export function findProjectDir(from: string = __dirname): string {
    let dir = path.resolve(from);
    for (;;) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`no Pulumi.yaml in ${path.resolve(from)} or any folder above it`);
        dir = parent;
    }
}
