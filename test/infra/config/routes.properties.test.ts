// Listener-rule planning (F08) at its limits and for any route set (fast-check, seeded): every pattern lands
// in exactly one rule within AWS's per-rule limits, most specific first, numbered the same whatever the
// catalogue order.
import { expect } from "chai";
import fc from "fast-check";
import { ALB_LIMITS, chunkPatterns, patternProblem, planListenerRules } from "../../../infra/config/routes";

const RUNS = { seed: 20260314, numRuns: 200 };
const wildcardsOf = (p: string) => (p.match(/[*?]/g) ?? []).length;
const literalHead = (p: string) => (p.search(/[*?]/) === -1 ? Infinity : p.search(/[*?]/));

const segment = fc.oneof(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), fc.constantFrom("*", "?", "v1", "api"));
const pattern = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join("/")}`).filter((p) => patternProblem(p) === undefined);
const catalogue = fc
    .uniqueArray(pattern, { minLength: 1, maxLength: 30 })
    .chain((patterns) => fc.tuple(fc.constant(patterns), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: patterns.length, maxLength: patterns.length })))
    .map(([patterns, owners]) =>
        ["api", "orders", "shop", "web"].map((name, i) => ({ name, routes: patterns.filter((_, j) => owners[j] === i) })).filter((s) => s.routes.length > 0),
    );

describe("routes edges: single patterns at AWS's limits (F08)", () => {
    it("accepts 128 characters and 5 wildcards, refuses 129 characters and 6 wildcards", () => {
        expect(patternProblem("/" + "a".repeat(127))).to.equal(undefined);
        expect(patternProblem("/a/*/*/*/*/*")).to.equal(undefined);
        expect(patternProblem("/a/?/*/?/*/?/*")).to.equal('path pattern "/a/?/*/?/*/?/*" has more than 5 wildcards, the most one rule allows');
        expect(patternProblem("/" + "b".repeat(128))).to.equal(`path pattern "/bbbbbbbbbbbbbbbbbbb…" is 129 characters; AWS allows 128`);
    });

    it("accepts every character AWS allows and names the rest", () => {
        expect(patternProblem(`/Az09_-.$/~"'@:+&*?`)).to.equal(undefined);
        for (const bad of ["/a b", "/a%20", "/a#b", "/a{b}", "/é", "/a\\b"]) {
            expect(patternProblem(bad)).to.equal(`path pattern "${bad}" has characters AWS does not allow (use A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?)`);
        }
    });

    it("counts ? as a wildcard when chunking, and fills a rule up to exactly 5 wildcards", () => {
        expect(chunkPatterns(["/a/?/?", "/b/*/*", "/c/*"])).to.deep.equal([["/a/?/?", "/b/*/*", "/c/*"]]);
        expect(chunkPatterns(["/a/?/?/?", "/b/*/*/*"])).to.deep.equal([["/a/?/?/?"], ["/b/*/*/*"]]);
        expect(chunkPatterns(["/x", "/y", "/z", "/w"])).to.deep.equal([["/x", "/y", "/z"], ["/w"]]);
        expect(chunkPatterns([])).to.deep.equal([]);
    });

    it("puts an exact path before any wildcard pattern, and a longer literal head first", () => {
        const rules = planListenerRules([
            { name: "web", routes: ["/*"] },
            { name: "api", routes: ["/api/*"] },
            { name: "health", routes: ["/healthz"] },
        ]);
        expect(rules.map((r) => [r.service, r.priority])).to.deep.equal([
            ["health", 10],
            ["api", 20],
            ["web", 30],
        ]);
    });

    it("breaks ties between equally specific rules by service name, then by the service's rule index", () => {
        const rules = planListenerRules([
            { name: "zeta", routes: ["/z/*"] },
            { name: "alpha", routes: ["/a/*", "/b/*", "/c/*", "/d/*"] },
        ]);
        expect(rules.map((r) => [r.service, r.index, r.patterns])).to.deep.equal([
            ["alpha", 0, ["/a/*", "/b/*", "/c/*"]],
            ["alpha", 1, ["/d/*"]],
            ["zeta", 0, ["/z/*"]],
        ]);
    });
});

describe("routes properties (fast-check): any route set (F08)", () => {
    it("F08: every pattern lands in exactly one rule of its own service, within 3 values and 5 wildcards per rule", () => {
        fc.assert(
            fc.property(catalogue, (services) => {
                const rules = planListenerRules(services);
                for (const s of services) {
                    const mine = rules.filter((r) => r.service === s.name);
                    expect(mine.flatMap((r) => r.patterns).sort()).to.deep.equal([...s.routes].sort());
                    expect(mine.map((r) => r.index).sort((a, b) => a - b)).to.deep.equal([...mine.keys()]);
                }
                for (const r of rules) {
                    expect(r.patterns.length).to.be.within(1, ALB_LIMITS.valuesPerCondition);
                    expect(r.patterns.reduce((n, p) => n + wildcardsOf(p), 0)).to.be.at.most(ALB_LIMITS.wildcardsPerRule);
                }
            }),
            RUNS,
        );
    });

    it("F08: priorities are 10, 20, 30… in order, and a rule never follows a less specific one", () => {
        fc.assert(
            fc.property(catalogue, (services) => {
                const rules = planListenerRules(services);
                expect(rules.map((r) => r.priority)).to.deep.equal(rules.map((_, i) => (i + 1) * 10));
                const score = (patterns: string[]) => Math.max(...patterns.map(literalHead));
                for (let i = 1; i < rules.length; i++) expect(score(rules[i].patterns)).to.be.at.most(score(rules[i - 1].patterns));
            }),
            RUNS,
        );
    });

    it("F08: the plan does not depend on catalogue order or on the order of a service's routes", () => {
        fc.assert(
            fc.property(catalogue, fc.integer(), (services, seed) => {
                const shuffled = [...services].reverse().map((s, i) => ({ name: s.name, routes: (i + seed) % 2 === 0 ? [...s.routes].reverse() : s.routes }));
                expect(planListenerRules(shuffled)).to.deep.equal(planListenerRules(services));
            }),
            RUNS,
        );
    });
});
