import { expect } from "chai";
import { ACCEPT_SECONDS, blueGreenPhases, blueGreenSchedule, criticalPath, fixedBatches, Job, lowerBound, optimalMakespan, PhasedJob, releaseSchedule, rolloutDuration, seededRandom, slidingWindow, type ReleaseJob } from "../../../automation/plan/schedule";

// a(10) → b(50), c(10) → d(10); e(30) independent.  Levels: [a, e], [b, c], [d].
const jobs: Job[] = [
    { name: "a", duration: 10, waitsFor: [] },
    { name: "e", duration: 30, waitsFor: [] },
    { name: "b", duration: 50, waitsFor: ["a"] },
    { name: "c", duration: 10, waitsFor: ["a"] },
    { name: "d", duration: 10, waitsFor: ["c"] },
];
const levels = [["a", "e"], ["b", "c"], ["d"]];

describe("plan/schedule", () => {
    it("F17: the sliding window starts a job as soon as its dependencies are done", () => {
        const s = slidingWindow(jobs, 4);
        expect(s.spans).to.deep.equal({ a: [0, 10], e: [0, 30], b: [10, 60], c: [10, 20], d: [20, 30] });
        expect(s.makespan).to.equal(60);
    });

    it("F11: blue/green — with the traffic gate a dependent starts once its dependency's production traffic moved, and the bake is paid once at the end", () => {
        const phases = { scaleUp: 60, test: 15, shift: 10, bake: 300, cleanUp: 10 };
        const chain: PhasedJob[] = [
            { name: "a", phases, waitsFor: [] },
            { name: "b", phases, waitsFor: ["a"] },
            { name: "c", phases, waitsFor: ["b"] },
        ];
        const traffic = blueGreenSchedule(chain, 4, "traffic");
        expect(traffic.trafficMoved).to.deep.equal({ a: 85, b: 170, c: 255 });
        expect(traffic.spans).to.deep.equal({ a: [0, 395], b: [85, 480], c: [170, 565] });
        expect(traffic.makespan).to.equal(255 + 300 + 10);
        // waiting for each dependency's bake pays one bake per level
        const bake = blueGreenSchedule(chain, 4, "bake");
        expect(bake.spans).to.deep.equal({ a: [0, 395], b: [395, 790], c: [790, 1185] });
        expect(bake.makespan).to.equal(3 * 395);
        // the bake holds no slot with the traffic gate: two independent services share one slot back to back
        const pair: PhasedJob[] = [
            { name: "x", phases, waitsFor: [] },
            { name: "y", phases, waitsFor: [] },
        ];
        expect(blueGreenSchedule(pair, 1, "traffic").spans).to.deep.equal({ x: [0, 395], y: [85, 480] });
        expect(blueGreenSchedule(pair, 1, "bake").spans).to.deep.equal({ x: [0, 395], y: [395, 790] });
    });

    it("F11: what berth does — the engine goes on after each accepted traffic-shifting update, greens scale up together, each hook is answered a poll after its dependencies moved, and the bakes overlap", () => {
        const phases = { scaleUp: 60, test: 15, shift: 10, bake: 300, cleanUp: 10 };
        const chain: ReleaseJob[] = ["a", "b", "c"].map((name, i) => ({ name, waitsFor: i === 0 ? [] : [["a", "b"][i - 1]], kind: "shifting", phases, engineWaits: false }));
        const s = releaseSchedule(chain, 4, 5);
        expect(ACCEPT_SECONDS).to.equal(5);
        // a: 60 + 15 + 10; b starts 5 s in, green up at 80, held until a moved (85) + a poll, then shifts: 100; c: 115.
        expect(s.trafficMoved).to.deep.equal({ a: 85, b: 100, c: 115 });
        expect(s.spans).to.deep.equal({ a: [0, 395], b: [5, 410], c: [10, 425] });
        expect(s.makespan).to.equal(425);
        // A rolling dependent keeps the engine waiting through its dependency's whole deployment, bake included.
        const withRolling: ReleaseJob[] = [
            { name: "a", waitsFor: [], kind: "shifting", phases, engineWaits: true },
            { name: "r", waitsFor: ["a"], kind: "rolling", duration: 80 },
            { name: "b", waitsFor: ["r"], kind: "shifting", phases, engineWaits: false },
        ];
        const w = releaseSchedule(withRolling, 4, 5);
        expect(w.spans).to.deep.equal({ a: [0, 395], r: [395, 475], b: [475, 870] });
        expect(w.trafficMoved).to.deep.equal({ a: 85, r: 475, b: 560 });
        // An accepted update holds its slot for seconds only: with one slot, independent services still overlap.
        const pair: ReleaseJob[] = ["x", "y"].map((name) => ({ name, waitsFor: [], kind: "shifting", phases, engineWaits: false }));
        expect(releaseSchedule(pair, 1, 5).spans).to.deep.equal({ x: [0, 395], y: [5, 400] });
        expect(() => releaseSchedule([{ name: "a", waitsFor: ["zz"], kind: "rolling", duration: 1 }], 1, 5)).to.throw("a waits for unknown zz");
    });

    it("blue/green phases come from the rolling model: drain and stop move after the bake", () => {
        expect(blueGreenPhases({ duration: 80, drainAndStop: 10 }, { bakeMinutes: 5, pollSeconds: 5 })).to.deep.equal({ scaleUp: 70, test: 15, shift: 10, bake: 300, cleanUp: 10 });
        expect(blueGreenPhases({ duration: 80, drainAndStop: 10 }, { bakeMinutes: 0, pollSeconds: 5, canaryMinutes: 3 }).shift).to.equal(190);
    });

    it("F17: parallel bounds the window", () => {
        expect(slidingWindow(jobs, 1).makespan).to.equal(110);
        expect(slidingWindow(jobs, 2).spans).to.deep.equal({ a: [0, 10], e: [0, 30], b: [10, 60], c: [30, 40], d: [40, 50] });
    });

    it("F17: fixed batches wait for their slowest member", () => {
        expect(fixedBatches(jobs, levels, 4).makespan).to.equal(30 + 50 + 10);
        expect(fixedBatches(jobs, levels, 1).makespan).to.equal(110);
    });

    it("critical path and lower bound", () => {
        expect(criticalPath(jobs)).to.deep.equal({ length: 60, path: ["a", "b"] });
        expect(lowerBound(jobs, 1)).to.equal(110);
        expect(lowerBound(jobs, 4)).to.equal(60);
    });

    it("rejects cycles and unknown dependencies", () => {
        expect(() => slidingWindow([{ name: "x", duration: 1, waitsFor: ["y"] }], 1)).to.throw("x waits for unknown y");
        expect(() => slidingWindow([{ name: "x", duration: 1, waitsFor: ["y"] }, { name: "y", duration: 1, waitsFor: ["x"] }], 1)).to.throw("dependency cycle among jobs");
    });

    const durations: [string, Parameters<typeof rolloutDuration>[0], number][] = [
        ["routed, fast health checks", { routes: ["/api/*"], deregistrationDelaySeconds: 10, stopTimeoutSeconds: 10, healthCheck: { intervalSeconds: 5, healthyThreshold: 2 } }, 15 + 40 + 10 + 10 + 5],
        ["F17: AWS defaults (5 × 30 s, 300 s drain)", { routes: ["/*"], deregistrationDelaySeconds: 300, stopTimeoutSeconds: 30, healthCheck: { intervalSeconds: 30, healthyThreshold: 5 } }, 15 + 40 + 150 + 300 + 5],
        ["unrouted with a container check", { routes: [], deregistrationDelaySeconds: 10, stopTimeoutSeconds: 2, healthCheck: { intervalSeconds: 5, healthyThreshold: 2, container: { intervalSeconds: 10 } } }, 15 + 40 + 10 + 0 + 2],
    ];
    for (const [title, s, expected] of durations) it(`rolloutDuration: ${title}`, () => expect(rolloutDuration(s)).to.equal(expected));

    it("the seeded PRNG repeats", () => {
        const a = seededRandom(7);
        const b = seededRandom(7);
        const xs = [a(), a(), a()];
        expect([b(), b(), b()]).to.deep.equal(xs);
        expect(xs.every((x) => x >= 0 && x < 1)).to.equal(true);
    });

    it("F17: optimalMakespan finds the best schedule where the sliding window's greedy order is not optimal", () => {
        // Two slots: greedy runs a+b, then c+d, then e alone (7); the optimum pairs a,b against c,d,e (6).
        const jobs: Job[] = ["a", "b"].map((name) => ({ name, duration: 3, waitsFor: [] as string[] })).concat(["c", "d", "e"].map((name) => ({ name, duration: 2, waitsFor: [] })));
        expect(slidingWindow(jobs, 2).makespan).to.equal(7);
        expect(optimalMakespan(jobs, 2)).to.deep.equal({ makespan: 6, exact: true });
        // With precedence, the optimum respects it: c waits for a.
        const chained: Job[] = [
            { name: "a", duration: 3, waitsFor: [] },
            { name: "b", duration: 3, waitsFor: [] },
            { name: "c", duration: 3, waitsFor: ["a"] },
        ];
        expect(optimalMakespan(chained, 2).makespan).to.equal(6);
        expect(optimalMakespan(chained, 1).makespan).to.equal(9);
        // A budget too small to finish says so and returns the best schedule found.
        expect(optimalMakespan(jobs, 2, 1)).to.deep.equal({ makespan: 7, exact: false });
    });
});
