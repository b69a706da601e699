// Property tests (fast-check) of the rollout graph (F11): priorities are sugar for dependsOn, rollout levels
// respect both, and a reported cycle is a real one. Seeded and bounded.
import { expect } from "chai";
import fc from "fast-check";
import { findCycle, GraphNode, rolloutEdges, rolloutLevels } from "../../../infra/config/graph";

const RUNS = { seed: 20260314, numRuns: 300 };

/** Services s0..s(n-1); each may depend on earlier ones and may carry a priority 0-3 (which can contradict dependsOn). */
const nodes = fc.integer({ min: 1, max: 10 }).chain((n) =>
    fc
        .tuple(
            fc.array(fc.array(fc.nat({ max: n }), { maxLength: 3 }), { minLength: n, maxLength: n }),
            fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), { minLength: n, maxLength: n }),
        )
        .map(([picks, priorities]): GraphNode[] =>
            picks.map((p, i) => ({
                name: `s${i}`,
                dependsOn: [...new Set(p.filter((d) => d < i).map((d) => `s${d}`))],
                ...(priorities[i] === undefined ? {} : { priority: priorities[i] }),
            })),
        ),
);

describe("graph properties (fast-check): priorities, dependsOn and rollout levels (F11)", () => {
    it("F11: every declared dependsOn is an edge, and a service with a priority waits for every service of the next-lower tier", () => {
        fc.assert(
            fc.property(nodes, (ns) => {
                const edges = rolloutEdges(ns);
                const tiers = [...new Set(ns.flatMap((n) => (n.priority === undefined ? [] : [n.priority])))].sort((a, b) => a - b);
                for (const n of ns) {
                    const waits = edges.get(n.name)!;
                    for (const d of n.dependsOn) expect(waits).to.include(d);
                    if (n.priority === undefined) {
                        expect(waits).to.deep.equal([...n.dependsOn].sort());
                        continue;
                    }
                    const lower = tiers.filter((t) => t < n.priority!).pop();
                    const tierBelow = ns.filter((o) => lower !== undefined && o.priority === lower).map((o) => o.name);
                    expect(waits).to.deep.equal([...new Set([...n.dependsOn, ...tierBelow])].sort());
                }
            }),
            RUNS,
        );
    });

    it("F11: without a cycle, levels put each service after what it depends on and after every lower priority", () => {
        fc.assert(
            fc.property(nodes, (ns) => {
                const edges = rolloutEdges(ns);
                fc.pre(findCycle(edges) === undefined);
                const levels = rolloutLevels(edges);
                const levelOf = new Map(levels.flatMap((names, i) => names.map((n) => [n, i] as const)));
                expect(levels.flat().sort()).to.deep.equal(ns.map((n) => n.name).sort());
                for (const n of ns) {
                    for (const d of n.dependsOn) expect(levelOf.get(d)!, `${n.name} after ${d}`).to.be.lessThan(levelOf.get(n.name)!);
                    for (const o of ns) {
                        if (n.priority !== undefined && o.priority !== undefined && o.priority < n.priority) {
                            expect(levelOf.get(o.name)!, `${n.name} (priority ${n.priority}) after ${o.name} (${o.priority})`).to.be.lessThan(levelOf.get(n.name)!);
                        }
                    }
                }
            }),
            RUNS,
        );
    });

    it("F11: a reported cycle is a real path of waits that returns to its start; levels refuse it", () => {
        fc.assert(
            fc.property(nodes, (ns) => {
                const edges = rolloutEdges(ns);
                const cycle = findCycle(edges);
                fc.pre(cycle !== undefined);
                expect(cycle![0]).to.equal(cycle!.at(-1));
                expect(cycle!.length).to.be.at.least(2);
                for (let i = 1; i < cycle!.length; i++) expect(edges.get(cycle![i - 1])).to.include(cycle![i]);
                expect(() => rolloutLevels(edges)).to.throw(`dependency cycle: ${cycle!.join(" → ")}`);
            }),
            { ...RUNS, numRuns: 100 },
        );
    });

    it("F11: a graph that only follows creation order (dependsOn on earlier services, no priorities) has no cycle", () => {
        fc.assert(
            fc.property(nodes, (ns) => {
                const plain = ns.map((n) => ({ name: n.name, dependsOn: n.dependsOn }));
                expect(findCycle(rolloutEdges(plain))).to.equal(undefined);
            }),
            RUNS,
        );
    });
});
