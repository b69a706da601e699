import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const dir = path.resolve(__dirname, "..", "migrations");

describe("shipped migrations", () => {
  const files = fs.readdirSync(dir).sort();

  it("are SQL files named <number>_<name>.sql, so node-pg-migrate orders them", () => {
    expect(files).to.have.length.greaterThan(0);
    for (const file of files) expect(file).to.match(/^\d+_[a-z0-9-]+\.sql$/);
  });

  it("each have an Up and a Down section", () => {
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      expect(text, file).to.match(/^-- Up Migration$/m).and.to.match(/^-- Down Migration$/m);
    }
  });
});
