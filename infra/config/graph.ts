// The rollout graph of the catalogue: which service waits for which. Pure; shared by the program's
// `dependsOn` wiring, synth's rollout levels and the release driver (F11).

export interface GraphNode {
    name: string;
    /** Services this one calls and must wait for. */
    dependsOn: readonly string[];
    /** Sugar for ordering: a service waits for every service of the next-lower priority. */
    priority?: number;
}

/**
 * The edges a service waits on: its declared `dependsOn` plus, when it has a priority, every service in
 * the highest priority tier below its own (earlier tiers follow transitively).
 */
export function rolloutEdges(nodes: readonly GraphNode[]): Map<string, string[]> {
    const tiers = [...new Set(nodes.flatMap((n) => (n.priority === undefined ? [] : [n.priority])))].sort((a, b) => a - b);
    const edges = new Map<string, string[]>();
    for (const node of nodes) {
        const deps = new Set(node.dependsOn);
        if (node.priority !== undefined) {
            const lower = tiers.filter((t) => t < node.priority!).pop();
            if (lower !== undefined) {
                for (const other of nodes) if (other.priority === lower) deps.add(other.name);
            }
        }
        edges.set(node.name, [...deps].sort());
    }
    return edges;
}

/** The first cycle found, as a path that starts and ends with the same service; undefined if acyclic. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (name: string): string[] | undefined => {
        if (state.get(name) === "done") return undefined;
        if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
        state.set(name, "visiting");
        stack.push(name);
        for (const dep of edges.get(name) ?? []) {
            if (!edges.has(dep)) continue;
            const cycle = visit(dep);
            if (cycle) return cycle;
        }
        stack.pop();
        state.set(name, "done");
        return undefined;
    };
    for (const name of [...edges.keys()].sort()) {
        const cycle = visit(name);
        if (cycle) return cycle;
    }
    return undefined;
}

/**
 * Rollout levels: level 0 has no dependencies, level n depends only on levels < n. Each level is sorted
 * by name so the result is deterministic. Throws on a cycle (config validation rejects those first).
 */
export function rolloutLevels(edges: ReadonlyMap<string, readonly string[]>): string[][] {
    const level = new Map<string, number>();
    const cycle = findCycle(edges);
    if (cycle) throw new Error(`dependency cycle: ${cycle.join(" → ")}`);
    const depth = (name: string): number => {
        const known = level.get(name);
        if (known !== undefined) return known;
        const deps = (edges.get(name) ?? []).filter((d) => edges.has(d));
        const value = deps.length === 0 ? 0 : Math.max(...deps.map(depth)) + 1;
        level.set(name, value);
        return value;
    };
    const levels: string[][] = [];
    for (const name of [...edges.keys()].sort()) {
        const d = depth(name);
        (levels[d] ??= []).push(name);
    }
    return levels.map((l) => l.sort());
}

/**
 * The order the program declares services in, and so the order the engine registers and schedules them: level by
 * level (a service's dependencies are declared before it), and within a level the longest remaining path first —
 * a service's own duration plus the longest chain of services that wait on it (ties by name). Under a bounded
 * `--parallel` window the engine starts ready services in declaration order, so the head of the critical chain
 * is never queued behind a short side branch (F17).
 */
export function criticalFirst(levels: readonly (readonly string[])[], edges: ReadonlyMap<string, readonly string[]>, duration: (name: string) => number): string[] {
    const dependents = new Map<string, string[]>();
    for (const [name, deps] of edges) for (const dep of deps) if (dep !== name) dependents.set(dep, [...(dependents.get(dep) ?? []), name]);
    const memo = new Map<string, number>();
    const remaining = (name: string): number => {
        const known = memo.get(name);
        if (known !== undefined) return known;
        const value = duration(name) + Math.max(0, ...(dependents.get(name) ?? []).map(remaining));
        memo.set(name, value);
        return value;
    };
    return levels.flatMap((level) => [...level].sort((a, b) => remaining(b) - remaining(a) || a.localeCompare(b)));
}
