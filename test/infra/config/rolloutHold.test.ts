// A traffic-shifting service's PAUSE timeout must outlast the hold berth puts on its test hook while its
// dependencies' canary or linear steps move production traffic (infra/config/rolloutHold.ts, F11).
import { expect } from "chai";
import { configProblems, loadConfig } from "../../helpers/config";
import { baseConfig } from "../../helpers/synth";
import { hookHold } from "../../../infra/config/rolloutHold";

/** prod: web (blue/green) → api → worker; api's rollout patched. */
function prodWith(api: Record<string, unknown>, patch: (c: Record<string, any>) => void = () => undefined): Record<string, any> {
    const c = baseConfig({ "berth:environment": "prod" });
    c["berth:services"][1].rollout = api;
    patch(c);
    return c;
}

describe("rollout config: how long berth may hold a test hook for its dependencies (F11)", () => {
    it("F11: refuses a test timeout that the dependencies' canary steps could use up, naming the chain and the fix", () => {
        expect(configProblems(prodWith({ strategy: "canary", canary: { percent: 10, bakeMinutes: 26 } }))).to.deep.equal([
            "berth:services[0].rollout.testTimeoutMinutes: 30 min can run out while berth holds web's test hook until api moved production traffic (their canary or linear steps take 26 min, F11): set it to at least 31 or shorten those steps",
        ]);
        // 25 + the 5-minute margin fits the 30-minute default.
        expect(configProblems(prodWith({ strategy: "canary", canary: { percent: 10, bakeMinutes: 25 } }))).to.deep.equal([]);
        expect(configProblems(prodWith({ strategy: "canary", canary: { percent: 10, bakeMinutes: 26 } }, (c) => (c["berth:services"][0].rollout = { testTimeoutMinutes: 31 })))).to.deep.equal([]);
    });

    it("adds up a chain of linear steps (every wait but the last step's) and skips dependencies the engine waits for", () => {
        // 10% steps every 2 minutes: nine waits, 18 minutes; web (linear too) adds its own 18 for whatever waits for it.
        const c = baseConfig({ "berth:environment": "prod" });
        c["berth:services"].push({ name: "edge", build: c["berth:services"][0].build, port: 8083, routes: ["/edge/*"], dependsOn: ["web"] });
        c["berth:services"][0].rollout = { strategy: "linear", linear: { stepPercent: 10, intervalMinutes: 2 } };
        c["berth:services"][1].rollout = { strategy: "linear", linear: { stepPercent: 10, intervalMinutes: 2 } };
        c["berth:services"][3].rollout = { testTimeoutMinutes: 41 };
        const services = loadConfig(c).services;
        expect(hookHold("edge", services)).to.deep.equal({ minutes: 36, chain: ["web", "api"] });
        expect(hookHold("web", services)).to.deep.equal({ minutes: 18, chain: ["api"] });
        expect(hookHold("api", services)).to.deep.equal({ minutes: 0, chain: [] });
        delete c["berth:services"][3].rollout;
        expect(configProblems(c)).to.deep.equal([
            "berth:services[3].rollout.testTimeoutMinutes: 30 min can run out while berth holds edge's test hook until web ← api moved production traffic (their canary or linear steps take 36 min, F11): set it to at least 41 or shorten those steps",
        ]);
        // A rolling service waiting for api keeps the engine waiting through api's deployment: web's green starts after it.
        c["berth:services"][2].dependsOn = ["api"];
        c["berth:services"][1].dependsOn = [];
        const rolled = loadConfig(c).services;
        expect(hookHold("web", rolled)).to.deep.equal({ minutes: 0, chain: [] });
        expect(hookHold("edge", rolled)).to.deep.equal({ minutes: 18, chain: ["web"] });
        expect(configProblems(c)).to.deep.equal([]);
    });
});
