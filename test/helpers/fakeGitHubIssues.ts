// A loopback stand-in for GitHub's issues API on acme/shop, unkind where GitHub is: the list endpoint pages with
// Link headers, returns pull requests among the issues, filters by every listed label and by state; create,
// update (PATCH) and comment; 401 for a wrong token, 404 for another repository or an unknown issue.
import * as http from "http";
import type { AddressInfo } from "net";

export interface FakeIssue {
    number: number;
    title: string;
    body: string;
    state: "open" | "closed";
    state_reason?: string | null;
    labels: string[];
    /** Present on pull requests, which the issues API lists too. */
    pull_request?: { url: string };
    comments: string[];
}

export interface FakeGitHubIssues {
    baseUrl: string;
    calls: string[];
    issues: FakeIssue[];
    close: () => Promise<void>;
}

export function fakeGitHubIssues(options: { issues: FakeIssue[]; pageSize?: number; token?: string }): Promise<FakeGitHubIssues> {
    const calls: string[] = [];
    const issues = options.issues;
    const view = (i: FakeIssue, host: string) => ({
        number: i.number,
        title: i.title,
        body: i.body,
        state: i.state,
        state_reason: i.state_reason ?? null,
        labels: i.labels.map((name) => ({ name })),
        html_url: `https://github.example/acme/shop/issues/${i.number}`,
        url: `http://${host}/repos/acme/shop/issues/${i.number}`,
        ...(i.pull_request ? { pull_request: i.pull_request } : {}),
    });
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://127.0.0.1");
        calls.push(`${req.method} ${url.pathname}${url.searchParams.has("labels") ? `?labels=${url.searchParams.get("labels")}&state=${url.searchParams.get("state")}` : ""}`);
        let raw = "";
        req.on("data", (c) => (raw += c));
        req.on("end", () => {
            const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
                res.writeHead(status, { "content-type": "application/json", ...headers });
                res.end(JSON.stringify(body));
            };
            if (options.token && req.headers.authorization !== `token ${options.token}`) return send(401, { message: "Bad credentials" });
            const host = req.headers.host!;
            if (!url.pathname.startsWith("/repos/acme/shop/")) return send(404, { message: "Not Found" });
            const rest = url.pathname.slice("/repos/acme/shop".length);
            const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
            if (rest === "/issues" && req.method === "GET") {
                const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
                const state = url.searchParams.get("state") ?? "open";
                const matching = issues.filter((i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)));
                const size = options.pageSize ?? 30;
                const page = Number(url.searchParams.get("page") ?? "1");
                const last = Math.max(1, Math.ceil(matching.length / size));
                const headers: Record<string, string> = {};
                if (page < last) {
                    const next = new URL(url.toString());
                    next.searchParams.set("page", String(page + 1));
                    headers.link = `<http://${host}${next.pathname}${next.search}>; rel="next"`;
                }
                return send(200, matching.slice((page - 1) * size, page * size).map((i) => view(i, host)), headers);
            }
            if (rest === "/issues" && req.method === "POST") {
                const issue: FakeIssue = { number: Math.max(0, ...issues.map((i) => i.number)) + 1, title: String(body.title), body: String(body.body ?? ""), state: "open", labels: (body.labels as string[]) ?? [], comments: [] };
                issues.push(issue);
                return send(201, view(issue, host));
            }
            const one = /^\/issues\/(\d+)(\/comments)?$/.exec(rest);
            const issue = one ? issues.find((i) => i.number === Number(one[1])) : undefined;
            if (!one || !issue) return send(404, { message: "Not Found" });
            if (one[2] && req.method === "POST") {
                issue.comments.push(String(body.body));
                return send(201, { id: issue.comments.length, body: body.body });
            }
            if (!one[2] && req.method === "PATCH") {
                if (typeof body.body === "string") issue.body = body.body;
                if (body.state === "open" || body.state === "closed") issue.state = body.state;
                if (body.state_reason !== undefined) issue.state_reason = body.state_reason as string;
                return send(200, view(issue, host));
            }
            send(404, { message: "Not Found" });
        });
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ baseUrl: `http://127.0.0.1:${port}`, calls, issues, close: () => new Promise((r) => server.close(() => r())) });
        }),
    );
}
