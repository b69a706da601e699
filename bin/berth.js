#!/usr/bin/env node
// The `berth` program (package.json bin): runs automation/cli.ts through ts-node, type-checking left to `npm test`.
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
const { exitWhenFlushed } = require("../infra/exitWhenFlushed");
require("../automation/cli").main(process.argv.slice(2)).then(exitWhenFlushed);
