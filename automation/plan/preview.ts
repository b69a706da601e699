// A Pulumi preview as a pull-request comment: counts, changes grouped by berth component, stateful
// replacements flagged first, property diffs collapsed, trimmed to GitHub's comment limit. Pure.
import { strategyName, type RolloutPlan } from "./deployments";
import type { CommentTarget } from "../ports";
import type { EngineEvent, StepMetadata } from "../ports";

/** GitHub rejects comment bodies over 65,536 characters; stay under it like pulumi/actions (64,000). */
export const COMMENT_LIMIT = 64_000;

/** Resource types that hold data: replacing or deleting one loses it. */
export const STATEFUL_TYPES = [
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:ecr/repository:Repository",
    "aws:secretsmanager/secret:Secret",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:dynamodb/table:Table",
];

const COUNTED = ["create", "update", "replace", "delete"] as const;
type Counted = (typeof COUNTED)[number];

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    op: Counted;
    /** The berth component (top-level ComponentResource) it belongs to, or "(stack)". */
    component: string;
    diffs: string[];
    /** Properties whose change forces the replacement, when the engine says so. */
    replaceReasons: string[];
    stateful: boolean;
}

export interface PreviewSummary {
    counts: Record<Counted | "same", number>;
    changes: ResourceChange[];
    /** Stateful resources that would be replaced or deleted. */
    dangerous: ResourceChange[];
}

function opOf(op: string): Counted | "same" | undefined {
    if (op === "create" || op === "update" || op === "delete" || op === "same") return op;
    if (op === "replace") return "replace";
    // create-replacement / delete-replaced accompany a "replace" step: counted once, there.
    return undefined;
}

function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** The qualified type chain of a URN: `berth:service:Service$aws:ecs/service:Service`. */
function typeChain(urn: string): string[] {
    return (urn.split("::")[2] ?? "").split("$");
}

/** Summarises a preview's engine events. */
export function summarizePreview(events: readonly EngineEvent[]): PreviewSummary {
    const steps = new Map<string, StepMetadata>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (m && opOf(m.op) !== undefined) steps.set(m.urn, m);
    }
    // Components are known by their own step: a top-level `berth:*` resource.
    const components = [...steps.values()]
        .filter((m) => typeChain(m.urn).length === 1 && m.type.startsWith("berth:"))
        .map((m) => nameOf(m.urn))
        .sort((a, b) => b.length - a.length);
    const componentOf = (m: StepMetadata): string => {
        const chain = typeChain(m.urn);
        if (chain.length === 1) return m.type.startsWith("berth:") ? nameOf(m.urn) : "(stack)";
        // Children are named `${component}-…` (house style), so the longest matching prefix is the owner.
        return components.find((c) => nameOf(m.urn).startsWith(`${c}-`)) ?? chain[0];
    };

    const counts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    const changes: ResourceChange[] = [];
    for (const m of steps.values()) {
        const op = opOf(m.op)!;
        counts[op] += 1;
        if (op === "same" || m.type.startsWith("berth:") || m.type.startsWith("pulumi:")) continue;
        const detailed = m.detailedDiff ?? {};
        changes.push({
            urn: m.urn,
            type: m.type,
            name: nameOf(m.urn),
            op,
            component: componentOf(m),
            diffs: [...(m.diffs ?? Object.keys(detailed))].sort(),
            replaceReasons: Object.entries(detailed)
                .filter(([, d]) => d.diffKind.endsWith("-replace"))
                .map(([k]) => k)
                .sort(),
            stateful: STATEFUL_TYPES.includes(m.type),
        });
    }
    const summaryEvent = events.find((e) => e.summaryEvent)?.summaryEvent;
    if (summaryEvent) for (const k of [...COUNTED, "same"] as const) counts[k] = summaryEvent.resourceChanges[k] ?? counts[k];
    changes.sort((a, b) => a.component.localeCompare(b.component) || a.name.localeCompare(b.name));
    const dangerous = changes.filter((c) => c.stateful && (c.op === "replace" || c.op === "delete"));
    return { counts, changes, dangerous };
}

export interface ReleasePreview {
    /** Services that would get a new image from this commit, by rollout level. */
    levels: string[][];
    migration: boolean;
    /** service → how its deployment would run (strategy, test traffic, berth's verdict, bake, who decides). */
    rollouts?: Record<string, RolloutPlan>;
}

export interface PreviewComment {
    stack: string;
    summary: PreviewSummary;
    release?: ReleasePreview;
    /** The monthly cost section (Markdown lines), when the cost was estimated. */
    cost?: string[];
    /** Where the untrimmed text is (job log, artifact), named when the comment must be cut. */
    fullTextAt: string;
    limit?: number;
}

