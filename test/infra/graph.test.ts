import { expect } from "chai";
import { findCycle, rolloutEdges, rolloutLevels } from "../../infra/config/graph";

describe("graph: rollout order from dependsOn and priority (F11)", () => {
    it("F11: priority is sugar: a service waits for the next-lower priority tier", () => {
        const edges = rolloutEdges([
            { name: "config", dependsOn: [], priority: 0 },
            { name: "discovery", dependsOn: [], priority: 1 },
            { name: "orders", dependsOn: ["payments"], priority: 2 },
            { name: "payments", dependsOn: [], priority: 2 },
            { name: "loose", dependsOn: [] },
        ]);
        expect(Object.fromEntries(edges)).to.deep.equal({ config: [], discovery: ["config"], orders: ["discovery", "payments"], payments: ["discovery"], loose: [] });
        expect(rolloutLevels(edges)).to.deep.equal([["config", "loose"], ["discovery"], ["payments"], ["orders"]]);
    });

    it("finds a cycle as a closed path", () => {
        const edges = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", []]]);
        expect(findCycle(edges)).to.deep.equal(["a", "b", "c", "a"]);
        expect(() => rolloutLevels(edges)).to.throw("dependency cycle: a → b → c → a");
        expect(findCycle(new Map([["a", []]]))).to.equal(undefined);
    });
});
