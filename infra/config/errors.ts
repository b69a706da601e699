// The error type of bad configuration: every problem found, each naming its full key and the fix.
export const NAMESPACE = "berth";

export interface ConfigProblem {
    key: string;
    message: string;
}

/** Bad configuration: every problem found, each naming its key and the fix. An expected failure. */
export class ConfigError extends Error {
    readonly problems: ConfigProblem[];
    constructor(problems: ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
        this.problems = problems;
    }
}

export function formatProblems(problems: ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p, i) => `  ${i + 1}. ${p.key}: ${p.message}`);
    return `berth configuration has ${problems.length} ${noun}:\n${lines.join("\n")}`;
}

/** Records one problem under a key relative to the namespace (`services[2].port`). */
export type Add = (key: string, message: string) => void;
