// A minimal valid ReleaseRecord for tests that only care about its state and services.
import type { ReleaseRecord } from "../../automation/plan/report";

export function releaseRecord(state: ReleaseRecord["state"], overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
    return {
        version: 1,
        id: "20260314-091502-1a2b3c4",
        sha: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
        stack: "dev",
        startedAt: "2026-03-14T09:15:02.000Z",
        finishedAt: "2026-03-14T09:19:02.000Z",
        state,
        stages: [],
        services: [],
        migration: { outcome: "not-needed" },
        pulumiUpdates: {},
        imagesNow: {},
        ...overrides,
    };
}
