// One Ctrl-C, one graceful stop: a terminal's Ctrl-C reaches berth twice under `npm run` (the terminal's SIGINT
// to the foreground process group, and the copy npm's run-script forwards to its child). Pure part on an injected
// clock; then a real process-group SIGINT to a real `npm run preview` over the scripted fake pulumi.
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DUPLICATE_INTERRUPT_WINDOW_MS, listenForInterrupt } from "../../automation/interrupt";

const GRACEFUL = "\nInterrupted: stopping gracefully — the operations in flight finish, then berth reports what runs now. Press Ctrl-C again to exit at once.\n";
const AT_ONCE = "\nSecond interrupt: exiting now without waiting. The stack may have pending operations: run `pulumi refresh --stack dev`, then `npm run status -- --stack dev`.\n";

describe("Ctrl-C handling (listenForInterrupt)", () => {
    let unhook: () => void = () => undefined;
    afterEach(() => unhook());

    function listen() {
        const controller = new AbortController();
        const stderr: string[] = [];
        const exits: number[] = [];
        let now = 1_000;
        unhook = listenForInterrupt(controller, "dev", (t) => stderr.push(t), { now: () => now, exit: (code) => exits.push(code) });
        return { controller, stderr, exits, advance: (ms: number) => (now += ms) };
    }

    it("F13: the two SIGINTs of one Ctrl-C under npm run are one graceful stop, not an exit", () => {
        const l = listen();
        process.emit("SIGINT", "SIGINT");
        l.advance(3);
        process.emit("SIGINT", "SIGINT");
        l.advance(DUPLICATE_INTERRUPT_WINDOW_MS - 4);
        process.emit("SIGINT", "SIGINT");
        expect(l.controller.signal.aborted).to.equal(true);
        expect(l.stderr).to.deep.equal([GRACEFUL]);
        expect(l.exits).to.deep.equal([]);
    });

    it("F13: a deliberate second Ctrl-C (after the duplicate window) exits at once with INTERRUPTED (2)", () => {
        const l = listen();
        process.emit("SIGINT", "SIGINT");
        l.advance(DUPLICATE_INTERRUPT_WINDOW_MS);
        process.emit("SIGINT", "SIGINT");
        expect(l.stderr).to.deep.equal([GRACEFUL, AT_ONCE]);
        expect(l.exits).to.deep.equal([2]);
    });

    it("after the unhook a SIGINT no longer reaches the controller", () => {
        const l = listen();
        unhook();
        const keep = () => undefined; // a listener of our own, so Node's default (exit) does not apply
        process.on("SIGINT", keep);
        process.emit("SIGINT", "SIGINT");
        process.off("SIGINT", keep);
        expect(l.controller.signal.aborted).to.equal(false);
    });
});

describe("Ctrl-C through `npm run` (a real process-group SIGINT)", function () {
    this.timeout(90_000);
    const ROOT = path.resolve(__dirname, "../..");
    const FAKE_DIR = path.join(ROOT, "test/fixtures/fake-pulumi");
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-npm-int-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("F13: `npm run preview` ends with berth's exit code (2, not 130), after a graceful stop; pulumi gets one SIGINT", async () => {
        const state = path.join(dir, "state");
        fs.mkdirSync(state);
        const meta = (name: string) => ({ op: "update", urn: `urn:pulumi:dev::berth::aws:ecs/service:Service::${name}`, type: "aws:ecs/service:Service" });
        const events = ["a", "b", "c", "d"].flatMap((n) => [{ resourcePreEvent: { metadata: meta(n) } }, { resOutputsEvent: { metadata: meta(n) } }]);
        const scenario = path.join(dir, "scenario.json");
        fs.writeFileSync(scenario, JSON.stringify({ preview: { events, delayMs: 750 } }));
        const invocations = path.join(state, "invocations.jsonl");
        // npm leads its own process group here, as a shell's foreground job does, so the group signal spares mocha.
        const npm = spawn("npm", ["run", "--silent", "preview", "--", "--stack", "dev", "--output-dir", dir], {
            cwd: ROOT,
            detached: true,
            env: { ...process.env, PATH: `${FAKE_DIR}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_STATE: state, FAKE_PULUMI_SCENARIO: scenario },
            stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        npm.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => npm.on("close", (code, signal) => resolve([code, signal])));
        // The fake CLI logs its operation config right before it takes SIGINT as a graceful stop: it is mid-preview.
        await new Promise<void>((resolve, reject) => {
            const poll = setInterval(() => {
                if (npm.exitCode !== null) {
                    clearInterval(poll);
                    reject(new Error(`npm ended early: ${stderr}`));
                } else if (fs.existsSync(invocations) && fs.readFileSync(invocations, "utf8").includes('"command":"preview"')) {
                    clearInterval(poll);
                    resolve();
                }
            }, 50);
        });
        process.kill(-npm.pid!, "SIGINT"); // what the terminal does on Ctrl-C
        const [code, signal] = await exited;
        expect({ code, signal }).to.deep.equal({ code: 2, signal: null });
        expect(stderr).to.include(GRACEFUL);
        expect(stderr).not.to.include("Second interrupt");
        expect(stderr).to.include("berth preview: pulumi preview on stack dev was interrupted and stopped gracefully (no forced cancel)");
        const signals = fs
            .readFileSync(invocations, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line))
            .filter((e) => e.signal);
        expect(signals).to.deep.equal([{ signal: "SIGINT", command: "preview" }]);
    });
});
