// The real Clock: wall time and a sleep that an AbortSignal cuts short (rejecting with an AbortError).
import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "../ports";

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
};
