// ReleaseStorePort over one SSM parameter (the one the program reads: stack output `releasedImagesParameter`).
// One PutParameter with Overwrite replaces the whole set atomically.
import { GetParameterCommand, PutParameterCommand, SSMClient, type ParameterTier } from "@aws-sdk/client-ssm";
import type { ReleasedSet, ReleaseStorePort } from "../ports";
import { retry, SDK_RETRY, type AwsAdapterOptions } from "./retry";

/** Standard parameters hold up to 4 KB, advanced ones up to 8 KB (SSM PutParameter reference). */
export const STANDARD_LIMIT_BYTES = 4096;
export const ADVANCED_LIMIT_BYTES = 8192;

/**
 * Advanced above 4 KB. Below, Intelligent-Tiering rather than Standard: SSM cannot turn an advanced
 * parameter back into a standard one, so a smaller set after a large one must not ask for Standard.
 */
export function tierFor(bytes: number): ParameterTier {
    return bytes > STANDARD_LIMIT_BYTES ? "Advanced" : "Intelligent-Tiering";
}

/** Checks that a stored value is a berth released set (pure); the message names the parameter. */
export function parseReleasedSet(parameterName: string, value: string): ReleasedSet {
    const fail = (why: string) => new Error(`SSM parameter ${parameterName} is not a berth released set (${why}); a verified release rewrites it`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        throw fail("not JSON");
    }
    const set = parsed as Partial<ReleasedSet> | null;
    if (!set || typeof set !== "object") throw fail("not an object");
    if (set.version !== 1) throw fail(`version ${JSON.stringify(set.version)}, expected 1`);
    for (const key of ["releaseId", "sha", "releasedAt"] as const) if (typeof set[key] !== "string") throw fail(`no ${key}`);
    for (const key of ["images", "contexts"] as const) {
        const map = set[key];
        if (!map || typeof map !== "object" || Array.isArray(map)) throw fail(`no ${key} map`);
    }
    return set as ReleasedSet;
}

export interface SsmReleaseStoreOptions extends AwsAdapterOptions<SSMClient> {
    parameterName: string;
}

export class SsmReleaseStore implements ReleaseStorePort {
    private readonly client: SSMClient;

    constructor(private readonly options: SsmReleaseStoreOptions) {
        this.client = options.client ?? new SSMClient({ region: options.region, ...SDK_RETRY });
    }

    async readReleased(): Promise<ReleasedSet | undefined> {
        const name = this.options.parameterName;
        try {
            const out = await retry(`ssm:GetParameter ${name}`, () => this.client.send(new GetParameterCommand({ Name: name })), this.options.retry);
            return out.Parameter?.Value === undefined ? undefined : parseReleasedSet(name, out.Parameter.Value);
        } catch (error) {
            if ((error as { name?: string }).name === "ParameterNotFound") return undefined;
            throw error;
        }
    }

    async writeReleased(set: ReleasedSet): Promise<void> {
        const name = this.options.parameterName;
        const value = JSON.stringify(set);
        const bytes = Buffer.byteLength(value, "utf8");
        if (bytes > ADVANCED_LIMIT_BYTES) {
            throw new Error(`the released set is ${bytes} bytes, above SSM's ${ADVANCED_LIMIT_BYTES}-byte parameter limit; it cannot be recorded in ${name}`);
        }
        await retry(
            `ssm:PutParameter ${name}`,
            () => this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: "String", Overwrite: true, Tier: tierFor(bytes) })),
            this.options.retry,
        );
    }
}
