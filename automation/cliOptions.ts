// The CLI's help texts (exit codes, JSON) and option parsers, and what a parsed command line is (Invocation).
import { InvalidArgumentError } from "commander";
import { parseCostThreshold, type CostThreshold } from "../infra/cost/diff";
import { SCHEMA_IDS, type ResultCommand } from "../infra/contracts/results";
import { EXIT_DRIFT } from "./plan/drift";
import { parsePromoteFrom, type PromoteFrom } from "./plan/promotion";
import { EXIT_BAD_INPUT, EXIT_CODES, type ReleaseState } from "./plan/report";

const STATE_MEANING: Record<0 | 1 | 2, string> = {
    0: "released, or nothing to do",
    1: "failed and rolled back, or failed before any service changed",
    2: "failed and NOT rolled back — needs attention (also: interrupted, or an unexpected error, a bug: stack trace printed)",
};

export function releaseExitHelp(): string {
    const lines = ([0, 1, 2] as const).map((code) => {
        const states = (Object.keys(EXIT_CODES) as ReleaseState[]).filter((s) => EXIT_CODES[s] === code);
        return `  ${code}  ${STATE_MEANING[code]} (${states.join(", ")})`;
    });
    return `\nExit codes:\n${lines.join("\n")}\n  ${EXIT_BAD_INPUT}  nothing started: bad input (flags, config, stack outputs), stack locked or not found, Pulumi CLI missing,\n     AWS credentials/permissions/network or retries given up before anything changed (one line: call, cause, fix),\n     rollback with no earlier release\n`;
}

export const STATUS_EXIT_HELP = `\nExit codes:\n  0  status read\n  2  unexpected error (a bug: stack trace printed)\n  ${EXIT_BAD_INPUT}  bad input: flags, stack outputs, stack not found, Pulumi CLI missing, AWS credentials/permissions/network\n`;
export const DRIFT_EXIT_HELP =
    `\nExit codes:\n  0  no drift: every resource matches the state\n  ${EXIT_DRIFT}  drift: resources changed or deleted outside berth (listed)\n` +
    `  2  the refresh preview failed, was interrupted, or an unexpected error (a bug: stack trace printed)\n` +
    `  ${EXIT_BAD_INPUT}  bad input: flags, stack not found or locked, Pulumi CLI missing, AWS credentials, GitHub token or permission (--issue)\n`;
export const PREVIEW_EXIT_HELP =
    `\nExit codes:\n  0  preview rendered (and delivered)\n  1  --fail-on stateful-replace: a stateful resource would be replaced or deleted\n` +
    `  1  --fail-on cost-increase=<USD or %>: the monthly estimate rises by more (or the base commit could not be priced)\n` +
    `  2  the preview failed, was interrupted, or an unexpected error (a bug: stack trace printed)\n  ${EXIT_BAD_INPUT}  bad input: flags, config, stack not found or locked, Pulumi CLI missing, GitHub token or permission\n`;

export function services(value: string): string[] {
    const names = value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    if (names.length === 0) throw new InvalidArgumentError("name at least one service, comma-separated (a,b)");
    return names;
}

export function promoteFrom(value: string): PromoteFrom {
    try {
        return parsePromoteFrom(value);
    } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
    }
}

export function positiveInteger(value: string): number {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a whole number of at least 1");
    return Number(value);
}

export type Invocation =
    | { command: "deploy"; opts: { stack: string; projectDir: string; services?: string[]; parallel: number; skipMigration?: boolean; allowDirty?: boolean; dryRun?: boolean; promoteFrom?: PromoteFrom } & ResultOptions }
    | { command: "rollback"; opts: { stack: string; projectDir: string; to?: string; parallel: number } & ResultOptions }
    | { command: "status"; opts: { stack: string; projectDir: string } & ResultOptions }
    | { command: "preview"; opts: { stack: string; projectDir: string; comment?: boolean; failOn?: FailOn[]; outputDir: string; base?: string } & ResultOptions }
    | { command: "drift"; opts: { stack: string; projectDir: string; issue?: boolean } & ResultOptions };

/** `--json` and `--output <file>`, the same on every command (infra/contracts/results.ts deliverResult). */
export type ResultOptions = { json?: boolean; output?: string };

/** The help line naming a command's JSON schema (docs/json.md). */
export function jsonHelp(command: ResultCommand, human: string): string {
    return `\nJSON: --json prints the result as ${SCHEMA_IDS[command]} (docs/json.md) on stdout, ${human}; --output <file> writes the same JSON to a file.\n`;
}

export type FailOn = { what: "stateful-replace" } | { what: "cost-increase"; threshold: CostThreshold };

/** `--fail-on stateful-replace` or `--fail-on cost-increase=<USD or %>`; repeatable. */
export function failOn(value: string, previous: FailOn[] | undefined): FailOn[] {
    const list = previous ?? [];
    if (value === "stateful-replace") return [...list, { what: "stateful-replace" }];
    const m = /^cost-increase=(.*)$/.exec(value);
    if (!m) throw new InvalidArgumentError("use stateful-replace or cost-increase=<USD a month, or a percentage such as 10%>");
    try {
        return [...list, { what: "cost-increase", threshold: parseCostThreshold(m[1]) }];
    } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
    }
}
