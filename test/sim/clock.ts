// The simulator's clock: wall time accelerated by a constant factor from a shared origin. Every process of an
// end-to-end run (the simulator, the driver under acceleratedClock.js, the scripted pulumi) derives "now" from the
// same BERTH_SIM_CLOCK value, so their timestamps agree without any process having to ask another.

export interface SimClockSpec {
    /** Wall-clock ms at which sim time was simOrigin. */
    realOrigin: number;
    /** Sim-time ms at realOrigin. */
    simOrigin: number;
    /** Sim seconds per wall second (1 = real time). */
    scale: number;
}

export class SimClock {
    constructor(readonly spec: SimClockSpec) {}

    static start(scale: number, simOrigin = Date.UTC(2026, 2, 14, 9, 0, 0)): SimClock {
        return new SimClock({ realOrigin: Date.now(), simOrigin, scale });
    }

    static parse(text: string): SimClock {
        const [realOrigin, simOrigin, scale] = text.split(":").map(Number);
        if (![realOrigin, simOrigin, scale].every(Number.isFinite) || scale <= 0) throw new Error(`BERTH_SIM_CLOCK "${text}" is not <realOriginMs>:<simOriginMs>:<scale>`);
        return new SimClock({ realOrigin, simOrigin, scale });
    }

    /** The value of BERTH_SIM_CLOCK for child processes. */
    encode(): string {
        return `${this.spec.realOrigin}:${this.spec.simOrigin}:${this.spec.scale}`;
    }

    nowMs(): number {
        return this.spec.simOrigin + (Date.now() - this.spec.realOrigin) * this.spec.scale;
    }

    nowSeconds(): number {
        return Math.floor(this.nowMs() / 1000);
    }

    /** Wall ms for a sim duration. */
    realMs(simMs: number): number {
        return simMs / this.spec.scale;
    }

    sleep(simMs: number): Promise<void> {
        return new Promise((resolve) => setTimeout(resolve, this.realMs(simMs)));
    }
}
