// The released image set: the contract between the release driver, which writes it to SSM after a verified
// release, and the Pulumi program, which reads its images on the next update. One schema for both halves.
import { z } from "zod";

/** An image digest as ECR reports it and as berth runs images: never a tag. */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

const images = z.record(z.string(), z.string().regex(IMAGE_DIGEST));

/** Key order is check order: the first problem found names the first key that is wrong. */
export const releasedSetSchema = z.object({
    version: z.literal(1),
    releaseId: z.string(),
    sha: z.string(),
    releasedAt: z.string(),
    /** service → sha256 digest. */
    images,
    /** service → build-context digest (infra/buildContext.ts) of the released image. */
    contexts: z.record(z.string(), z.string()),
    /** Set by `rollback`: the release it rolled back from, which a later `rollback` without --to passes over. */
    rolledBackFrom: z.string().optional(),
    /** Set by a promotion: the release (stack, id, sha) whose images this one took, by digest. */
    promotedFrom: z.object({ stack: z.string(), releaseId: z.string(), sha: z.string() }).optional(),
});

export type ReleasedSet = z.infer<typeof releasedSetSchema>;

/** What the program needs of a stored set: its images only (a set from an older driver may lack the rest). */
export const releasedImagesSchema = z.object({ images });

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

/**
 * Strict writing: the JSON the driver stores, after checking the set against the schema — a field the schema does
 * not declare is refused (readers strip unknown fields, so it would be lost or, worse, read by nobody). Reading
 * stays tolerant: fields added later are ignored by older readers, and older sets lack only optional fields.
 */
export function serializeReleasedSet(set: ReleasedSet): string {
    const parsed = releasedSetSchema.safeParse(set);
    if (!parsed.success) throw new Error(`not a valid released set: ${describeIssue(parsed.error.issues[0].path, set as unknown as Record<string, unknown>)}`);
    const unknown = Object.keys(set).filter((k) => !(k in releasedSetSchema.shape) && (set as Record<string, unknown>)[k] !== undefined);
    if (unknown.length > 0) throw new Error(`not a valid released set: ${unknown.join(", ")} not in the schema (infra/contracts/releasedSet.ts)`);
    return JSON.stringify(set);
}

/** Parses a stored released set; `why` is the first problem in words ("not JSON", "no images map", …). */
export function parseReleasedSetValue(value: string): Parsed<ReleasedSet> {
    return parseWith(releasedSetSchema, value);
}

/** Parses the images of a stored released set, as the program reads them. */
export function parseReleasedImagesValue(value: string): Parsed<Record<string, string>> {
    const parsed = parseWith(releasedImagesSchema, value);
    return parsed.ok ? { ok: true, value: parsed.value.images } : parsed;
}

/** A stored value as a JSON object, or why it is none ("not JSON", "not an object"). */
export function parseJsonObject(value: string): Parsed<Record<string, unknown>> {
    let raw: unknown;
    try {
        raw = JSON.parse(value);
    } catch {
        return { ok: false, why: "not JSON" };
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { ok: false, why: "not an object" };
    return { ok: true, value: raw as Record<string, unknown> };
}

function parseWith<T>(schema: z.ZodType<T>, value: string): Parsed<T> {
    const object = parseJsonObject(value);
    if (!object.ok) return object;
    const raw = object.value;
    const result = schema.safeParse(raw);
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, why: describeIssue(result.error.issues[0].path, raw as Record<string, unknown>) };
}

function describeIssue(path: PropertyKey[], raw: Record<string, unknown>): string {
    const [key, service] = path.map(String);
    if (key === "version") return `version ${JSON.stringify(raw.version)}, expected 1`;
    if (key === "images" && service !== undefined) return `${service} has no sha256 digest`;
    if (key === "images" || key === "contexts") return `no ${key} map`;
    if (key === "rolledBackFrom") return "rolledBackFrom is not a release id";
    if (key === "promotedFrom") return "promotedFrom is not {stack, releaseId, sha}";
    return `no ${key}`;
}
