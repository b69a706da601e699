// Reads the running stack's configuration from the Pulumi runtime into the loader's plain input.
import * as pulumi from "@pulumi/pulumi";
import type { ConfigInput } from "./load";

import * as sdkConfig from "@pulumi/pulumi/runtime/config";

// The SDK tracks secret keys internally and leaves this reader out of its typings (pinned in package.json).
const runtimeConfig = sdkConfig as unknown as { isConfigSecret(key: string): boolean };

/** Config values arrive as strings; structured values are JSON. */
export function parseConfigValue(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

export function readPulumiConfig(): ConfigInput {
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(pulumi.runtime.allConfig())) {
        values[key] = parseConfigValue(raw);
        if (runtimeConfig.isConfigSecret(key)) secretKeys.push(key);
    }
    return { project: pulumi.getProject(), stack: pulumi.getStack(), values, secretKeys };
}
