// The loader's limits tested on both sides of each edge: the last value accepted and the first rejected,
// so an off-by-one or a dropped half of a range check fails here.
import { expect } from "chai";
import { baseConfig } from "../../helpers/synth";
import { configProblems as problems, loadConfig as load, withService } from "../../helpers/config";





describe("config boundaries: autoscaling range and desired count", () => {
    const outside = (desired: number, min: number, max: number) =>
        `berth:services[0].desiredCount: ${desired} is outside autoscaling min-max (${min}-${max}); set it within that range`;

    it("rejects a desired count above autoscaling.max (the service would scale in at once)", () => {
        expect(problems(withService(0, { desiredCount: 5, autoscaling: { min: 1, max: 4 } }))).to.deep.equal([outside(5, 1, 4)]);
        expect(problems(withService(0, { desiredCount: 3, autoscaling: { min: 1, max: 2 } }))).to.deep.equal([outside(3, 1, 2)]);
    });

    it("rejects the profile's default desired count when it is above autoscaling.max", () => {
        // prod's profile runs 2 tasks; a range of 1-1 cannot hold them.
        const c = withService(0, { autoscaling: { min: 1, max: 1 } }, { "berth:environment": "prod" });
        expect(problems(c)).to.deep.equal([outside(2, 1, 1)]);
    });

    it("accepts a desired count equal to either bound, and min equal to max", () => {
        for (const [desired, min, max] of [[1, 1, 4], [4, 1, 4], [3, 3, 3]]) {
            const s = load(withService(0, { desiredCount: desired, autoscaling: { min, max } }));
            expect(s.services[0].desiredCount).to.equal(desired);
            expect(s.services[0].autoscaling).to.deep.equal({ min, max, targetCpu: 60, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 60 });
        }
    });

    it("keeps a given target CPU and leaves autoscaling off when it is not configured", () => {
        const s = load(withService(0, { desiredCount: 2, autoscaling: { min: 2, max: 6, targetCpu: 45 } }));
        expect(s.services[0].autoscaling).to.deep.equal({ min: 2, max: 6, targetCpu: 45, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 60 });
        expect(load(baseConfig()).services[0].autoscaling).to.equal(undefined);
    });

    it("reports min above max once, not also the desired count", () => {
        expect(problems(withService(0, { desiredCount: 3, autoscaling: { min: 4, max: 2 } }))).to.deep.equal(["berth:services[0].autoscaling.min: 4 is above autoscaling.max (2)"]);
    });
});

describe("config boundaries: PostgreSQL version floor", () => {
    const past = (v: string) => `berth:database.engineVersion: PostgreSQL ${v} is past RDS standard support; use 13 or later (16 recommended)`;
    const db = (engineVersion: string) => baseConfig({ "berth:database": { engineVersion } });

    it("rejects 12 and older, with the version the user wrote", () => {
        expect(problems(db("12.22"))).to.deep.equal([past("12.22")]);
        expect(problems(db("12"))).to.deep.equal([past("12")]);
        expect(problems(db("9.6"))).to.deep.equal([past("9.6")]);
    });

    it("accepts 13 (the oldest in standard support) and later, and derives the parameter-group family from the major", () => {
        for (const [version, family] of [["13", "postgres13"], ["13.20", "postgres13"], ["14.17", "postgres14"], ["17.4", "postgres17"]]) {
            const s = load(db(version));
            expect([s.database.engineVersion, s.database.family]).to.deep.equal([version, family]);
        }
    });

    it("defaults to 16.6 (family postgres16)", () => {
        const s = load(baseConfig());
        expect([s.database.engineVersion, s.database.family]).to.deep.equal(["16.6", "postgres16"]);
    });
});

describe("config boundaries: health-check timing, drain and stop timeout", () => {
    it("accepts a target health-check timeout one second below the interval, rejects it at the interval", () => {
        const s = load(withService(0, { healthCheck: { intervalSeconds: 10, timeoutSeconds: 9 } }));
        expect([s.services[0].healthCheck.intervalSeconds, s.services[0].healthCheck.timeoutSeconds]).to.deep.equal([10, 9]);
        expect(problems(withService(0, { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }))).to.deep.equal([
            "berth:services[0].healthCheck.timeoutSeconds: 10 s must be less than intervalSeconds (10 s); the ALB rejects a timeout that is not shorter than the interval",
        ]);
    });

    it("F17: allows a 30 s drain without a reason, not 31 s", () => {
        expect(load(withService(0, { deregistrationDelaySeconds: 30 })).services[0].deregistrationDelaySeconds).to.equal(30);
        expect(problems(withService(0, { deregistrationDelaySeconds: 31 }))).to.deep.equal([
            "berth:services[0].deregistrationDelaySeconds: 31 s slows every rollout (F17); values above 30 s need longRequests: true or websocket: true",
        ]);
    });

    it("F17: the stop timeout follows the drain within 10-120 s (Fargate's ceiling is 120 s)", () => {
        const stop = (delay: number, extra: Record<string, unknown> = {}) =>
            load(withService(0, { deregistrationDelaySeconds: delay, ...extra })).services[0].stopTimeoutSeconds;
        expect(stop(0)).to.equal(10);
        expect(stop(10)).to.equal(10);
        expect(stop(25)).to.equal(25);
        expect(stop(120, { longRequests: true })).to.equal(120);
        expect(stop(300, { longRequests: true })).to.equal(120);
    });

    it("F01: a container health check's start period is the grace period, capped at ECS's 300 s", () => {
        const start = (grace: number) =>
            load(withService(0, { healthCheck: { command: ["CMD", "/app/healthcheck"], gracePeriodSeconds: grace } })).services[0].healthCheck.container!.startPeriodSeconds;
        expect(start(45)).to.equal(45);
        expect(start(300)).to.equal(300);
        expect(start(900)).to.equal(300);
    });
});
