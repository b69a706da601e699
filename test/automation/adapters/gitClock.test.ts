import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GitSource, parsePorcelainZ } from "../../../automation/adapters/git";
import { systemClock } from "../../../automation/adapters/clock";

describe("GitSource (temp repository)", () => {
    let dir: string;
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-git-"));
        git("init", "-q");
        git("config", "user.email", "t@example.com");
        git("config", "user.name", "t");
        fs.writeFileSync(path.join(dir, "a.txt"), "a");
        fs.writeFileSync(path.join(dir, "b c.txt"), "b");
        git("add", ".");
        git("commit", "-q", "-m", "init");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads HEAD's sha and reports a clean tree as no paths", async () => {
        const source = new GitSource(dir);
        expect(await source.headSha()).to.equal(git("rev-parse", "HEAD").trim()).and.match(/^[0-9a-f]{40}$/);
        expect(await source.dirtyPaths()).to.deep.equal([]);
    });

    it("lists modified, untracked and renamed paths, spaces included", async () => {
        fs.writeFileSync(path.join(dir, "a.txt"), "changed");
        fs.writeFileSync(path.join(dir, "new file.txt"), "n");
        git("mv", "b c.txt", "d.txt");
        expect((await new GitSource(dir).dirtyPaths()).sort()).to.deep.equal(["a.txt", "b c.txt", "d.txt", "new file.txt"]);
    });

    it("fails with the git message outside a repository", async () => {
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "berth-nogit-"));
        const failure = await new GitSource(outside).headSha().catch((e: Error) => e);
        fs.rmSync(outside, { recursive: true });
        expect((failure as Error).message).to.match(/^git rev-parse HEAD failed in .*: fatal: not a git repository/);
    });

    it("parses porcelain -z output", () => {
        expect(parsePorcelainZ(" M a.txt\0?? x y\0R  new\0old\0")).to.deep.equal(["a.txt", "x y", "new", "old"]);
        expect(parsePorcelainZ("")).to.deep.equal([]);
    });
});

describe("systemClock", () => {
    it("sleeps and rejects with an AbortError when aborted first", async () => {
        const start = systemClock.now();
        await systemClock.sleep(5);
        expect(systemClock.now() - start).to.be.at.least(4);
        const controller = new AbortController();
        const pending = systemClock.sleep(10_000, controller.signal).catch((e: Error) => e);
        controller.abort();
        expect(((await pending) as Error).name).to.equal("AbortError");
    });
});
