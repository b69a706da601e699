import { expect } from "chai";
import { ALB_LIMITS, chunkPatterns, patternProblem, planListenerRules } from "../../infra/config/routes";

describe("routes: listener rules within ALB limits (F08)", () => {
    it("F08: splits patterns into rules of at most 3 values", () => {
        expect(chunkPatterns(["/a/*", "/b/*", "/c/*", "/d/*", "/e/*", "/f/*", "/g/*"])).to.deep.equal([["/a/*", "/b/*", "/c/*"], ["/d/*", "/e/*", "/f/*"], ["/g/*"]]);
    });

    it("F08: starts a new rule before a rule would exceed 5 wildcards", () => {
        expect(chunkPatterns(["/a/*/*", "/b/*/*", "/c/*/*"])).to.deep.equal([["/a/*/*", "/b/*/*"], ["/c/*/*"]]);
    });

    it("F08: orders rules most specific first with unique priorities, independent of catalogue order", () => {
        const services = [
            { name: "gateway", routes: ["/api/*"] },
            { name: "orders", routes: ["/api/orders/*", "/orders/*"] },
            { name: "web", routes: ["/*"] },
        ];
        const rules = planListenerRules(services);
        expect(rules.map((r) => [r.service, r.priority, r.patterns])).to.deep.equal([
            ["orders", 10, ["/api/orders/*", "/orders/*"]],
            ["gateway", 20, ["/api/*"]],
            ["web", 30, ["/*"]],
        ]);
        expect(planListenerRules([...services].reverse())).to.deep.equal(rules);
        expect(new Set(rules.map((r) => r.priority)).size).to.equal(rules.length);
    });

    it("F08: every planned rule respects the per-rule value and wildcard limits", () => {
        const routes = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `/s${i}/*/x/*` : `/s${i}/*`));
        for (const rule of planListenerRules([{ name: "big", routes }])) {
            expect(rule.patterns.length).to.be.at.most(ALB_LIMITS.valuesPerCondition);
            expect(rule.patterns.join("").match(/[*?]/g)!.length).to.be.at.most(ALB_LIMITS.wildcardsPerRule);
        }
    });

    it("explains why a single pattern is unusable", () => {
        expect([patternProblem("/ok/*"), patternProblem("nope"), patternProblem("/" + "a".repeat(128))]).to.deep.equal([
            undefined,
            'path pattern "nope" must start with "/"',
            'path pattern "/aaaaaaaaaaaaaaaaaaa…" is 129 characters; AWS allows 128',
        ]);
    });
});
