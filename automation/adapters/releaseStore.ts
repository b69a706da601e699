// ReleaseStorePort over SSM: the released set is one parameter (the one the program reads: stack output
// `releasedImagesParameter`), replaced atomically by one PutParameter with Overwrite; the history of verified
// releases is one parameter per release under the sibling path `releases/` (read back by `rollback --to`); the
// outcome history (every run's final state) is one bounded parameter, `outcomes/recent`, rewritten by every run.
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient, type Parameter, type ParameterTier } from "@aws-sdk/client-ssm";
import { parseReleasedSetValue, serializeReleasedSet } from "../../infra/contracts/releasedSet";
import { boundOutcomes, parseOutcomesValue, serializeOutcomes } from "../../infra/contracts/releaseOutcomes";
import type { ReleasedSet, ReleaseOutcome, ReleaseStorePort } from "../ports";
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

/**
 * The outcome history's parameter, below the released set's path like the release history (the program lists that
 * path non-recursively, so it never reads it): `/berth/dev/released-images` → `/berth/dev/outcomes/recent`.
 */
export function outcomesParameter(parameterName: string): string {
    return `${releaseHistoryPath(parameterName).replace(/\/releases$/, "")}/outcomes/recent`;
}

/** Checks that a stored value is a berth outcome history; the message names the parameter and the fix. */
export function parseOutcomes(parameterName: string, value: string): ReleaseOutcome[] {
    const parsed = parseOutcomesValue(value);
    if (!parsed.ok) {
        throw new Error(`SSM parameter ${parameterName} is not a berth outcome history (${parsed.why}); delete it and the next deploy or rollback starts a new one`);
    }
    return parsed.value;
}

/** Rewrites after a lost update: the missed versions are read back and merged this many times at most. */
const OUTCOME_WRITES = 3;
/** At most the newest this many missed versions are read back per write (each one is a GetParameter). */
const MISSED_VERSIONS_READ = 5;

const sameEntries = (a: ReleaseOutcome[], b: ReleaseOutcome[]) => JSON.stringify(a) === JSON.stringify(b);

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

    async listOutcomes(): Promise<ReleaseOutcome[]> {
        return (await this.readOutcomes(outcomesParameter(this.options.parameterName))).outcomes;
    }

    /**
     * Read, add, write: SSM has no conditional write, and a read may lag a write, so a concurrent run's entry could be
     * overwritten. PutParameter's answer is authoritative: a version more than one above the version read means
     * versions were written that the read did not see — they are read back by version and merged, and the merged
     * history written again (OUTCOME_WRITES at most). An unreadable current value is never overwritten.
     */
    async recordOutcome(outcome: ReleaseOutcome): Promise<string[]> {
        const name = outcomesParameter(this.options.parameterName);
        const warnings: string[] = [];
        const current = await this.readOutcomes(name);
        let version = current.version;
        let entries = boundOutcomes([outcome, ...current.outcomes]);
        for (let attempt = 1; ; attempt++) {
            const value = serializeOutcomes(entries);
            const written = await this.putOutcomes(name, value);
            if (written <= version + 1) return warnings;
            const missed: ReleaseOutcome[] = [];
            const from = Math.max(version + 1, written - MISSED_VERSIONS_READ);
            if (from > version + 1) warnings.push(`versions ${version + 1} to ${from - 1} of ${name} were written by other runs and are not read back; their entries may be missing from it`);
            for (let v = from; v < written; v++) {
                const found = await this.readOutcomes(`${name}:${v}`, true);
                if (found.missing) warnings.push(`version ${v} of ${name} (written by another run) could not be read back to merge its entries: ${found.missing}`);
                missed.push(...found.outcomes);
            }
            version = written;
            const merged = boundOutcomes([...entries, ...missed]);
            if (sameEntries(merged, entries)) return warnings;
            if (attempt === OUTCOME_WRITES) {
                warnings.push(`${name} kept changing under concurrent writers after ${OUTCOME_WRITES} writes; entries of other runs may be missing from it`);
                return warnings;
            }
            entries = merged;
        }
    }

    private async putOutcomes(name: string, value: string): Promise<number> {
        try {
            const out = await this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: "String", Overwrite: true, Tier: tierFor(Buffer.byteLength(value, "utf8")) }));
            return out.Version ?? 0;
        } catch (error) {
            if ((error as { name?: string }).name !== "ParameterMaxVersionLimitExceeded") throw error;
            // SSM keeps 100 versions and deletes the oldest on a new one, unless that one carries a label.
            throw new Error(`${name}: the oldest of its 100 versions has a label, so SSM refuses a new version (ParameterMaxVersionLimitExceeded); move or delete that label, or delete the parameter`);
        }
    }

    /** The history and its version (0: no parameter yet); with `byVersion`, a missing version is reported, not thrown. */
    private async readOutcomes(name: string, byVersion = false): Promise<{ outcomes: ReleaseOutcome[]; version: number; missing?: string }> {
        try {
            const out = await this.client.send(new GetParameterCommand({ Name: name }));
            const value = out.Parameter?.Value;
            const version = out.Parameter?.Version ?? 0;
            if (!byVersion || value === undefined) return { outcomes: value === undefined ? [] : parseOutcomes(name, value), version };
            try {
                return { outcomes: parseOutcomes(name, value), version };
            } catch (error) {
                return { outcomes: [], version, missing: (error as Error).message };
            }
        } catch (error) {
            const code = (error as { name?: string }).name;
            if (code === "ParameterNotFound" && !byVersion) return { outcomes: [], version: 0 };
            if (byVersion && (code === "ParameterVersionNotFound" || code === "ParameterNotFound")) return { outcomes: [], version: 0, missing: `${code} (SSM reads may lag writes, and it keeps 100 versions)` };
            throw error;
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
