import { expect } from "chai";
import { criticalFirst, findCycle, rolloutEdges, rolloutLevels } from "../../infra/config/graph";
import { exampleStack } from "../helpers/synth";

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

    it("F17: declares each level longest remaining path first, so the head of the critical chain is not queued behind a side branch", () => {
        // payments → orders → shipping is the long chain; notifications is a short leaf of the same level.
        const edges = new Map<string, string[]>([
            ["base", []],
            ["notifications", ["base"]],
            ["payments", ["base"]],
            ["orders", ["payments"]],
            ["shipping", ["orders"]],
        ]);
        const durations: Record<string, number> = { base: 60, notifications: 100, payments: 60, orders: 60, shipping: 60 };
        const levels = rolloutLevels(edges);
        expect(levels).to.deep.equal([["base"], ["notifications", "payments"], ["orders"], ["shipping"]]);
        expect(criticalFirst(levels, edges, (n) => durations[n])).to.deep.equal(["base", "payments", "notifications", "orders", "shipping"]);
        // Equal remaining paths keep name order.
        expect(criticalFirst(levels, edges, () => 10)).to.deep.equal(["base", "payments", "notifications", "orders", "shipping"]);
        expect(criticalFirst(levels, edges, (n) => (n === "notifications" ? 1000 : 10))).to.deep.equal(["base", "notifications", "payments", "orders", "shipping"]);
    });

    it("F17: the dev example declares payments (head of payments → orders → shipping → api-gateway) first in its level", async () => {
        const s = await exampleStack("dev");
        expect(s.settings.declarationOrder.slice(0, 7)).to.deep.equal(["config-server", "discovery-server", "payments", "inventory", "notifications", "catalog", "accounts"]);
        expect([...s.settings.declarationOrder].sort()).to.deep.equal(s.settings.rolloutLevels.flat().sort());
    });
});
