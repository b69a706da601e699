// The simulator's CloudWatch: per-minute sums of the ALB's per-target-group metrics (RequestCount,
// HTTPCode_Target_5XX_Count) and metric alarms over them, which ECS watches as deployment alarms. Unkind like the real
// one: a minute's data point becomes readable only after the minute has ended and an ingestion delay has passed, so
// a check made right after traffic moved sees nothing yet.

export type MetricName = "RequestCount" | "HTTPCode_Target_5XX_Count";

export interface AlarmSpec {
    name: string;
    metric: MetricName;
    /** The alarm sums the metric over these target groups (a blue/green service's two groups: whichever serves). */
    targetGroupArns: string[];
    /** ALARM when the sum over one period is at or above this. */
    threshold: number;
    periodSeconds: number;
}

export interface Alarm extends AlarmSpec {
    state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
    stateReason: string;
    stateUpdatedAt: number;
    /** A scenario's override: the alarm stays in this state whatever the metric says. */
    forced?: "OK" | "ALARM";
}

/** Sim seconds a finished minute takes before GetMetricData returns it. */
export const INGESTION_DELAY_SECONDS = 60;

const MINUTE = 60_000;

export class CloudWatchModel {
    /** `${targetGroupArn}|${metric}` → minute start (ms) → sum. */
    private readonly points = new Map<string, Map<number, number>>();
    readonly alarms = new Map<string, Alarm>();

    constructor(private readonly now: () => number) {}

    add(targetGroupArn: string, metric: MetricName, value: number, at: number): void {
        if (value === 0) return;
        const key = `${targetGroupArn}|${metric}`;
        const series = this.points.get(key) ?? new Map<number, number>();
        this.points.set(key, series);
        const minute = Math.floor(at / MINUTE) * MINUTE;
        series.set(minute, (series.get(minute) ?? 0) + value);
    }

    /** Sum of `metric` for one target group in [from, to), per `periodSeconds` bucket, only points already ingested. */
    series(targetGroupArn: string, metric: MetricName, from: number, to: number, periodSeconds: number): { timestamps: number[]; values: number[] } {
        const series = this.points.get(`${targetGroupArn}|${metric}`) ?? new Map<number, number>();
        const visibleBefore = this.now() - INGESTION_DELAY_SECONDS * 1000;
        const period = Math.max(60, periodSeconds) * 1000;
        const buckets = new Map<number, number>();
        for (const [minute, value] of series) {
            if (minute < from || minute >= to || minute + MINUTE > visibleBefore) continue;
            const bucket = from + Math.floor((minute - from) / period) * period;
            buckets.set(bucket, (buckets.get(bucket) ?? 0) + value);
        }
        // Newest first, as GetMetricData returns by default (ScanBy TimestampDescending).
        const timestamps = [...buckets.keys()].sort((a, b) => b - a);
        return { timestamps, values: timestamps.map((t) => buckets.get(t)!) };
    }

    defineAlarm(spec: AlarmSpec): void {
        this.alarms.set(spec.name, { ...spec, state: "INSUFFICIENT_DATA", stateReason: "Unchecked: Initial alarm creation", stateUpdatedAt: this.now() });
    }

    /** A scenario forces an alarm's state (as `aws cloudwatch set-alarm-state` does until the next evaluation; here until cleared). */
    force(name: string, state: "OK" | "ALARM" | undefined): void {
        const alarm = this.alarms.get(name);
        if (!alarm) throw new Error(`no alarm ${name}`);
        alarm.forced = state;
        this.evaluate(this.now());
    }

    /** Evaluates every alarm over its last complete, ingested period. */
    evaluate(at: number): void {
        for (const alarm of this.alarms.values()) {
            let state: Alarm["state"];
            let reason: string;
            if (alarm.forced) {
                state = alarm.forced;
                reason = `Set by the scenario to ${alarm.forced}`;
            } else {
                const period = alarm.periodSeconds * 1000;
                const end = Math.floor((at - INGESTION_DELAY_SECONDS * 1000) / MINUTE) * MINUTE;
                const start = end - period;
                let sum = 0;
                for (const tg of alarm.targetGroupArns) {
                    const series = this.points.get(`${tg}|${alarm.metric}`);
                    for (const [minute, value] of series ?? []) if (minute >= start && minute < end) sum += value;
                }
                state = sum >= alarm.threshold ? "ALARM" : "OK";
                reason = `Threshold Crossed: 1 datapoint [${sum}] was ${state === "ALARM" ? "greater than or equal to" : "less than"} the threshold (${alarm.threshold}).`;
            }
            if (state !== alarm.state) Object.assign(alarm, { state, stateReason: reason, stateUpdatedAt: at });
        }
    }

    inAlarm(names: string[]): string[] {
        return names.filter((n) => this.alarms.get(n)?.state === "ALARM");
    }
}
