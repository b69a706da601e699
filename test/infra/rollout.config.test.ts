// Rollout settings per service (infra/config/rollout.ts): profile defaults, ECS's ranges, what traffic shifting
// needs (a route in one listener rule, the ALB's rule budget with test rules), and exact messages.
import { expect } from "chai";
import fc from "fast-check";
import { configProblems as problems, loadConfig, withService } from "../helpers/config";
import { baseConfig, FIXTURE_CONTEXT } from "../helpers/synth";
import { ALB_LIMITS, planListenerRules, ruleCount, ruleValueCount, patternProblem } from "../../infra/config/routes";
import { doubledMinutes, trafficSteps } from "../../infra/config/rollout";
import { deploymentWaitMinutes, pauseHooks } from "../../infra/components/rollout";

const prod = (patch: Record<string, unknown> = {}, index = 0) => withService(index, patch, { "berth:environment": "prod" });
const rolloutOf = (c: Record<string, any>, name: string) => loadConfig(c).services.find((s) => s.name === name)!.rollout;

describe("rollout config: defaults by profile", () => {
    it("dev rolls every service; prod deploys routed services blue/green and rolls the unrouted worker", () => {
        expect(["web", "api", "worker"].map((n) => rolloutOf(baseConfig(), n).strategy)).to.deep.equal(["rolling", "rolling", "rolling"]);
        expect(["web", "api", "worker"].map((n) => rolloutOf(prod(), n).strategy)).to.deep.equal(["blueGreen", "blueGreen", "rolling"]);
        expect(rolloutOf(baseConfig({ "berth:environment": "staging" }), "web").strategy).to.equal("rolling");
    });

    it("fills bake, test timeout and the strategy's own steps from the defaults, and only those of its strategy", () => {
        expect(rolloutOf(prod(), "web")).to.deep.equal({ strategy: "blueGreen", bakeMinutes: 5, testTimeoutMinutes: 30, productionPauseMinutes: undefined, stepPauseMinutes: undefined, canary: undefined, linear: undefined, testHeader: "x-berth-test", switching: false });
        expect(rolloutOf(prod({ rollout: { strategy: "canary" } }), "web").canary).to.deep.equal({ percent: 5, bakeMinutes: 10 });
        expect(rolloutOf(prod({ rollout: { strategy: "linear", linear: { stepPercent: 10 } } }), "web").linear).to.deep.equal({ stepPercent: 10, intervalMinutes: 2 });
        expect(rolloutOf(baseConfig(), "web").canary).to.equal(undefined);
    });

    it("lets a dev service opt in, and a prod service opt out", () => {
        expect(rolloutOf(withService(0, { rollout: { strategy: "canary", canary: { percent: 12.5, bakeMinutes: 0 } } }), "web")).to.deep.include({ strategy: "canary", canary: { percent: 12.5, bakeMinutes: 0 } });
        expect(rolloutOf(prod({ rollout: { strategy: "rolling" } }), "web").strategy).to.equal("rolling");
    });

    it("keeps a step pause for canary and linear only, and counts their production steps (ECS pauses before each)", () => {
        expect(rolloutOf(prod({ rollout: { strategy: "canary", stepPauseMinutes: 7 } }), "web").stepPauseMinutes).to.equal(7);
        expect(rolloutOf(prod({ rollout: { strategy: "linear", stepPauseMinutes: 8 } }), "web").stepPauseMinutes).to.equal(8);
        expect(trafficSteps({ strategy: "rolling" })).to.equal(0);
        expect(trafficSteps({ strategy: "blueGreen" })).to.equal(1);
        expect(trafficSteps({ strategy: "canary" })).to.equal(2);
        expect(trafficSteps({ strategy: "linear", linear: { stepPercent: 25 } })).to.equal(4);
        // 30, 60, 90, then the last 10.
        expect(trafficSteps({ strategy: "linear", linear: { stepPercent: 30 } })).to.equal(4);
        expect(trafficSteps({ strategy: "linear", linear: { stepPercent: 100 } })).to.equal(1);
        // The provider's wait: 30 (test) + 4 × 10 (a pause before each 25% step) + 3 × 2 (intervals) + 5 (bake) + 20.
        const linear = rolloutOf(prod({ rollout: { strategy: "linear", stepPauseMinutes: 10 } }), "web");
        expect(deploymentWaitMinutes(linear)).to.equal(101);
        expect(pauseHooks(linear).map((h) => `${h.stage} ${h.timeoutMinutes}`)).to.deep.equal(["POST_TEST_TRAFFIC_SHIFT 30", "PRE_PRODUCTION_TRAFFIC_SHIFT 10"]);
    });

    it("counts the minutes green runs next to blue: bake, plus canary bake or every linear step but the last", () => {
        const base = { bakeMinutes: 5 };
        expect(doubledMinutes({ ...base, strategy: "rolling" })).to.equal(0);
        expect(doubledMinutes({ ...base, strategy: "blueGreen" })).to.equal(5);
        expect(doubledMinutes({ ...base, strategy: "canary", canary: { percent: 10, bakeMinutes: 7 } })).to.equal(12);
        // 30% steps: 30, 60, 90, 100 — three waits of 4 minutes before the last step.
        expect(doubledMinutes({ ...base, strategy: "linear", linear: { stepPercent: 30, intervalMinutes: 4 } })).to.equal(17);
        expect(doubledMinutes({ ...base, strategy: "linear", linear: { stepPercent: 100, intervalMinutes: 4 } })).to.equal(5);
    });
});

