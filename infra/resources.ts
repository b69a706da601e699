// The shape of one declared resource, as the engine records it: what synth produces and what the policy
// rules evaluate. Its own module so neither side imports the other.
/** One resource as the engine would see it. */
export interface SynthResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    /** Outputs the mock engine answered (inputs plus computed ids, ARNs, DNS names). */
    state: Record<string, unknown>;
    /** Dotted paths of inputs that arrived as Pulumi secrets. */
    secretPaths: string[];
    protect: boolean;
    /** URNs named in the `dependsOn` resource option (not the implicit dependencies of inputs). */
    dependsOn: string[];
    /** The `ignoreChanges` resource option: inputs a later update leaves as they are (someone else owns them). */
    ignoreChanges?: string[];
    /** The `customTimeouts` resource option, as the engine receives it ("90m"); absent = the provider's defaults. */
    customTimeouts?: { create?: string; update?: string; delete?: string };
}

/** `berth:purpose` tag value of the migration's task definition: the one that may read the master secret. */
export const MIGRATION_PURPOSE = "migration";
