// The monthly cost of a stack at a git revision, synthesized offline: the revision's own program and stack
// file (git archive into a temporary directory), run through its `infra/synth/cli.ts --json` in a child
// process, then priced with this checkout's price file. No cloud, no Pulumi CLI — so it works on fork PRs.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { costAssumptionsSchema, resolveCostAssumptions } from "../config/costAssumptions";
import { parseConfigValue } from "../config/pulumiConfig";
import { estimateCost, type CostEstimate, type CostResource } from "./estimate";
import { loadPriceFile } from "./priceFile";
import { loadProject } from "../synth/stackFiles";

export type RevisionCost = CostEstimate | { absent: string };

/** A revision's program could not be synthesized or priced: the preview says so and a cost check fails. */
export class RevisionCostError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RevisionCostError";
    }
}

function git(cwd: string, args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
    const r = spawnSync("git", args, { cwd, input, maxBuffer: 512 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? String(r.error ?? "") };
}

/** Extracts `revision`'s tree into a temporary directory; returns the project directory inside it. */
export function checkoutRevision(projectDir: string, revision: string): { root: string; project: string } {
    if (git(projectDir, ["cat-file", "-e", `${revision}^{commit}`]).status !== 0) {
        git(projectDir, ["fetch", "--no-tags", "--depth=1", "origin", revision]);
        if (git(projectDir, ["cat-file", "-e", `${revision}^{commit}`]).status !== 0) {
            throw new RevisionCostError(`the base commit ${revision} is not in this clone and could not be fetched: check out with fetch-depth: 0 (actions/checkout) or pass --base with a commit that is present`);
        }
    }
    const prefix = git(projectDir, ["rev-parse", "--show-prefix"]).stdout.toString().trim();
    const archive = git(projectDir, ["archive", "--format=tar", revision]);
    if (archive.status !== 0) throw new RevisionCostError(`git archive ${revision} failed: ${archive.stderr.trim()}`);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "berth-base-"));
    const tar = spawnSync("tar", ["-x", "-C", root], { input: archive.stdout, maxBuffer: 64 * 1024 * 1024 });
    if (tar.status !== 0) throw new RevisionCostError(`extracting ${revision} failed: ${tar.stderr?.toString().trim()}`);
    const project = path.join(root, prefix);
    // The revision's program runs with this checkout's dependencies (installing the base's would need a network).
    const modules = path.join(projectDir, "node_modules");
    if (!fs.existsSync(path.join(project, "node_modules")) && fs.existsSync(modules)) fs.symlinkSync(modules, path.join(project, "node_modules"), "dir");
    return { root, project };
}

/** Runs the project's own offline synth (`infra/synth/cli.ts --json`) in a child process. */
export function synthJson(project: string, stack: string, what: string): Promise<{ resources: CostResource[]; outputs: { region?: string } }> {
    const cli = path.join(project, "infra", "synth", "cli.ts");
    if (!fs.existsSync(cli)) return Promise.reject(new RevisionCostError(`${what} has no offline synth (infra/synth/cli.ts) to price`));
    const tsNode = require.resolve("ts-node/register/transpile-only");
    // stdout goes to a file, not a pipe: the synth CLI ends with process.exit, which cuts off a large piped
    // write (Node writes to pipes asynchronously, to files synchronously).
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-synth-"));
    const outFile = path.join(outDir, "synth.json");
    const fd = fs.openSync(outFile, "w");
    return new Promise<{ resources: CostResource[]; outputs: { region?: string } }>((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", tsNode, cli, "--stack", stack, "--json", "-C", project], { cwd: project, stdio: ["ignore", fd, "pipe"] });
        const err: Buffer[] = [];
        child.stderr!.on("data", (d: Buffer) => err.push(d));
        child.on("error", (e) => reject(new RevisionCostError(`synthesizing ${what} failed to start: ${e.message}`)));
        child.on("close", (code) => {
            if (code !== 0) {
                const tail = Buffer.concat(err).toString().trim().split("\n").slice(-5).join("\n");
                return reject(new RevisionCostError(`synthesizing stack ${stack} at ${what} failed (exit ${code}): ${tail}`));
            }
            try {
                resolve(JSON.parse(fs.readFileSync(outFile, "utf8")));
            } catch (e) {
                reject(new RevisionCostError(`synthesizing stack ${stack} at ${what} printed no JSON: ${(e as Error).message}`));
            }
        });
    }).finally(() => {
        fs.closeSync(fd);
        fs.rmSync(outDir, { recursive: true, force: true });
    });
}

/** The cost port of the preview: this checkout, or a base revision. */
export class GitRevisionCost {
    constructor(
        private readonly projectDir: string,
        private readonly stack: string,
        readonly base: string | undefined,
    ) {}

    async estimate(revision?: string): Promise<RevisionCost> {
        const what = revision ? `the base commit ${revision}` : "this commit";
        const checkout = revision ? checkoutRevision(this.projectDir, revision) : undefined;
        const project = checkout?.project ?? this.projectDir;
        try {
            if (!fs.existsSync(path.join(project, `Pulumi.${this.stack}.yaml`))) return { absent: `${what} has no Pulumi.${this.stack}.yaml (a new stack)` };
            const synthesized = await synthJson(project, this.stack, what);
            const raw = loadProject(project, this.stack).stackConfig.config["berth:costAssumptions"];
            const parsed = costAssumptionsSchema.optional().safeParse(raw === undefined ? undefined : parseConfigValue(raw));
            if (!parsed.success) throw new RevisionCostError(`berth:costAssumptions at ${what} is not valid: ${parsed.error.issues[0].message}`);
            return estimateCost({ resources: synthesized.resources, region: String(synthesized.outputs.region), assumptions: resolveCostAssumptions(parsed.data), prices: loadPriceFile() });
        } finally {
            if (checkout) fs.rmSync(checkout.root, { recursive: true, force: true });
        }
    }
}
