// The standalone executable's entry, run by Node as CommonJS (all Node 20's single executables run).
// The CLI cannot be CommonJS: Ink and yoga-layout use top-level await, which only ES modules have. So
// the CLI bundle, an ES module embedded as an asset, is written to a private temporary directory
// (mkdtemp: mode 0700, a new name each run) and imported from there; the directory goes at exit.
const { getAsset } = require("node:sea");
const { mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

const dir = mkdtempSync(join(tmpdir(), "ovspath-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const bundle = join(dir, "ovspath.mjs");
writeFileSync(bundle, new Uint8Array(getAsset("ovspath.mjs")));
// This script's own import() is not wired in a single executable; a module loaded from disk has one.
const loader = join(dir, "import.cjs");
writeFileSync(loader, "module.exports = (url) => import(url);\n");
createRequire(loader)(loader)(pathToFileURL(bundle).href);
