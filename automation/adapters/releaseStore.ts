// ReleaseStorePort over SSM: the released set is one parameter (the one the program reads: stack output
// `releasedImagesParameter`), replaced atomically by one PutParameter with Overwrite; the history of verified
// releases is one parameter per release under the sibling path `releases/` (read back by `rollback --to`).
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient, type Parameter, type ParameterTier } from "@aws-sdk/client-ssm";
import { parseReleasedSetValue, serializeReleasedSet } from "../../infra/contracts/releasedSet";
import type { ReleasedSet, ReleaseStorePort } from "../ports";
import { awsClient, type AwsAdapterOptions } from "./aws";

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

/** Checks that a stored value is a berth released set (pure, infra/contracts/releasedSet.ts); the message names the parameter. */
export function parseReleasedSet(parameterName: string, value: string): ReleasedSet {
    const parsed = parseReleasedSetValue(value);
    if (!parsed.ok) throw new Error(`SSM parameter ${parameterName} is not a berth released set (${parsed.why}); a verified release rewrites it`);
    return parsed.value;
}

/**
 * The SSM path holding one parameter per verified release, a sibling of the released-set parameter:
 * `/berth/dev/released-images` → `/berth/dev/releases` (entries `/berth/dev/releases/<release id>`).
 */
export function releaseHistoryPath(parameterName: string): string {
    const slash = parameterName.lastIndexOf("/");
    if (slash <= 0) throw new Error(`the released-set parameter ${parameterName} is not hierarchical (/<project>/<stack>/<name>): there is no path to keep the release history under`);
    // infra/components/images.ts lists the parent (/berth/dev) non-recursively, so entries one level deeper never reach the program.
    return `${parameterName.slice(0, slash)}/releases`;
}

/** Newest first: releasedAt (ISO-8601 UTC, so text order is time order), then release id. */
export function newestFirst(sets: ReleasedSet[]): ReleasedSet[] {
    return [...sets].sort((a, b) => b.releasedAt.localeCompare(a.releasedAt) || b.releaseId.localeCompare(a.releaseId));
}

export interface SsmReleaseStoreOptions extends AwsAdapterOptions<SSMClient> {
    parameterName: string;
}

export class SsmReleaseStore implements ReleaseStorePort {
    private readonly client: SSMClient;

    constructor(private readonly options: SsmReleaseStoreOptions) {
        this.client = options.client ?? awsClient(SSMClient, options);
    }

    async readReleased(): Promise<ReleasedSet | undefined> {
        const name = this.options.parameterName;
        try {
            const out = await this.client.send(new GetParameterCommand({ Name: name }));
            return out.Parameter?.Value === undefined ? undefined : parseReleasedSet(name, out.Parameter.Value);
        } catch (error) {
            if ((error as { name?: string }).name === "ParameterNotFound") return undefined;
            throw error;
        }
    }

    /** The history entry first: if the released set cannot be written afterwards, the history holds a release that did verify. */
    async writeReleased(set: ReleasedSet): Promise<void> {
        const name = this.options.parameterName;
        const value = serializeReleasedSet(set);
        const bytes = Buffer.byteLength(value, "utf8");
        if (bytes > ADVANCED_LIMIT_BYTES) {
            throw new Error(`the released set is ${bytes} bytes, above SSM's ${ADVANCED_LIMIT_BYTES}-byte parameter limit; it cannot be recorded in ${name}`);
        }
        // Release ids (YYYYMMDD-HHMMSS-<sha7>) are valid SSM name characters; Overwrite makes a retried write idempotent.
        const entry = `${releaseHistoryPath(name)}/${set.releaseId}`;
        for (const target of [entry, name]) {
            await this.client.send(new PutParameterCommand({ Name: target, Value: value, Type: "String", Overwrite: true, Tier: tierFor(bytes) }));
        }
    }

    async listReleases(): Promise<ReleasedSet[]> {
        const path = releaseHistoryPath(this.options.parameterName);
        const found: Parameter[] = [];
        let nextToken: string | undefined;
        do {
            const out = await this.client.send(new GetParametersByPathCommand({ Path: path, Recursive: false, MaxResults: 10, ...(nextToken ? { NextToken: nextToken } : {}) }));
            found.push(...(out.Parameters ?? []));
            nextToken = out.NextToken;
        } while (nextToken);
        const sets: ReleasedSet[] = [];
        for (const p of found) {
            if (p.Name === undefined || p.Value === undefined) continue;
            try {
                sets.push(parseReleasedSet(p.Name, p.Value));
            } catch (error) {
                throw new Error(`${(error as Error).message.replace(/; a verified release rewrites it$/, "")}; delete that parameter to drop it from the release history`);
            }
        }
        return newestFirst(sets);
    }
}
