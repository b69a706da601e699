// The price file (infra/cost/prices.json; this module is not named prices.ts because require("./prices") would load the JSON): per-region list prices, each with its source and the date it was
// read. Loading checks its shape; a region the file does not cover is an error naming the file to extend.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

/** The file berth ships; `--prices <file>` or a test may point elsewhere. */
export const PRICE_FILE = path.join(__dirname, "prices.json");

const entry = z.strictObject({
    /** null: the figure was not found; the estimate shows the line as not priced. */
    usd: z.number().min(0).nullable(),
    source: z.string().url(),
    read: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
    note: z.string().optional(),
});

const priceFileSchema = z.object({
    $comment: z.string().optional(),
    currency: z.literal("USD"),
    hoursPerMonth: z.number().positive(),
    regions: z.record(z.string(), z.record(z.string(), entry)),
});

export type PriceEntry = z.infer<typeof entry>;
export type PriceFile = z.infer<typeof priceFileSchema> & { file: string };

/** A price file that is missing, not JSON, or not of the expected shape; or a region it lacks. */
export class PriceFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PriceFileError";
    }
}

/** How the file is named in messages: relative to the project (where Pulumi.yaml is) when inside it. */
const PROJECT_ROOT = path.join(__dirname, "..", "..");
export function displayName(file: string): string {
    const rel = path.relative(PROJECT_ROOT, file);
    return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

export function parsePriceFile(text: string, file: string): PriceFile {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new PriceFileError(`${displayName(file)} is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = priceFileSchema.safeParse(json);
    if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new PriceFileError(`${displayName(file)}: ${first.path.join(".") || "(root)"} ${first.message}`);
    }
    return { ...parsed.data, file };
}

export function loadPriceFile(file: string = PRICE_FILE): PriceFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PriceFileError(`cannot read the price file ${displayName(file)}: ${(e as Error).message}`);
    }
    return parsePriceFile(text, file);
}

/** The region's prices; a region the file lacks is an error, never a silent zero. */
export function regionPrices(prices: PriceFile, region: string): Record<string, PriceEntry> {
    const found = prices.regions[region];
    if (!found) {
        throw new PriceFileError(
            `no prices for region ${region} in ${displayName(prices.file)}: add a "${region}" block to that file (the same keys as the other regions, each figure read from AWS's pricing pages with its source and date); it has ${Object.keys(prices.regions).join(", ")}`,
        );
    }
    return found;
}
