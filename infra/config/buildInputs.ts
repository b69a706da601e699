// The build inputs the catalogue names must exist in the project: a build context folder and its
// Dockerfile. Checked before anything is declared, so a typo is bad configuration, not a failed build.
import * as fs from "fs";
import * as path from "path";
import type { ServiceSettings } from "./settings";
import { ConfigError, NAMESPACE, type ConfigProblem } from "./errors";

function isDirectory(p: string): boolean {
    return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

function isFile(p: string): boolean {
    return fs.existsSync(p) && fs.statSync(p).isFile();
}

/** One problem per service whose build context or Dockerfile is missing from `projectDir`. */
export function buildInputProblems(services: readonly Pick<ServiceSettings, "name" | "build">[], projectDir: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    services.forEach((s, i) => {
        const key = `${NAMESPACE}:services[${i}].build`;
        const context = path.resolve(projectDir, s.build.context);
        if (!isDirectory(context)) {
            problems.push({ key: `${key}.context`, message: `"${s.build.context}" is not a folder in the project (${context}); build contexts are relative to Pulumi.yaml, e.g. services/app` });
        } else if (!isFile(path.join(context, s.build.dockerfile))) {
            problems.push({ key: `${key}.dockerfile`, message: `"${s.build.dockerfile}" is not a file in the build context ${s.build.context}; name the Dockerfile relative to the context` });
        }
    });
    return problems;
}

/** Throws ConfigError when a build context or Dockerfile is missing. */
export function checkBuildInputs(services: readonly Pick<ServiceSettings, "name" | "build">[], projectDir: string): void {
    const problems = buildInputProblems(services, projectDir);
    if (problems.length > 0) throw new ConfigError(problems);
}
