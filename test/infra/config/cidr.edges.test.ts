// CIDR math at its edges: what parses, which blocks are private, and — for any VPC berth accepts — subnets
// that are disjoint, inside the VPC and of the promised size (fast-check, seeded).
import { expect } from "chai";
import fc from "fast-check";
import { formatCidr, isAligned, isPrivateRange, MAX_AZS, parseCidr, planSubnets, VPC_MASK_RANGE } from "../../../infra/config/cidr";

const toRange = (cidr: string): [number, number] => {
    const p = parseCidr(cidr)!;
    return [p.base, p.base + 2 ** (32 - p.mask)];
};

describe("cidr edges: parsing and classification", () => {
    it("parses dotted quads with a mask, and refuses anything else", () => {
        expect(parseCidr("10.0.0.0/16")).to.deep.equal({ base: 10 * 2 ** 24, mask: 16 });
        expect(parseCidr("255.255.255.255/32")).to.deep.equal({ base: 2 ** 32 - 1, mask: 32 });
        expect(parseCidr("0.0.0.0/0")).to.deep.equal({ base: 0, mask: 0 });
        for (const bad of ["10.0.0.256/16", "256.0.0.0/8", "10.0.0.0/33", "10.0.0/16", "10.0.0.0", "10.0.0.0/", " 10.0.0.0/16", "10.0.0.0/16 ", "a.b.c.d/8", "1000.0.0.0/8", "10.0.0.0/100"]) {
            expect(parseCidr(bad), bad).to.equal(undefined);
        }
    });

    it("formats a base address and mask back to text", () => {
        expect(formatCidr(10 * 2 ** 24 + 20 * 2 ** 16 + 128 * 256 + 32, 27)).to.equal("10.20.128.32/27");
        expect(formatCidr(2 ** 32 - 1, 32)).to.equal("255.255.255.255/32");
        fc.assert(
            fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (base, mask) => {
                expect(parseCidr(formatCidr(base, mask))).to.deep.equal({ base, mask });
            }),
            { seed: 20260314, numRuns: 200 },
        );
    });

    const privateCases: [string, boolean][] = [
        ["10.0.0.0/8", true],
        ["10.255.0.0/16", true],
        ["9.255.0.0/16", false],
        ["11.0.0.0/16", false],
        ["10.0.0.0/7", false],
        ["172.16.0.0/12", true],
        ["172.31.240.0/20", true],
        ["172.15.0.0/16", false],
        ["172.32.0.0/16", false],
        ["172.16.0.0/11", false],
        ["192.168.0.0/16", true],
        ["192.168.255.0/24", true],
        ["192.167.0.0/16", false],
        ["192.169.0.0/16", false],
        ["192.168.0.0/15", false],
        ["8.8.0.0/16", false],
        ["not a cidr", false],
    ];
    for (const [cidr, expected] of privateCases) {
        it(`${cidr} is ${expected ? "" : "not "}an RFC 1918 block`, () => expect(isPrivateRange(cidr)).to.equal(expected));
    }

    it("a block is aligned when no host bits are set", () => {
        expect([isAligned("10.0.0.0/16"), isAligned("10.0.128.0/17"), isAligned("10.0.64.0/17"), isAligned("10.0.0.1/32"), isAligned("10.0.0.1/31"), isAligned("x")]).to.deep.equal([
            true,
            true,
            false,
            true,
            false,
            false,
        ]);
    });
});

describe("cidr edges: subnet layout", () => {
    it("refuses what it cannot lay out, with the reason", () => {
        expect(() => planSubnets("10.0.0.1/16", 2)).to.throw('"10.0.0.1/16" is not an aligned IPv4 CIDR block');
        expect(() => planSubnets("10.0.0/16", 2)).to.throw('"10.0.0/16" is not an aligned IPv4 CIDR block');
        expect(() => planSubnets("10.0.0.0/15", 2)).to.throw("VPC mask /15 is outside /16-/19");
        expect(() => planSubnets("10.0.0.0/20", 2)).to.throw("VPC mask /20 is outside /16-/19");
        expect(() => planSubnets("10.0.0.0/16", 0)).to.throw("0 AZs is outside 1-6");
        expect(() => planSubnets("10.0.0.0/16", 7)).to.throw("7 AZs is outside 1-6");
    });

    it("lays out the smallest VPC (/19) over six AZs, with the ALB's /27 public subnets", () => {
        const layout = planSubnets("10.0.0.0/19", 6);
        expect(layout.public.at(-1)).to.equal("10.0.16.160/27");
        expect(layout.private.at(-1)).to.equal("10.0.10.0/23");
        expect(layout.isolated.at(-1)).to.equal("10.0.18.160/27");
    });

    it("for any aligned /16-/19 block and 1-6 AZs, subnets are disjoint, inside the VPC, one per AZ and tier, sized 1/16 and 1/256", () => {
        const vpc = fc
            .tuple(fc.integer({ min: VPC_MASK_RANGE.min, max: VPC_MASK_RANGE.max }), fc.nat({ max: 2 ** 32 - 1 }))
            .map(([mask, raw]) => {
                const size = 2 ** (32 - mask);
                return formatCidr(Math.floor(raw / size) * size, mask);
            });
        fc.assert(
            fc.property(vpc, fc.integer({ min: 1, max: MAX_AZS }), (cidr, azs) => {
                const layout = planSubnets(cidr, azs);
                const [lo, hi] = toRange(cidr);
                const mask = parseCidr(cidr)!.mask;
                expect([layout.public.length, layout.private.length, layout.isolated.length]).to.deep.equal([azs, azs, azs]);
                for (const c of layout.private) expect(parseCidr(c)!.mask).to.equal(mask + 4);
                for (const c of [...layout.public, ...layout.isolated]) expect(parseCidr(c)!.mask).to.equal(mask + 8);
                const ranges = [...layout.public, ...layout.private, ...layout.isolated].map((c) => {
                    expect(isAligned(c), c).to.equal(true);
                    return toRange(c);
                });
                for (const [a, b] of ranges) expect(a >= lo && b <= hi, `${a}-${b} inside ${cidr}`).to.equal(true);
                ranges.sort((x, y) => x[0] - y[0]);
                for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).to.be.at.least(ranges[i - 1][1]);
            }),
            { seed: 20260314, numRuns: 300 },
        );
    });
});
