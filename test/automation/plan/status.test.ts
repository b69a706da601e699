// `status`'s Markdown table (automation/plan/status.ts): exact rows for a service that runs what the stack
// registered, one that drifted (F07), a deployment mid-rollout, and a stack with no release recorded.
import { expect } from "chai";
import { renderStatus, type StatusReport } from "../../../automation/plan/status";

const HEADER = "| service | task definition | tasks (running/desired, pending) | deployments | targets healthy | released image |\n|---|---|---|---|---|---|";

describe("plan/status renderStatus", () => {
    it("renders the release, a matching service and a drifted one (F07) row by row", () => {
        const report: StatusReport = {
            stack: "dev",
            cluster: "shop-dev",
            released: { releaseId: "20260301-100000-abcdef1", sha: "abcdef1234567890abcdef", releasedAt: "2026-03-01T10:00:00Z" },
            services: [
                {
                    service: "api",
                    serviceName: "shop-dev-api",
                    runningTaskDefinition: "shop-dev-api:7",
                    stackTaskDefinition: "shop-dev-api:7",
                    matchesStack: true,
                    counts: { desired: 2, running: 2, pending: 0 },
                    deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: "shop-dev-api:7", running: 2, desired: 2, failedTasks: 0 }],
                    targets: { healthy: 2, total: 2, states: { healthy: 2 } },
                    releasedDigest: `sha256:${"0123456789ab".repeat(5)}abcd`,
                },
                {
                    service: "worker",
                    serviceName: "shop-dev-worker",
                    runningTaskDefinition: "shop-dev-worker:4",
                    stackTaskDefinition: "shop-dev-worker:5",
                    matchesStack: false,
                    counts: { desired: 1, running: 0, pending: 1 },
                    deployments: [
                        { status: "PRIMARY", rolloutState: "IN_PROGRESS", taskDefinition: "shop-dev-worker:5", running: 0, desired: 1, failedTasks: 2 },
                        { status: "ACTIVE", taskDefinition: "shop-dev-worker:4", running: 1, desired: 0, failedTasks: 0 },
                    ],
                },
            ],
        };
        expect(renderStatus(report)).to.equal(
            [
                "### berth status — stack `dev`",
                "",
                "cluster `shop-dev` · release 20260301-100000-abcdef1 (sha abcdef123456, 2026-03-01T10:00:00Z)",
                "",
                HEADER,
                "| api | shop-dev-api:7 | 2/2, 0 | PRIMARY COMPLETED 2/2 | 2/2 | 0123456789ab |",
                "| worker | shop-dev-worker:4 (stack: shop-dev-worker:5) | 0/1, 1 | PRIMARY IN_PROGRESS 0/1, 2 failed; ACTIVE 1/0 | — | — |",
                "",
            ].join("\n"),
        );
    });

    it("names a promotion's source, a stack without a release, a service ECS does not run and one without deployments", () => {
        const promoted: StatusReport = {
            stack: "prod",
            cluster: "shop-prod",
            released: {
                releaseId: "20260302-100000-abcdef1",
                sha: "abcdef1234567890",
                releasedAt: "2026-03-02T10:00:00Z",
                promotedFrom: { stack: "staging", releaseId: "20260301-090000-abcdef1", sha: "abcdef1234567890" },
            },
            services: [],
        };
        expect(renderStatus(promoted).split("\n")[2]).to.equal(
            "cluster `shop-prod` · release 20260302-100000-abcdef1 (sha abcdef123456, 2026-03-02T10:00:00Z), promoted from stack `staging` release 20260301-090000-abcdef1",
        );
        const none: StatusReport = {
            stack: "dev",
            cluster: "shop-dev",
            services: [
                { service: "api", serviceName: "shop-dev-api", stackTaskDefinition: "shop-dev-api:1", matchesStack: false, counts: { desired: 0, running: 0, pending: 0 }, deployments: [] },
                { service: "web", serviceName: "shop-dev-web", stackTaskDefinition: "shop-dev-web:3", matchesStack: true, counts: { desired: 1, running: 1, pending: 0 }, deployments: [], targets: { healthy: 0, total: 1, states: { unhealthy: 1 } } },
            ],
        };
        expect(renderStatus(none)).to.equal(
            [
                "### berth status — stack `dev`",
                "",
                "cluster `shop-dev` · no release recorded",
                "",
                HEADER,
                "| api | none (stack: shop-dev-api:1) | 0/0, 0 | — | — | — |",
                "| web | shop-dev-web:3 | 1/1, 0 | — | 0/1 | — |",
                "",
            ].join("\n"),
        );
    });
});
