// A loopback stand-in for GitHub's issue-comments API on acme/shop#7: list with Link-header pagination,
// create, update, and a forced refusal (403/404). Records each call as "METHOD /path".
import * as http from "http";
import type { AddressInfo } from "net";

export interface Comment {
    id: number;
    body: string;
    html_url: string;
}

export interface FakeGitHub {
    baseUrl: string;
    calls: string[];
    close: () => Promise<void>;
}

export function fakeGitHub(options: { comments: Comment[]; pageSize?: number; deny?: number; firstId?: number }): Promise<FakeGitHub> {
    const calls: string[] = [];
    let nextId = options.firstId ?? 500;
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://127.0.0.1");
        calls.push(`${req.method} ${url.pathname}`);
        let raw = "";
        req.on("data", (c) => (raw += c));
        req.on("end", () => {
            const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
                res.writeHead(status, { "content-type": "application/json", ...headers });
                res.end(JSON.stringify(body));
            };
            if (options.deny) return send(options.deny, { message: options.deny === 403 ? "Resource not accessible by integration" : "Not Found" });
            const list = url.pathname === "/repos/acme/shop/issues/7/comments";
            const one = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(url.pathname);
            if (list && req.method === "GET") {
                const size = options.pageSize ?? 30;
                const page = Number(url.searchParams.get("page") ?? "1");
                const last = Math.max(1, Math.ceil(options.comments.length / size));
                const headers: Record<string, string> = {};
                if (page < last) headers.link = `<http://${req.headers.host}${url.pathname}?per_page=100&page=${page + 1}>; rel="next", <http://${req.headers.host}${url.pathname}?per_page=100&page=${last}>; rel="last"`;
                return send(200, options.comments.slice((page - 1) * size, page * size), headers);
            }
            if (list && req.method === "POST") {
                const id = nextId++;
                const c = { id, body: JSON.parse(raw).body, html_url: `https://github.example/acme/shop/pull/7#issuecomment-${id}` };
                options.comments.push(c);
                return send(201, c);
            }
            if (one && req.method === "PATCH") {
                const c = options.comments.find((x) => x.id === Number(one[1]));
                if (!c) return send(404, { message: "Not Found" });
                c.body = JSON.parse(raw).body;
                return send(200, c);
            }
            send(404, { message: "Not Found" });
        });
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ baseUrl: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) });
        }),
    );
}
