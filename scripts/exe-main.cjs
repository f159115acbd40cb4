// The standalone executable's entry, run by Node as CommonJS (all Node 20's single executables run).
// The CLI cannot be CommonJS: Ink and yoga-layout use top-level await, which only ES modules have. So
// the CLI bundle, ES modules embedded as assets, is written to a private temporary directory (mkdtemp:
// mode 0700, a new name each run) and imported from there; the directory goes at exit.
const { getAsset } = require("node:sea");
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

const dir = mkdtempSync(join(tmpdir(), "ovspath-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
// The bundle and its chunks (one per verb: only the verb run is parsed), and a package.json that makes
// their .js files ES modules.
mkdirSync(join(dir, "chunks"));
writeFileSync(join(dir, "package.json"), '{"type":"module"}\n');
for (const f of JSON.parse(getAsset("cli-manifest.json", "utf8")))
  writeFileSync(join(dir, f), new Uint8Array(getAsset(`cli/${f}`)));
// This script's own import() is not wired in a single executable; a module loaded from disk has one.
const loader = join(dir, "import.cjs");
writeFileSync(loader, "module.exports = (url) => import(url);\n");
createRequire(loader)(loader)(pathToFileURL(join(dir, "ovspath.js")).href);
