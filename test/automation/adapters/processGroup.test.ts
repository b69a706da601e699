// Ctrl-C in a terminal signals the whole foreground process group. The `pulumi` child must get exactly one
// SIGINT — the one berth sends through the SDK's abort — or the CLI takes the second as "terminate now".
// A real process-group signal on a real process tree: berth (ts-node) → the scripted fake pulumi.
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const FAKE_DIR = path.resolve(__dirname, "../../fixtures/fake-pulumi");
const ROOT = path.resolve(__dirname, "../../..");
const pre = (name: string) => ({ resourcePreEvent: { metadata: { op: "update", urn: `urn:pulumi:dev::berth::aws:ecs/service:Service::${name}`, type: "aws:ecs/service:Service" } } });
const done = (name: string) => ({ resOutputsEvent: { metadata: pre(name).resourcePreEvent.metadata } });

describe("Ctrl-C reaches the process group: the pulumi child is interrupted once, by berth", function () {
    this.timeout(60_000);
    let root: string;
    beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "berth-pgrp-"))));
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("F13: a SIGINT to berth's whole process group reaches the pulumi CLI once (graceful stop, not terminate-now)", async () => {
        const project = path.join(root, "project");
        const state = path.join(root, "state");
        fs.mkdirSync(project);
        fs.mkdirSync(state);
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: berth\nruntime: nodejs\n");
        const scenario = path.join(root, "scenario.json");
        fs.writeFileSync(scenario, JSON.stringify({ up: { events: [pre("a"), done("a"), pre("b"), done("b"), pre("c"), done("c")], delayMs: 300 } }));
        // berth leads its own group here (as a shell's foreground job does), so the group signal spares mocha.
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(FAKE_DIR, "interruptibleUp.ts"), project], {
            cwd: ROOT,
            detached: true,
            env: { ...process.env, PATH: `${FAKE_DIR}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_STATE: state, FAKE_PULUMI_SCENARIO: scenario },
            stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
        await new Promise<void>((resolve) =>
            child.stdout.on("data", (d: Buffer) => {
                out += d.toString();
                if (out.includes("rolling\n")) resolve();
            }),
        );
        process.kill(-child.pid!, "SIGINT"); // what the terminal does on Ctrl-C
        await exited;
        expect(out).to.equal("rolling\nAbortError\n");
        const signals = fs
            .readFileSync(path.join(state, "invocations.jsonl"), "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line))
            .filter((e) => e.signal);
        expect(signals).to.deep.equal([{ signal: "SIGINT", command: "up" }]);
    });
});
