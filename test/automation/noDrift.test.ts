import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

const AUTOMATION = path.join(__dirname, "../../automation");

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

describe("the driver cannot make task definitions drift from IaC (F05)", () => {
    it("F05: no driver code sends an ECS command that registers, deregisters or updates a task definition or service", () => {
        const offenders: string[] = [];
        const seen = new Set<string>();
        for (const file of sources(AUTOMATION)) {
            const text = fs.readFileSync(file, "utf8");
            for (const m of text.matchAll(/\b(\w+)Command\b/g)) {
                seen.add(m[1]);
                if (/^(RegisterTaskDefinition|DeregisterTaskDefinition|UpdateService|CreateService|DeleteService)$/.test(m[1])) offenders.push(`${path.relative(AUTOMATION, file)}: ${m[0]}`);
            }
        }
        expect(offenders).to.deep.equal([]);
        // The scan does see the commands the driver sends.
        expect([...seen]).to.include.members(["RunTask", "DescribeTasks", "DescribeServices"]);
    });

    it("F05: the ECS port offers running one-off tasks, reading state and steering a deployment the stack started — nothing that changes a service's definition", () => {
        const ports = fs.readFileSync(path.join(AUTOMATION, "ports.ts"), "utf8");
        const ecsPort = /export interface EcsPort \{([\s\S]*?)\n\}/.exec(ports)![1];
        const methods = [...ecsPort.matchAll(/^\s{4}(\w+)\(/gm)].map((m) => m[1]);
        // Continue/stop only move a deployment forward or back to the revision the stack had; the stack update that
        // follows a stop puts the state back in line with what runs.
        expect(methods).to.deep.equal(["runTask", "describeTask", "describeServices", "listServiceDeployments", "describeServiceDeployments", "continueServiceDeployment", "stopServiceDeployment"]);
    });
});
