import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { OciRegistry } from "../../../automation/adapters/ociRegistry";
import { FakeClock } from "../fakes/world";

describe("OciRegistry retries (real loopback server, virtual clock)", () => {
    let server: http.Server;
    let registry: string;
    let busyAnswers = 0;
    const seen: string[] = [];
    const digest = `sha256:${"d".repeat(64)}`;

    before(async () => {
        server = http.createServer((req, res) => {
            seen.push(`${req.method} ${req.url}`);
            if (busyAnswers > 0) {
                busyAnswers--;
                return void res.writeHead(503).end("busy");
            }
            if (req.url === "/v2/api/manifests/t1") return void res.writeHead(200, { "Docker-Content-Digest": digest }).end();
            res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    beforeEach(() => (seen.length = 0));
    after(() => {
        server.closeAllConnections();
        server.close();
    });

    function oci() {
        const clock = new FakeClock(0);
        const lines: string[] = [];
        return { clock, lines, registry: new OciRegistry({ registry, scheme: "http", clock, attempts: 3, progress: (l) => lines.push(l) }) };
    }

    it("asks again when the registry answers busy (503), on the injected clock, with a line per retry", async () => {
        busyAnswers = 2;
        const { registry: r, clock, lines } = oci();
        expect(await r.digestOf("api", "t1")).to.equal(digest);
        expect(seen).to.deep.equal(Array(3).fill("HEAD /v2/api/manifests/t1"));
        expect(clock.now()).to.equal(500 + 1_000);
        expect(lines).to.deep.equal([
            `retrying HEAD http://${registry}/v2/api/manifests/t1 (attempt 2/3): answered 503`,
            `retrying HEAD http://${registry}/v2/api/manifests/t1 (attempt 3/3): answered 503`,
        ]);
    });

    it("still busy after the last attempt: the status is reported like any other answer", async () => {
        busyAnswers = 3;
        const failure = await oci().registry.digestOf("api", "t1").catch((e: Error) => e);
        expect((failure as Error).message).to.equal(`HEAD http://${registry}/v2/api/manifests/t1 answered 503`);
        expect(seen).to.have.length(3);
    });

    it("a definite answer (404: no such tag) is not asked again", async () => {
        expect(await oci().registry.digestOf("api", "missing")).to.equal(undefined);
        expect(seen).to.deep.equal(["HEAD /v2/api/manifests/missing"]);
    });
});