describe("rollout config: bad settings, one exact message each", () => {
    const k = "berth:services[0].rollout";
    const cases: [string, Record<string, any>, string[]][] = [
        ["a misspelt strategy, with the closest", prod({ rollout: { strategy: "bluegreen" } }), [`${k}.strategy: "bluegreen" is not a rollout strategy: use rolling, blueGreen, canary, linear; did you mean "blueGreen"?`]],
        ["an unknown strategy", prod({ rollout: { strategy: "recreate" } }), [`${k}.strategy: "recreate" is not a rollout strategy: use rolling, blueGreen, canary, linear`]],
        ["a misspelt knob, with the closest", prod({ rollout: { bakeMinute: 3 } }), [`${k}.bakeMinute: unknown key; did you mean bakeMinutes?`]],
        ["a bake past 24 hours", prod({ rollout: { bakeMinutes: 1441 } }), [`${k}.bakeMinutes: 1441 is outside the bake time ECS allows (bakeTimeInMinutes): ECS takes whole minutes from 0 to 1440`]],
        ["a fractional bake", prod({ rollout: { bakeMinutes: 2.5 } }), [`${k}.bakeMinutes: 2.5 is outside the bake time ECS allows (bakeTimeInMinutes): ECS takes whole minutes from 0 to 1440`]],
        ["a test timeout of 0", prod({ rollout: { testTimeoutMinutes: 0 } }), [`${k}.testTimeoutMinutes: 0 is outside the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days): ECS takes whole minutes from 1 to 20160`]],
        ["a test timeout past 14 days", prod({ rollout: { testTimeoutMinutes: 20161 } }), [`${k}.testTimeoutMinutes: 20161 is outside the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days): ECS takes whole minutes from 1 to 20160`]],
        ["a production pause past 14 days", prod({ rollout: { productionPauseMinutes: 20161 } }), [`${k}.productionPauseMinutes: 20161 is outside the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days): ECS takes whole minutes from 1 to 20160`]],
        ["a step pause past 14 days", prod({ rollout: { strategy: "linear", stepPauseMinutes: 20161 } }), [`${k}.stepPauseMinutes: 20161 is outside the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days): ECS takes whole minutes from 1 to 20160`]],
        ["a fractional step pause", prod({ rollout: { strategy: "canary", stepPauseMinutes: 0.5 } }), [`${k}.stepPauseMinutes: 0.5 is outside the PAUSE hook timeout ECS allows (timeoutInMinutes, up to 14 days): ECS takes whole minutes from 1 to 20160`]],
        [
            "a step pause on a blue/green service",
            prod({ rollout: { stepPauseMinutes: 10 } }),
            [`${k}.stepPauseMinutes: applies to strategy: canary or linear only (ECS pauses before each of their production traffic steps); blueGreen moves production in one step: remove it, or use productionPauseMinutes to pause once all production is on green`],
        ],
        [
            "a step pause on a rolling service",
            withService(0, { rollout: { stepPauseMinutes: 10 } }),
            [`${k}.stepPauseMinutes: applies to blueGreen, canary and linear rollouts; this service rolls (strategy: rolling): remove it or choose a traffic-shifting strategy`],
        ],
        ["a canary below 0.1%", prod({ rollout: { strategy: "canary", canary: { percent: 0.05 } } }), [`${k}.canary.percent: 0.05 is not a canary share ECS takes: use a multiple of 0.1 from 0.1 to 100 (percent of production traffic)`]],
        ["a canary above 100%", prod({ rollout: { strategy: "canary", canary: { percent: 100.5 } } }), [`${k}.canary.percent: 100.5 is not a canary share ECS takes: use a multiple of 0.1 from 0.1 to 100 (percent of production traffic)`]],
        ["a canary share finer than 0.1", prod({ rollout: { strategy: "canary", canary: { percent: 10.25 } } }), [`${k}.canary.percent: 10.25 is not a canary share ECS takes: use a multiple of 0.1 from 0.1 to 100 (percent of production traffic)`]],
        ["a negative canary bake", prod({ rollout: { strategy: "canary", canary: { bakeMinutes: -1 } } }), [`${k}.canary.bakeMinutes: -1 is outside the canary bake time ECS allows (canaryBakeTimeInMinutes): ECS takes whole minutes from 0 to 1440`]],
        ["a linear step below 3%", prod({ rollout: { strategy: "linear", linear: { stepPercent: 2 } } }), [`${k}.linear.stepPercent: 2 is outside the linear step ECS allows: 3 to 100 percent of production traffic per step`]],
        ["a linear interval past 24 hours", prod({ rollout: { strategy: "linear", linear: { intervalMinutes: 1441 } } }), [`${k}.linear.intervalMinutes: 1441 is outside the step interval ECS allows (stepBakeTimeInMinutes): ECS takes whole minutes from 0 to 1440`]],
        [
            "blue/green on a service without routes",
            withService(2, { rollout: { strategy: "blueGreen" } }),
            ["berth:services[2].rollout.strategy: blueGreen needs routes: ECS shifts traffic between two target groups behind an ALB listener rule, and this service has none; add routes or use strategy: rolling"],
        ],
        [
            "canary on routes that need two listener rules",
            prod({ routes: ["/a/*", "/b/*", "/c/*", "/d/*"], rollout: { strategy: "canary" } }),
            [`${k}.strategy: canary needs the service's routes in one ALB listener rule (ECS moves one production rule), but its 4 path patterns need 2 rules (an ALB condition holds 3, F08); merge them into at most 3 patterns with wildcards or use strategy: rolling`],
        ],
        [
            "blue/green knobs on a rolling service, each named",
            withService(0, { rollout: { bakeMinutes: 3, canary: { percent: 5 } } }),
            [
                `${k}.bakeMinutes: applies to blueGreen, canary and linear rollouts; this service rolls (strategy: rolling): remove it or choose a traffic-shifting strategy`,
                `${k}.canary: applies to blueGreen, canary and linear rollouts; this service rolls (strategy: rolling): remove it or choose a traffic-shifting strategy`,
            ],
        ],
        ["canary steps on a blue/green service", prod({ rollout: { canary: { percent: 5 } } }), [`${k}.canary: applies to strategy: canary only (this service uses blueGreen)`]],
        ["linear steps on a canary service", prod({ rollout: { strategy: "canary", linear: { stepPercent: 5 } } }), [`${k}.linear: applies to strategy: linear only (this service uses canary)`]],
        [
            "a service named like another's alternate target group",
            (() => {
                const c = baseConfig({ "berth:environment": "prod" });
                c["berth:services"].push({ name: "web-alt", build: { context: FIXTURE_CONTEXT }, port: 8090 });
                return c;
            })(),
            ['berth:services[3].name: "web-alt" is the name of web\'s alternate target group (web uses blueGreen); rename the service'],
        ],
    ];
    for (const [what, config, expected] of cases) {
        it(`refuses ${what}`, () => expect(problems(config)).to.deep.equal(expected));
    }

    it("accepts the edges ECS accepts: bake 0 and 1440, timeouts 1 and 20160, canary 0.1 and 100, linear 3 and 100", () => {
        expect(problems(prod({ rollout: { bakeMinutes: 0, testTimeoutMinutes: 1, productionPauseMinutes: 20160 } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { bakeMinutes: 1440, testTimeoutMinutes: 20160 } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { strategy: "canary", canary: { percent: 0.1, bakeMinutes: 1440 } } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { strategy: "canary", canary: { percent: 100 } } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { strategy: "linear", linear: { stepPercent: 3, intervalMinutes: 0 } } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { strategy: "linear", linear: { stepPercent: 100 } } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { strategy: "canary", stepPauseMinutes: 1 } }))).to.deep.equal([]);
        expect(problems(prod({ rollout: { strategy: "linear", stepPauseMinutes: 20160 } }))).to.deep.equal([]);
    });
});

