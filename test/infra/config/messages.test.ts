// The loader's messages for shapes and keys the config tables do not reach: typos near and far from a
// known key, other namespaces, wrong types, empty values, and the one-problem heading. Exact text.
import { expect } from "chai";
import { formatProblems, loadSettings } from "../../../infra/config/load";
import { keyOf } from "../../../infra/config/issues";
import { suggest } from "../../../infra/config/suggest";
import { CONFIG_KEYS } from "../../../infra/config/schema";
import { baseConfig } from "../../helpers/synth";
import { configProblems as problems } from "../../helpers/config";


const withService = (patch: Record<string, unknown>) => {
    const c = baseConfig();
    c["berth:services"][2] = { ...c["berth:services"][2], ...patch };
    return c;
};

describe("config messages: keys", () => {
    it("suggests the closest key within three edits, ignoring case, and nothing further away", () => {
        expect(suggest("Services", CONFIG_KEYS)).to.equal("services");
        expect(suggest("servces", CONFIG_KEYS)).to.equal("services");
        expect(suggest("srvcsz", CONFIG_KEYS)).to.equal(undefined);
        expect(suggest("databse", CONFIG_KEYS)).to.equal("database");
        expect(suggest("imagez", ["images", "image"])).to.equal("images");
        expect(suggest("xyz", [])).to.equal(undefined);
        expect(suggest("", ["ci"])).to.equal("ci");
        expect(suggest("abcdef", ["ci"])).to.equal(undefined);
    });

    it("lists every key berth reads when an unknown key is nothing like any of them", () => {
        expect(problems(baseConfig({ "berth:zzzzzzzzzz": 1 }))).to.deep.equal([
            `berth:zzzzzzzzzz: unknown key; berth reads ${CONFIG_KEYS.map((k) => `berth:${k}`).join(", ")}`,
        ]);
    });

    it("ignores keys of other namespaces and keys without one", () => {
        expect(problems(baseConfig({ "aws:profile": "x", "other:services": [], services: "nonsense" }))).to.deep.equal([]);
    });

    it("reports an unknown key and still says nothing else until it is fixed", () => {
        expect(problems(baseConfig({ "berth:service": [], "berth:images": { api: "latest" } }))).to.deep.equal(["berth:service: unknown key; did you mean berth:services?"]);
    });

    it("does not ask for the environment when an unknown key is the real problem", () => {
        const c = baseConfig({ "berth:environmnet": "dev" });
        delete c["berth:environment"];
        expect(problems(c)).to.deep.equal(["berth:environmnet: unknown key; did you mean berth:environment?"]);
    });

    it("writes paths as berth:key[index].field", () => {
        expect(keyOf(["services", 2, "healthCheck", "path"])).to.equal("berth:services[2].healthCheck.path");
        expect(keyOf([])).to.equal("berth:");
        expect(keyOf([0, "x"])).to.equal("berth:[0].x");
    });
});

describe("config messages: shapes and values", () => {
    const cases: [string, Record<string, any>, string[]][] = [
        ["a missing required field", withService({ port: undefined }), ["berth:services[2].port: is required (number)"]],
        ["a list where a map belongs", baseConfig({ "berth:network": ["10.0.0.0/16"] }), ['berth:network: must be a map, not ["10.0.0.0/16"]']],
        ["a map where a list belongs", baseConfig({ "berth:services": { web: {} } }), ['berth:services: must be a list, not {"web":{}}']],
        ["a fraction where a whole number belongs", withService({ port: 80.5 }), ["berth:services[2].port: must be a whole number, not 80.5"]],
        ["text where a boolean belongs", withService({ bucket: "none", spot: "yes" }), ['berth:services[2].spot: must be a boolean, not "yes"']],
        ["text where database access belongs", withService({ database: "yes" }), ['berth:services[2].database: must be true, false or { access: read | readwrite } (got "yes")']],
        ["an empty build context", withService({ build: { context: "" } }), ["berth:services[2].build.context: must not be empty"]],
        ["a number under its minimum", withService({ healthCheck: { intervalSeconds: 1 } }), ["berth:services[2].healthCheck.intervalSeconds: must be at least 5"]],
        ["a number over its maximum", withService({ desiredCount: 1001 }), ["berth:services[2].desiredCount: must be at most 1000"]],
        ["an empty migration command", baseConfig({ "berth:migration": { service: "api", command: [] } }), ["berth:migration.command: must have at least 1 entry"]],
        ["a value outside an enum", withService({ bucket: "write" }), ["berth:services[2].bucket: must be one of none, read, readwrite"]],
        ["a pattern mismatch keeps the schema's explanation", withService({ user: "app" }), ['berth:services[2].user: must be a numeric uid or uid:gid such as "10001"']],
    ];
    for (const [title, config, expected] of cases) it(`reports ${title}`, () => expect(problems(config)).to.deep.equal(expected));

    it("F01: a CMD-SHELL check takes exactly one string, and an exec check needs a program", () => {
        expect(problems(withService({ healthCheck: { command: ["CMD-SHELL", "curl", "-f"], shell: true } }))).to.deep.equal([
            'berth:services[2].healthCheck.command: CMD-SHELL takes exactly one string: ["CMD-SHELL", "curl -f http://localhost/health || exit 1"]',
        ]);
        expect(problems(withService({ healthCheck: { command: ["CMD"] } }))).to.deep.equal([
            'berth:services[2].healthCheck.command: names no program to run: give the executable and its arguments, e.g. ["CMD", "/app/healthcheck"]',
        ]);
    });

    it("F08: a service listing the same route twice is told so", () => {
        expect(problems(withService({ routes: ["/w/*", "/w/*"] }))).to.deep.equal(['berth:services[2].routes[1]: "/w/*" is listed twice']);
    });

    it("dependsOn duplicates collapse; an unknown dependency with no close name gets no guess", () => {
        const c = baseConfig();
        c["berth:services"][0].dependsOn = ["api", "api"];
        expect(loadSettings({ project: "berth", stack: "dev", values: c }).services[0].dependsOn).to.deep.equal(["api"]);
        expect(problems(withService({ dependsOn: ["payments"] }))).to.deep.equal(['berth:services[2].dependsOn[0]: "payments" is not a service in berth:services']);
    });

    it("a reserved name is reported once, as reserved", () => {
        const c = baseConfig();
        c["berth:services"][0].name = "alb";
        expect(problems(c)).to.deep.equal([
            'berth:services[0].name: "alb" is reserved for berth\'s own resources (access-logs, alarms, alb, cluster, db, db-final, endpoints, flow-logs, migrate, uploads); choose another name',
        ]);
    });

    it("heads one problem in the singular, several in the plural", () => {
        expect(formatProblems([{ key: "berth:a", message: "x" }])).to.equal("berth configuration has 1 problem:\n  1. berth:a: x");
        expect(formatProblems([{ key: "berth:a", message: "x" }, { key: "berth:b", message: "y" }])).to.equal("berth configuration has 2 problems:\n  1. berth:a: x\n  2. berth:b: y");
    });

    it("a migration image given with a migration is kept", () => {
        const digest = `sha256:${"b".repeat(64)}`;
        expect(loadSettings({ project: "berth", stack: "dev", values: baseConfig({ "berth:migrationImage": digest }) }).migration?.image).to.equal(digest);
    });
});
