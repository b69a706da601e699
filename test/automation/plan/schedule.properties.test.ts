// Property tests (fast-check) of the rollout schedules (F11, F17): for any acyclic catalogue, durations and
// window size, no service starts before everything it waits for is stable, the window never holds more than
// `parallel` services, and it never idles while a ready service waits. Seeded and bounded.
import { expect } from "chai";
import fc from "fast-check";
import { criticalPath, fixedBatches, Job, lowerBound, slidingWindow } from "../../../automation/plan/schedule";
import { rolloutEdges, rolloutLevels } from "../../../infra/config/graph";

const RUNS = { seed: 20260314, numRuns: 200 };

/**
 * A random acyclic catalogue: services s0..s(n-1) listed in a random order; each may wait for services
 * created before it (so no cycle), with durations of 1-600 s.
 */
const catalogue = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc
        .tuple(
            fc.array(fc.integer({ min: 1, max: 600 }), { minLength: n, maxLength: n }),
            fc.array(fc.array(fc.nat({ max: n }), { maxLength: 4 }), { minLength: n, maxLength: n }),
            fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        )
        .map(([durations, picks, order]) => {
            const jobs: Job[] = durations.map((duration, i) => ({
                name: `s${i}`,
                duration,
                waitsFor: [...new Set(picks[i].filter((p) => p < i).map((p) => `s${p}`))],
            }));
            return order.map((i) => jobs[i]);
        }),
);
const parallel = fc.integer({ min: 1, max: 6 });

function ends(jobs: readonly Job[], spans: Record<string, [number, number]>): Map<string, number> {
    return new Map(jobs.map((j) => [j.name, spans[j.name][1]]));
}

/** How many services run at time t (started at or before t, not yet finished). */
function runningAt(spans: Record<string, [number, number]>, t: number): number {
    return Object.values(spans).filter(([s, e]) => s <= t && t < e).length;
}

describe("schedule properties (fast-check): the sliding window (F11, F17)", () => {
    it("F11: never starts a service before every service it waits for has finished", () => {
        fc.assert(
            fc.property(catalogue, parallel, (jobs, p) => {
                const { spans } = slidingWindow(jobs, p);
                const end = ends(jobs, spans);
                for (const j of jobs) for (const d of j.waitsFor) expect(spans[j.name][0], `${j.name} after ${d}`).to.be.at.least(end.get(d)!);
            }),
            RUNS,
        );
    });

    it("F17: schedules every service exactly once for its whole duration, and the makespan is the last end", () => {
        fc.assert(
            fc.property(catalogue, parallel, (jobs, p) => {
                const { spans, makespan } = slidingWindow(jobs, p);
                expect(Object.keys(spans).sort()).to.deep.equal(jobs.map((j) => j.name).sort());
                for (const j of jobs) expect(spans[j.name][1] - spans[j.name][0]).to.equal(j.duration);
                expect(makespan).to.equal(Math.max(...Object.values(spans).map(([, e]) => e)));
            }),
            RUNS,
        );
    });

    it("F17: never runs more than `parallel` services at once", () => {
        fc.assert(
            fc.property(catalogue, parallel, (jobs, p) => {
                const { spans } = slidingWindow(jobs, p);
                for (const [start] of Object.values(spans)) expect(runningAt(spans, start)).to.be.at.most(p);
            }),
            RUNS,
        );
    });

    it("F17: never idles a slot while a ready service waits (a sliding window, not batches)", () => {
        fc.assert(
            fc.property(catalogue, parallel, (jobs, p) => {
                const { spans } = slidingWindow(jobs, p);
                const end = ends(jobs, spans);
                const events = [0, ...end.values()];
                for (const j of jobs) {
                    const ready = Math.max(0, ...j.waitsFor.map((d) => end.get(d)!));
                    const start = spans[j.name][0];
                    for (const t of events.filter((e) => e >= ready && e < start)) {
                        expect(runningAt(spans, t), `${j.name} ready at ${ready}, started at ${start}, slots free at ${t}`).to.equal(p);
                    }
                }
            }),
            RUNS,
        );
    });

    it("F17: with a slot for everyone it reaches the critical path, and never beats the lower bound", () => {
        fc.assert(
            fc.property(catalogue, parallel, (jobs, p) => {
                expect(slidingWindow(jobs, jobs.length).makespan).to.equal(criticalPath(jobs).length);
                expect(slidingWindow(jobs, p).makespan).to.be.at.least(lowerBound(jobs, p) - 1e-9);
            }),
            RUNS,
        );
    });

    it("the critical path is a chain of waits whose durations add up to its length", () => {
        fc.assert(
            fc.property(catalogue, (jobs) => {
                const { length, path } = criticalPath(jobs);
                const byName = new Map(jobs.map((j) => [j.name, j]));
                expect(path.reduce((sum, name) => sum + byName.get(name)!.duration, 0)).to.equal(length);
                for (let i = 1; i < path.length; i++) expect(byName.get(path[i])!.waitsFor).to.include(path[i - 1]);
                expect(byName.get(path[0])!.waitsFor).to.deep.equal([]);
            }),
            RUNS,
        );
    });
});

describe("schedule properties (fast-check): rollout levels and fixed batches (F11)", () => {
    const edgesOf = (jobs: readonly Job[]) => rolloutEdges(jobs.map((j) => ({ name: j.name, dependsOn: j.waitsFor })));

    it("F11: rollout levels put every service once, after every service it waits for, as early as possible", () => {
        fc.assert(
            fc.property(catalogue, (jobs) => {
                const levels = rolloutLevels(edgesOf(jobs));
                const levelOf = new Map(levels.flatMap((names, i) => names.map((n) => [n, i] as const)));
                expect(levels.flat().sort()).to.deep.equal(jobs.map((j) => j.name).sort());
                for (const j of jobs) {
                    const deps = j.waitsFor.map((d) => levelOf.get(d)!);
                    for (const d of deps) expect(d).to.be.lessThan(levelOf.get(j.name)!);
                    // as early as possible: one level after its deepest dependency
                    expect(levelOf.get(j.name)).to.equal(deps.length === 0 ? 0 : Math.max(...deps) + 1);
                }
                for (const names of levels) expect(names).to.deep.equal([...names].sort());
            }),
            RUNS,
        );
    });

    it("F11: the fixed-batch wave over those levels never starts a service before what it waits for, nor more than the batch at once", () => {
        fc.assert(
            fc.property(catalogue, parallel, (jobs, batch) => {
                const { spans, makespan } = fixedBatches(jobs, rolloutLevels(edgesOf(jobs)), batch);
                const end = ends(jobs, spans);
                for (const j of jobs) for (const d of j.waitsFor) expect(spans[j.name][0]).to.be.at.least(end.get(d)!);
                for (const [start] of Object.values(spans)) expect(runningAt(spans, start)).to.be.at.most(batch);
                expect(makespan).to.be.at.least(criticalPath(jobs).length);
            }),
            RUNS,
        );
    });
});