describe("rollout config: listener rules with test rules (F08)", () => {
    const many = (n: number, environment: string) => ({
        ...baseConfig({ "berth:environment": environment }),
        "berth:migration": undefined,
        "berth:services": Array.from({ length: n }, (_, i) => ({ name: `s${i}`, build: { context: FIXTURE_CONTEXT }, port: 9000 + i, routes: [`/s${i}/*`] })),
    });

    it("puts each test rule 5 below its production rule, so it sits between the more specific service's rules and its own", () => {
        const rules = planListenerRules([
            { name: "web", routes: ["/*"], testRoute: true },
            { name: "api", routes: ["/api/*"], testRoute: true },
            { name: "orders", routes: ["/api/orders/*"] },
        ]);
        expect(rules.map((r) => [r.service, r.priority, r.testPriority])).to.deep.equal([
            ["orders", 10, undefined],
            ["api", 20, 15],
            ["web", 30, 25],
        ]);
        expect(ruleCount(rules)).to.equal(5);
    });

    it("counts test rules in the ALB's 100: 50 blue/green services fit, 51 do not; 51 rolling ones do", () => {
        expect(problems(many(50, "prod"))).to.deep.equal([]);
        expect(problems(many(51, "prod"))).to.deep.equal([
            "berth:services: the routes need 102 listener rules (51 production and 51 test rules for blueGreen, canary and linear rollouts); an ALB allows 100 (F08): merge path patterns with wildcards, roll some services instead, or split the catalogue across stacks",
        ]);
        expect(problems(many(51, "dev"))).to.deep.equal([]);
    });

    it("keeps every test rule within a rule's 5 match values and 5 wildcards, whatever the single-rule routes", () => {
        const segment = fc.oneof(fc.stringMatching(/^[a-z0-9]{1,6}$/), fc.constantFrom("*", "?"));
        const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((p) => `/${p.join("/")}`).filter((p) => patternProblem(p) === undefined);
        fc.assert(
            fc.property(fc.uniqueArray(pattern, { minLength: 1, maxLength: 3 }), (routes) => {
                for (const rule of planListenerRules([{ name: "svc", routes, testRoute: true }])) {
                    expect(ruleValueCount(rule, true)).to.be.at.most(ALB_LIMITS.valuesPerRule);
                    expect(rule.patterns.join("").match(/[*?]/g)?.length ?? 0).to.be.at.most(ALB_LIMITS.wildcardsPerRule);
                }
            }),
            { seed: 20261202, numRuns: 200 },
        );
    });
});
