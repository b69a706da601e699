// The released image set is one contract: what the driver writes, the program reads, and both reject the same values.
import { expect } from "chai";
import { parseReleasedImages } from "../../../infra/components/images";
import { parseReleasedSetValue, parseReleasedImagesValue } from "../../../infra/contracts/releasedSet";
import { parseReleasedSet } from "../../../automation/adapters/releaseStore";
import type { ReleasedSet } from "../../../automation/ports";

const DIGEST = `sha256:${"a".repeat(64)}`;
const SET: ReleasedSet = { version: 1, releaseId: "20260301-120000-0000000", sha: "0".repeat(40), releasedAt: "2026-03-01T12:00:00.000Z", images: { api: DIGEST }, contexts: { api: "ctx" } };

describe("released image set contract (driver writes, program reads)", () => {
    it("a set the driver writes, with rolledBackFrom, is read back whole by the driver and as images by the program", () => {
        const written = JSON.stringify({ ...SET, rolledBackFrom: "20260228-120000-1111111" });
        expect(parseReleasedSet("/berth/dev/released-images", written)).to.deep.equal({ ...SET, rolledBackFrom: "20260228-120000-1111111" });
        expect(parseReleasedImages("/berth/dev/released-images", written)).to.deep.equal({ api: DIGEST });
    });

    const cases: [string, string, string | undefined][] = [
        ["not JSON", "{", "not JSON"],
        ["an array", "[]", "not an object"],
        ["a tag instead of a digest", JSON.stringify({ ...SET, images: { api: "latest" } }), "api has no sha256 digest"],
        ["an images list", JSON.stringify({ ...SET, images: [] }), "no images map"],
    ];
    for (const [what, value, why] of cases) {
        it(`both halves reject ${what} with the same reason`, () => {
            expect(parseReleasedSetValue(value)).to.deep.equal({ ok: false, why });
            expect(parseReleasedImagesValue(value)).to.deep.equal({ ok: false, why });
        });
    }

    it("the driver also needs the release's identity; the program reads the images of an older, sparser set", () => {
        const sparse = JSON.stringify({ images: { api: DIGEST } });
        expect(parseReleasedSetValue(sparse)).to.deep.equal({ ok: false, why: "version undefined, expected 1" });
        expect(parseReleasedSetValue(JSON.stringify({ ...SET, sha: undefined }))).to.deep.equal({ ok: false, why: "no sha" });
        expect(parseReleasedImagesValue(sparse)).to.deep.equal({ ok: true, value: { api: DIGEST } });
    });
});
