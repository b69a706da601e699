// One scenario's world: the 12-service example's real outputs, a released set, fakes wired as ReleaseDeps.
import { exampleStack } from "../../helpers/synth";
import type { ReleaseOptions } from "../../../automation/commands/deploy";
import type { ReleaseDeps } from "../../../automation/stages/types";
import { FakeBuilder, FakeEcs, FakeElb, FakeHttp, FakeLogs, FakeMetrics, FakeRegistry, FakeSource, FakeStack, FakeStore, World } from "./world";

export const SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
export const CONTEXT = `sha256:${"c".repeat(64)}`;

export interface Harness {
    world: World;
    stack: FakeStack;
    ecs: FakeEcs;
    builder: FakeBuilder;
    http: FakeHttp;
    deps: ReleaseDeps;
    lines: string[];
    options: ReleaseOptions;
}

/** `changed`: services whose build context differs from the released one. */
export async function harness(setup: { changed?: string[]; released?: boolean } = {}): Promise<Harness> {
    const { outputs } = await exampleStack("dev");
    const world = new World(outputs as Record<string, unknown>);
    const names = world.serviceNames();
    if (setup.released !== false) {
        world.released = {
            version: 1,
            releaseId: "20260301-120000-0000000",
            sha: world.oldSha,
            releasedAt: "2026-03-01T12:00:00.000Z",
            images: Object.fromEntries(names.map((n) => [n, world.services.get(n)!.originalImage])),
            contexts: Object.fromEntries(names.map((n) => [n, setup.changed?.includes(n) ? `sha256:${"0".repeat(64)}` : CONTEXT])),
        };
    }
    const stack = new FakeStack(world);
    const ecs = new FakeEcs(world);
    const builder = new FakeBuilder(world);
    const http = new FakeHttp(world);
    const lines: string[] = [];
    world.progress = (line) => lines.push(line);
    const deps: ReleaseDeps = {
        stack,
        ecs,
        elb: new FakeElb(world),
        logs: new FakeLogs(world),
        metrics: new FakeMetrics(world),
        registry: new FakeRegistry(world),
        builder,
        http,
        store: new FakeStore(world),
        source: new FakeSource(SHA),
        clock: world.clock,
        progress: (line) => lines.push(line),
        contextDigest: () => CONTEXT,
    };
    const options: ReleaseOptions = { projectDir: "/srv/berth", stackName: "dev", parallel: 4, skipMigration: false, allowDirty: false, dryRun: false };
    return { world, stack, ecs, builder, http, deps, lines, options };
}
