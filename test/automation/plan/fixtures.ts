// Shared plan-test inputs: parsed outputs of the real program (base config) and digest helpers.
import { synth, baseConfig } from "../../helpers/synth";
import { EnvironmentOutputs, parseStackOutputs } from "../../../automation/plan/outputs";

export const SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
export const T0 = Date.UTC(2026, 2, 14, 9, 15, 2);
export const digest = (c: string) => `sha256:${c.repeat(64)}`;

let cached: Promise<{ raw: Record<string, unknown>; outputs: EnvironmentOutputs }> | undefined;

/** Outputs of infra/program.ts for baseConfig (web → api → worker, migration on api). */
export function realOutputs(): Promise<{ raw: Record<string, unknown>; outputs: EnvironmentOutputs }> {
    cached ??= synth(baseConfig()).then((s) => ({ raw: s.outputs, outputs: parseStackOutputs(s.outputs) }));
    return cached;
}
