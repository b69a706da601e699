// The loader as the config tests call it: settings from a `berth:*` map, or the problems it reports as
// "key: message" lines (empty when the config loads).
import { ConfigError, loadSettings } from "../../infra/config/load";
import type { Settings } from "../../infra/config/settings";
import { baseConfig } from "./synth";

export type Config = Record<string, any>;

export function loadConfig(config: Config, secretKeys: string[] = []): Settings {
    return loadSettings({ project: "berth", stack: "dev", values: config, secretKeys });
}

export function configProblems(config: Config, secretKeys: string[] = []): string[] {
    try {
        loadConfig(config, secretKeys);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.message}`);
        throw e;
    }
    return [];
}

/** The base catalogue with one service patched. */
export function withService(index: number, patch: Record<string, unknown>, extra: Config = {}): Config {
    const c = baseConfig(extra);
    c["berth:services"][index] = { ...c["berth:services"][index], ...patch };
    return c;
}
