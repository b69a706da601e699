// Parses Mermaid text with the real `mermaid` package, offline under Node: its gantt parser sanitises text with
// DOMPurify, which needs a DOM, so a jsdom window is installed before mermaid loads. Flowcharts need none.

// Minimal local types: mermaid's and jsdom's own declarations pull in the DOM lib, whose fetch types clash with Node's.
interface Mermaid {
    initialize(config: { startOnLoad: boolean }): void;
    parse(text: string): Promise<{ diagramType: string } | false>;
    mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: unknown }> };
}
interface JsdomModule {
    JSDOM: new (html: string) => { window: { document: unknown } };
}

/**
 * jsdom brings its own undici, which installs itself as the process's global fetch dispatcher when it loads — unless
 * Node's own fetch has installed one first. jsdom's undici refuses requests Node's fetch sends (a POST with
 * `Content-Length: 0` and no body), so every later test using fetch would break. One fetch of a data: URL makes Node
 * install its dispatcher first; it is put back should jsdom replace it anyway.
 */
async function jsdom(): Promise<JsdomModule> {
    await fetch("data:,berth");
    const key = Symbol.for("undici.globalDispatcher.1");
    const g = globalThis as unknown as Record<symbol, unknown>;
    const before = g[key];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require("jsdom") as JsdomModule;
    g[key] = before;
    return module;
}

/** A gantt task as mermaid's own gantt database computes it (dates resolved, tags read). */
export interface GanttTask {
    section: string;
    task: string;
    id: string;
    startTime: Date;
    endTime: Date;
    crit: boolean;
    done: boolean;
    active: boolean;
}

let loading: Promise<Mermaid> | undefined;

function load(): Promise<Mermaid> {
    if (!loading) {
        loading = (async () => {
            const { JSDOM } = await jsdom();
            const dom = new JSDOM("<!doctype html><html><body></body></html>");
            const g = globalThis as Record<string, unknown>;
            // DOMPurify (imported by mermaid) decides at load time whether a window exists.
            if (g.window === undefined) g.window = dom.window;
            if (g.document === undefined) g.document = dom.window.document;
            // mermaid is ESM-only with top-level await: load it with a real dynamic import, not a transpiled require.
            const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<{ default: Mermaid }>;
            const m = await importEsm("mermaid");
            m.default.initialize({ startOnLoad: false });
            return m.default;
        })();
    }
    return loading;
}

/** The diagram type mermaid recognises; throws mermaid's parse error for text it rejects. */
export async function parseMermaid(text: string): Promise<string> {
    const mermaid = await load();
    const result = await mermaid.parse(text);
    if (!result) throw new Error("mermaid.parse returned false");
    return result.diagramType;
}

/** Parses a gantt chart and returns its tasks as mermaid resolves them (sections, ids, start and end times, tags). */
export async function ganttTasks(text: string): Promise<GanttTask[]> {
    const mermaid = await load();
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db as unknown as { getTasks(): Array<Record<string, unknown>> };
    return db.getTasks().map((t) => ({
        section: String(t.section),
        task: String(t.task),
        id: String(t.id),
        startTime: t.startTime as Date,
        endTime: t.endTime as Date,
        crit: Boolean(t.crit),
        done: Boolean(t.done),
        active: Boolean(t.active),
    }));
}
