import { expect } from "chai";
import { healthReport, isHealthPath, type RouteContext } from "../src/routes";

function context(overrides: Partial<RouteContext> = {}): RouteContext {
  return {
    serviceName: "orders",
    version: "abc123",
    uptime: () => 12.34567,
    checks: [],
    isShuttingDown: () => false,
    enableTestRoutes: false,
    ...overrides,
  };
}

const check = (name: string, ok: boolean) => ({ name, check: async () => ok });

describe("isHealthPath", () => {
  const cases: [string, boolean][] = [
    ["/health", true],
    ["/orders/health", true],
    ["/api/v1/orders/health", true],
    ["/healthz", false],
    ["/health/extra", false],
    ["/", false],
    ["/orders/unhealthy", false],
  ];
  for (const [path, expected] of cases) {
    it(`${expected ? "answers" : "does not answer"} health on ${path}`, () => {
      expect(isHealthPath(path)).to.equal(expected);
    });
  }
});

describe("healthReport", () => {
  it("is 200 ok with the version and uptime when every declared dependency answers", async () => {
    expect(await healthReport(context({ checks: [check("database", true)] }))).to.deep.equal({
      status: 200,
      body: { status: "ok", service: "orders", version: "abc123", uptime: 12.346 },
    });
  });

  it("is 200 when no dependency is declared", async () => {
    expect((await healthReport(context())).status).to.equal(200);
  });

  it("is 503 naming the failing dependency", async () => {
    expect(await healthReport(context({ checks: [check("database", false)] }))).to.deep.equal({
      status: 503,
      body: { status: "unavailable", service: "orders", version: "abc123", uptime: 12.346, failing: ["database"] },
    });
  });

  it("is 503 while the service drains", async () => {
    const report = await healthReport(context({ isShuttingDown: () => true }));
    expect(report.status).to.equal(503);
    expect(report.body.failing).to.deep.equal(["shutdown"]);
  });
});
