// `npm run build:exe`: dist-exe/ovspath, one file for linux-x64 hosts without Node: Node's single
// executable application (this Node's binary with the CLI bundle and the demo data injected).
//   1. the CLI bundled as for npm (an ES module and its chunks, one per verb), as assets that
//      scripts/exe-main.cjs writes out and imports (see there why the entry is CommonJS and the CLI not);
//   2. the preparation blob: `node --experimental-sea-config`, with the demo files as assets;
//   3. a copy of this Node binary with the blob injected by postject (pure JavaScript, no install script).
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { inject } from "postject";
import { cliBundle } from "./bundle-options.mjs";

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error(`build:exe makes the linux-x64 executable; this is ${process.platform}-${process.arch}`);
  process.exit(2);
}
const OUT = "dist-exe";
const WORK = join(OUT, "build");
rmSync(OUT, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

// The CLI's files (dist/'s layout) as assets named cli/PATH, listed in cli-manifest.json.
const CLI = join(WORK, "cli");
await build({ ...cliBundle, outdir: CLI });
// The demo data as assets, named by their path under fixtures/demo, and their list (src/cli/demo-data.ts).
const DEMO = "fixtures/demo";
const walk = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
const demoFiles = walk(DEMO).map((f) => relative(DEMO, f));
const manifest = join(WORK, "demo-manifest.json");
writeFileSync(manifest, JSON.stringify(demoFiles));
const cliFiles = walk(CLI).map((f) => relative(CLI, f));
const cliManifest = join(WORK, "cli-manifest.json");
writeFileSync(cliManifest, JSON.stringify(cliFiles));
const assets = { "demo-manifest.json": manifest, "cli-manifest.json": cliManifest };
for (const f of demoFiles) assets[f] = join(DEMO, f);
for (const f of cliFiles) assets[`cli/${f}`] = join(CLI, f);

const blob = join(WORK, "sea-prep.blob");
const config = join(WORK, "sea-config.json");
writeFileSync(
  config,
  JSON.stringify({
    main: "scripts/exe-main.cjs",
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets,
  }),
);
const prep = spawnSync(process.execPath, ["--experimental-sea-config", config], { stdio: "inherit" });
if (prep.status !== 0) process.exit(prep.status ?? 1);

const exe = join(OUT, "ovspath");
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
await inject(exe, "NODE_SEA_BLOB", readFileSync(blob), {
  sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
});
rmSync(WORK, { recursive: true, force: true });
console.log(`${exe}: ${(statSync(exe).size / 1e6).toFixed(1)} MB (Node ${process.version}, linux-x64)`);