/** The hidden marker that identifies this stack's comment for upserts. */
export function commentMarker(stack: string): string {
    return `<!-- berth-preview stack=${stack} -->`;
}

const ICON: Record<Counted, string> = { create: "+", update: "~", replace: "±", delete: "-" };

function changeBlock(c: ResourceChange): string {
    const title = `${ICON[c.op]} ${c.op} <code>${c.name}</code> (${c.type})`;
    if (c.diffs.length === 0) return `- ${title}`;
    const reasons = c.replaceReasons.length ? `<br>replaced because of: ${c.replaceReasons.map((r) => `<code>${r}</code>`).join(", ")}` : "";
    return `- <details><summary>${title}</summary>changed: ${c.diffs.map((d) => `<code>${d}</code>`).join(", ")}${reasons}</details>`;
}

/** Renders the comment body; when over the limit, drops change details from the end and says so. */
export function renderPreviewComment(input: PreviewComment): string {
    const limit = input.limit ?? COMMENT_LIMIT;
    const { summary, stack } = input;
    const c = summary.counts;
    const head: string[] = [commentMarker(stack), `### berth preview — stack \`${stack}\``, ""];
    if (summary.dangerous.length > 0) {
        head.push(`> [!CAUTION]`, `> ${summary.dangerous.length} stateful resource(s) would be replaced or deleted — their data would be lost:`);
        for (const d of summary.dangerous) head.push(`> - **${d.op}** \`${d.name}\` (${d.type})${d.replaceReasons.length ? ` because of ${d.replaceReasons.join(", ")}` : ""}`);
        head.push("");
    }
    head.push(`| create | update | replace | delete | unchanged |`, `|---:|---:|---:|---:|---:|`, `| ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} |`, "");
    if (input.release) {
        const r = input.release;
        head.push("**Release from this commit**");
        if (r.levels.length === 0) head.push("", "No service would get a new image.");
        else head.push("", ...r.levels.map((l, i) => `${i + 1}. ${l.join(", ")}`));
        head.push("", `Migration: ${r.migration ? "would run before the rollout" : "none"}`, "");
        const planned = Object.entries(r.rollouts ?? {});
        if (planned.some(([, p]) => p.strategy !== "rolling")) {
            head.push("| service | strategy | test traffic | test verdict | bake | decided by |", "|---|---|---|---|---|---|");
            for (const [service, p] of planned) head.push(`| ${service} | ${strategyName(p.strategy)} | ${p.testTraffic} | ${p.verdict} | ${p.bake} | ${p.decidedBy} |`);
            head.push("");
        }
    }
    if (input.cost) head.push(...input.cost);
    if (summary.changes.length === 0) head.push("No infrastructure changes.");

    const sections: string[] = [];
    const byComponent = new Map<string, ResourceChange[]>();
    for (const ch of summary.changes) byComponent.set(ch.component, [...(byComponent.get(ch.component) ?? []), ch]);
    for (const [component, list] of byComponent) sections.push(`#### ${component} (${list.length})\n${list.map(changeBlock).join("\n")}`);

    const full = [...head, ...sections].join("\n");
    if (full.length <= limit) return full;
    const kept: string[] = [];
    let size = head.join("\n").length;
    const reserve = 300;
    let cut = 0;
    for (const s of sections) {
        if (size + s.length + 1 + reserve > limit) {
            cut += 1;
            continue;
        }
        kept.push(s);
        size += s.length + 1;
    }
    const note = `\n_Trimmed to GitHub's comment limit: ${cut} of ${sections.length} component section(s) left out. The full preview is in ${input.fullTextAt}._`;
    return [...head, ...kept].join("\n") + note;
}

/** The pull request a GitHub Actions run is about, from its event payload; undefined outside a PR. */
export function pullRequestFromEvent(env: NodeJS.ProcessEnv, readEvent: (path: string) => string): CommentTarget | undefined {
    const repository = env.GITHUB_REPOSITORY;
    const eventPath = env.GITHUB_EVENT_PATH;
    if (!repository || !eventPath || !env.GITHUB_EVENT_NAME?.startsWith("pull_request")) return undefined;
    const event = JSON.parse(readEvent(eventPath)) as { pull_request?: { number?: number }; number?: number };
    const number = event.pull_request?.number ?? event.number;
    if (!number) return undefined;
    const [owner, repo] = repository.split("/");
    return { owner, repo, issueNumber: number };
}
