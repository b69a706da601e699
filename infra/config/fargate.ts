// Valid Fargate task sizes (Linux): CPU units and the memory (MiB) each allows. AWS rejects any other pair
// at RegisterTaskDefinition time; berth rejects it at config time instead.

const GiB = 1024;

function range(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

/** CPU units → allowed memory values in MiB (AWS ECS docs, "Task CPU and memory", Fargate Linux). */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
    [256, [512, 1 * GiB, 2 * GiB]],
    [512, range(1 * GiB, 4 * GiB, GiB)],
    [1024, range(2 * GiB, 8 * GiB, GiB)],
    [2048, range(4 * GiB, 16 * GiB, GiB)],
    [4096, range(8 * GiB, 30 * GiB, GiB)],
    [8192, range(16 * GiB, 60 * GiB, 4 * GiB)],
    [16384, range(32 * GiB, 120 * GiB, 8 * GiB)],
]);

export function isValidFargateSize(cpu: number, memory: number): boolean {
    return FARGATE_SIZES.get(cpu)?.includes(memory) ?? false;
}

/** A short human description of what memory a CPU value allows, for error messages. */
export function describeMemoryFor(cpu: number): string {
    const allowed = FARGATE_SIZES.get(cpu);
    if (!allowed) return `cpu must be one of ${[...FARGATE_SIZES.keys()].join(", ")}`;
    if (allowed.length <= 3) return `cpu ${cpu} allows memory ${allowed.join(", ")}`;
    const step = allowed[1] - allowed[0];
    return `cpu ${cpu} allows memory ${allowed[0]}-${allowed[allowed.length - 1]} in steps of ${step}`;
}
