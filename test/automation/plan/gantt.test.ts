// The release report's Mermaid gantt chart: exact text, and the same text read back by the real mermaid parser.
import { expect } from "chai";
import { releaseGantt, renderMarkdown, type ReleaseRecord } from "../../../automation/plan/report";
import { ganttChart, ganttTaskName } from "../../../infra/contracts/mermaid";
import { releaseRecord } from "../../helpers/releaseRecord";
import { ganttTasks, parseMermaid } from "../../helpers/mermaid";

const at = (hms: string) => `2026-03-14T${hms}.000Z`;
const span = (start: string, end: string | undefined, state: "stable" | "failed" | "rolling") => ({ startedAt: at(start), ...(end ? { finishedAt: at(end) } : {}), state });
const svc = (name: string, o: Partial<ReleaseRecord["services"][number]> = {}): ReleaseRecord["services"][number] => ({ name, changed: true, reason: "context changed", action: "build", ...o });

/** A release whose orders update failed: build, migration, a rollout with a failure, the rollback of both services. */
const rolledBack = releaseRecord("ROLLED_BACK", {
    startedAt: at("09:15:02"),
    finishedAt: at("09:21:40"),
    stages: [
        { name: "plan", outcome: "ok", startedAt: at("09:15:02"), durationMs: 800 },
        { name: "build", outcome: "ok", startedAt: "2026-03-14T09:15:02.800Z", durationMs: 61_200 },
        { name: "prepare", outcome: "ok", startedAt: at("09:16:04"), durationMs: 20_000 },
        { name: "migrate", outcome: "ok", startedAt: at("09:16:24"), durationMs: 35_000 },
        { name: "rollout", outcome: "failed", startedAt: at("09:16:59"), durationMs: 150_000 },
        { name: "rollback", outcome: "ok", startedAt: at("09:19:29"), durationMs: 131_000 },
    ],
    services: [
        svc("orders", { rolloutSpan: span("09:17:30", "09:19:29", "failed"), rollbackSpan: span("09:19:40", "09:21:10", "stable") }),
        svc("catalog", { rolloutSpan: span("09:17:00", "09:17:29", "stable"), rollbackSpan: span("09:19:30", "09:19:39", "stable") }),
        svc("search", { changed: false, reason: "unchanged", action: "none" }),
    ],
});

const ROLLED_BACK_GANTT = [
    "gantt",
    "    title release 20260314-091502-1a2b3c4 on dev: ROLLED_BACK (times in UTC)",
    "    dateFormat YYYY-MM-DDTHH:mm:ss",
    "    axisFormat %H:%M:%S",
    "    todayMarker off",
    "    section plan",
    "    plan and preflight :done, plan0, 2026-03-14T09:15:02, 2026-03-14T09:15:02",
    "    section build",
    "    build and push :done, build1, 2026-03-14T09:15:02, 2026-03-14T09:16:04",
    "    section migration",
    "    migration task definition :done, prepare2, 2026-03-14T09:16:04, 2026-03-14T09:16:24",
    "    migration task :done, migrate3, 2026-03-14T09:16:24, 2026-03-14T09:16:59",
    "    section rollout",
    "    catalog :done, rollout4_0, 2026-03-14T09:17:00, 2026-03-14T09:17:29",
    "    orders :crit, rollout4_1, 2026-03-14T09:17:30, 2026-03-14T09:19:29",
    "    section rollback",
    "    catalog :done, rollback5_0, 2026-03-14T09:19:30, 2026-03-14T09:19:39",
    "    orders :done, rollback5_1, 2026-03-14T09:19:40, 2026-03-14T09:21:10",
].join("\n");

/** mermaid's gantt parser reads the chart's dates in local time; so do these. */
const local = (hms: string) => new Date(`2026-03-14T${hms}`);

