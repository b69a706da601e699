// Preloaded (`node -r`) into the release driver's process in end-to-end runs: berth's own clock
// (automation/adapters/clock.ts systemClock) follows the simulator's accelerated clock from BERTH_SIM_CLOCK,
// so the driver's polls, timeouts and report times are in sim time. Nothing else in the process is touched:
// the AWS SDK's and docker's own timers stay real.
"use strict";
const Module = require("module");
const { setTimeout: delay } = require("timers/promises");

const spec = process.env.BERTH_SIM_CLOCK;
if (spec) {
    const [realOrigin, simOrigin, scale] = spec.split(":").map(Number);
    const accelerated = {
        now: () => simOrigin + (Date.now() - realOrigin) * scale,
        sleep: (ms, signal) => delay(ms / scale, undefined, { signal }),
    };
    const load = Module._load;
    Module._load = function (request) {
        const exported = load.apply(this, arguments);
        if (/adapters[\\/]clock(\.ts|\.js)?$/.test(request) && exported && exported.systemClock) Object.assign(exported.systemClock, accelerated);
        return exported;
    };
}
