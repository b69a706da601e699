import { expect } from "chai";
import { isAligned, isPrivateRange, planSubnets } from "../../infra/config/cidr";

describe("cidr: three subnet tiers over N AZs", () => {
    const cases: [string, number, { public: string[]; private: string[]; isolated: string[] }][] = [
        ["10.20.0.0/16", 3, { private: ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"], public: ["10.20.128.0/24", "10.20.129.0/24", "10.20.130.0/24"], isolated: ["10.20.144.0/24", "10.20.145.0/24", "10.20.146.0/24"] }],
        ["172.16.0.0/19", 2, { private: ["172.16.0.0/23", "172.16.2.0/23"], public: ["172.16.16.0/27", "172.16.16.32/27"], isolated: ["172.16.18.0/27", "172.16.18.32/27"] }],
    ];
    for (const [cidr, azs, expected] of cases) {
        it(`lays out ${cidr} over ${azs} AZs without overlap`, () => {
            expect(planSubnets(cidr, azs)).to.deep.equal(expected);
        });
    }

    it("six AZs of a /16 stay disjoint and inside the VPC", () => {
        const layout = planSubnets("10.0.0.0/16", 6);
        const all = [...layout.public, ...layout.private, ...layout.isolated];
        const ranges = all.map((c) => {
            const [ip, mask] = c.split("/");
            const base = ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
            return [base, base + 2 ** (32 - Number(mask))];
        });
        ranges.sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).to.be.at.least(ranges[i - 1][1]);
        expect(ranges[ranges.length - 1][1]).to.be.at.most(2 ** 24 * 10 + 2 ** 16);
    });

    it("recognises private and aligned blocks", () => {
        expect([isPrivateRange("10.1.0.0/16"), isPrivateRange("172.32.0.0/16"), isPrivateRange("192.168.0.0/16")]).to.deep.equal([true, false, true]);
        expect([isAligned("10.0.0.0/16"), isAligned("10.0.1.0/16")]).to.deep.equal([true, false]);
    });
});