describe("plan/report: the release as a Mermaid gantt chart", function () {
    this.timeout(30_000); // the first mermaid load takes seconds

    it("draws each stage in order and each service's update from its start to stable or failed (engine times); failures crit", () => {
        expect(releaseGantt(rolledBack)).to.equal(ROLLED_BACK_GANTT);
    });

    it("mermaid parses the chart to the same sections, tasks, times and markers", async () => {
        const tasks = await ganttTasks(ROLLED_BACK_GANTT);
        expect(tasks.map((t) => [t.section, t.task.trim(), t.id, t.startTime.getTime(), t.endTime.getTime(), t.crit, t.done])).to.deep.equal([
            ["plan", "plan and preflight", "plan0", local("09:15:02").getTime(), local("09:15:02").getTime(), false, true],
            ["build", "build and push", "build1", local("09:15:02").getTime(), local("09:16:04").getTime(), false, true],
            ["migration", "migration task definition", "prepare2", local("09:16:04").getTime(), local("09:16:24").getTime(), false, true],
            ["migration", "migration task", "migrate3", local("09:16:24").getTime(), local("09:16:59").getTime(), false, true],
            ["rollout", "catalog", "rollout4_0", local("09:17:00").getTime(), local("09:17:29").getTime(), false, true],
            ["rollout", "orders", "rollout4_1", local("09:17:30").getTime(), local("09:19:29").getTime(), true, false],
            ["rollback", "catalog", "rollback5_0", local("09:19:30").getTime(), local("09:19:39").getTime(), false, true],
            ["rollback", "orders", "rollback5_1", local("09:19:40").getTime(), local("09:21:10").getTime(), false, true],
        ]);
    });

    it("the report carries the chart in a mermaid fence, after the stages line", () => {
        const md = renderMarkdown(rolledBack);
        expect(md).to.contain(`Stages: plan ok <1s · build ok 1m1s · prepare ok 20s · migrate ok 35s · rollout failed 2m30s · rollback ok 2m11s\n\n\`\`\`mermaid\n${ROLLED_BACK_GANTT}\n\`\`\`\n\nWhat runs now:`);
    });

    it("an interrupted update leaves the rolling service active until the stage ended; skipped stages are left out", () => {
        const gantt = releaseGantt(
            releaseRecord("INTERRUPTED", {
                stages: [
                    { name: "migrate", outcome: "skipped", startedAt: at("09:15:02"), durationMs: 0 },
                    { name: "rollout", outcome: "interrupted", startedAt: at("09:15:02"), durationMs: 30_000 },
                ],
                services: [svc("api", { rolloutSpan: span("09:15:10", undefined, "rolling") })],
            }),
        );
        expect(gantt!.split("\n").slice(5)).to.deep.equal(["    section rollout", "    api :active, rollout1_0, 2026-03-14T09:15:10, 2026-03-14T09:15:32"]);
    });

    it("a record written before stages had start times (today's shape) still draws: stages back to back from its start", () => {
        const gantt = releaseGantt(
            releaseRecord("RELEASED", {
                stages: [
                    { name: "build", outcome: "ok", durationMs: 61_000 },
                    { name: "rollout", outcome: "ok", durationMs: 102_000 },
                    { name: "verify", outcome: "failed", durationMs: 5_000 },
                ],
            }),
        );
        expect(gantt!.split("\n").slice(5)).to.deep.equal([
            "    section build",
            "    build and push :done, build0, 2026-03-14T09:15:02, 2026-03-14T09:16:03",
            "    section rollout",
            "    rollout update :done, rollout1, 2026-03-14T09:16:03, 2026-03-14T09:17:45",
            "    section verification",
            "    verify :crit, verify2, 2026-03-14T09:17:45, 2026-03-14T09:17:50",
        ]);
    });

    it("nothing to do draws nothing", () => {
        expect(releaseGantt(releaseRecord("NOTHING_TO_DO", { stages: [{ name: "plan", outcome: "ok", durationMs: 0 }] }))).to.equal(undefined);
    });
});

describe("contracts/mermaid: gantt task names", function () {
    this.timeout(30_000);
    const chart = (names: string[]) =>
        ganttChart(
            "t",
            [{ name: "rollout", tasks: names.map((name, i) => ({ name, id: `t${i}`, start: Date.parse(at("09:00:00")), end: Date.parse(at("09:00:30")), marks: ["done" as const] })) }],
        );
    // Valid service names (lower-case DNS labels) that start like a gantt statement, and characters that end a task.
    const hostile = ["gantt-api", "click", "section-a", "title-svc", "2026-01-01-jobs", "a:b;c#d%e", "line\nbreak"];

    it("the raw names break mermaid's gantt parser (why they are escaped)", async () => {
        for (const name of ["gantt-api", "click"]) {
            const raw = `gantt\n    dateFormat YYYY-MM-DDTHH:mm:ss\n    section s\n    ${name} :t0, 2026-03-14T09:00:00, 2026-03-14T09:00:30`;
            let failed = false;
            await parseMermaid(raw).catch(() => (failed = true));
            expect(failed, name).to.equal(true);
        }
    });

    it("escaped: statement words get a › prefix, task-data characters become spaces", () => {
        expect(hostile.map(ganttTaskName)).to.deep.equal(["› gantt-api", "› click", "› section-a", "› title-svc", "› 2026-01-01-jobs", "a b c d e", "line break"]);
        expect(ganttTaskName("")).to.equal("(unnamed)");
        expect(ganttTaskName("api-gateway")).to.equal("api-gateway");
    });

    it("mermaid reads every escaped name back as one task of its own", async () => {
        const tasks = await ganttTasks(chart(hostile));
        expect(tasks.map((t) => [t.task.trim(), t.id])).to.deep.equal(hostile.map((n, i) => [ganttTaskName(n), `t${i}`]));
    });

    it("rejects a task id that is not a plain identifier", () => {
        expect(() => ganttChart("t", [{ name: "s", tasks: [{ name: "x", id: "a b", start: 0, end: 0, marks: [] }] }])).to.throw('gantt task id "a b" is not a plain identifier');
    });
});
