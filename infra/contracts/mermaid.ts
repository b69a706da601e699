// The Mermaid text berth draws — the release gantt chart, the preview's and synth's rollout flowcharts — and
// what must be escaped in it, in one place: GitHub renders these blocks and one bad name breaks the picture.

/**
 * Words gantt's lexer (mermaid 11, ganttDiagram jison) takes for a statement when a line starts with them,
 * case-insensitively: a service called `gantt-api` or `click` would end the chart with a parse error.
 */
const GANTT_STATEMENT = /^(gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|accdescr|acctitle|accdescription|section|click|call|href|\d{4}-\d{2}-\d{2})/i;

/**
 * A gantt task name: `:` starts the task data, `#` and `;` end it, `%` starts a comment and a line break ends the
 * task, so those become spaces; a name that begins like a statement gets a `› ` in front.
 */
export function ganttTaskName(text: string): string {
    const cleaned = text
        .replace(/[:;#%\r\n]+/g, " ")
        .replace(/\s+/g, " ")
        .trim();
    if (cleaned === "") return "(unnamed)";
    return GANTT_STATEMENT.test(cleaned) ? `› ${cleaned}` : cleaned;
}

/** A section title or chart title: free text up to the end of the line. */
function lineText(text: string): string {
    return text.replace(/[\r\n]+/g, " ").trim();
}

export type GanttMark = "done" | "crit" | "active";

export interface GanttTask {
    name: string;
    /** Unique within the chart: letters, digits, underscores. */
    id: string;
    /** Unix milliseconds. */
    start: number;
    end: number;
    marks: GanttMark[];
}

export interface GanttSection {
    name: string;
    tasks: GanttTask[];
}

/** `2026-03-14T09:15:02`, UTC, whole seconds: the chart's dateFormat. */
function ganttTime(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

/**
 * A gantt chart: times in UTC to the second (`dateFormat YYYY-MM-DDTHH:mm:ss`), the axis as clock time, no
 * "today" line (a release chart is read later). Sections without tasks are left out.
 */
export function ganttChart(title: string, sections: readonly GanttSection[]): string {
    const lines = ["gantt", `    title ${lineText(title)}`, "    dateFormat YYYY-MM-DDTHH:mm:ss", "    axisFormat %H:%M:%S", "    todayMarker off"];
    for (const section of sections) {
        if (section.tasks.length === 0) continue;
        lines.push(`    section ${lineText(section.name)}`);
        for (const t of section.tasks) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.id)) throw new Error(`gantt task id ${JSON.stringify(t.id)} is not a plain identifier`);
            const data = [...t.marks, t.id, ganttTime(t.start), ganttTime(Math.max(t.end, t.start))].join(", ");
            lines.push(`    ${ganttTaskName(t.name)} :${data}`);
        }
    }
    return lines.join("\n");
}

/** A flowchart node label, always quoted: `"` becomes `#quot;` (Mermaid's entity), line breaks become spaces. */
export function flowchartLabel(text: string): string {
    return `"${lineText(text).replace(/"/g, "#quot;")}"`;
}

export interface RolloutGraph {
    /** Services by rollout level, level 1 first. */
    levels: readonly (readonly string[])[];
    /** service → the services it waits for (its incoming edges). */
    waitsFor: Readonly<Record<string, readonly string[]>>;
    /** Services marked as rolling (a release from this commit would give them a new image); undefined = mark none. */
    rolling?: readonly string[];
    /** The migration, drawn before level 1: its label (e.g. "migration (payments image)"); undefined = none. */
    migration?: string;
}

/**
 * The rollout graph as a flowchart: one subgraph per level, an edge from each service to those waiting for it,
 * the migration before the first level. Node ids are generated (`s0`, `s1`, …): names such as `end` or `graph`
 * are keywords in flowchart syntax, so names appear only as quoted labels.
 */
export function rolloutFlowchart(graph: RolloutGraph): string {
    const ids = new Map<string, string>();
    graph.levels.flat().forEach((name, i) => ids.set(name, `s${i}`));
    const lines = ["flowchart LR"];
    if (graph.migration !== undefined) lines.push(`    migration[[${flowchartLabel(graph.migration)}]]`);
    graph.levels.forEach((level, i) => {
        lines.push(`    subgraph L${i + 1}[${flowchartLabel(`level ${i + 1}`)}]`);
        for (const name of level) lines.push(`        ${ids.get(name)}[${flowchartLabel(name)}]`);
        lines.push("    end");
    });
    if (graph.migration !== undefined && graph.levels.length > 0) lines.push("    migration --> L1");
    for (const name of graph.levels.flat()) {
        for (const dep of graph.waitsFor[name] ?? []) {
            const from = ids.get(dep);
            if (from) lines.push(`    ${from} --> ${ids.get(name)}`);
        }
    }
    if (graph.rolling !== undefined) {
        const rolling = graph.levels.flat().filter((n) => graph.rolling!.includes(n));
        lines.push("    classDef rolls fill:#fff3bf,stroke:#f08c00,stroke-width:2px");
        if (graph.migration !== undefined) lines.push("    classDef migrates fill:#e7f5ff,stroke:#1c7ed6,stroke-width:2px", "    class migration migrates");
        if (rolling.length > 0) lines.push(`    class ${rolling.map((n) => ids.get(n)).join(",")} rolls`);
    } else if (graph.migration !== undefined) {
        lines.push("    classDef migrates fill:#e7f5ff,stroke:#1c7ed6,stroke-width:2px", "    class migration migrates");
    }
    return lines.join("\n");
}

/** A fenced block GitHub renders as a picture. */
export function mermaidBlock(text: string): string {
    return `\`\`\`mermaid\n${text}\n\`\`\``;
}
