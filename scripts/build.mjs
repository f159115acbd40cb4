// Bundles the CLI into dist/ovspath.js (and its chunks in dist/chunks/) with esbuild: a few files start
// far faster than the many small modules plain tsc output would load.
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { cliBundle } from "./bundle-options.mjs";

// Chunk names change with their content: a stale one would be packed with the new.
rmSync("dist", { recursive: true, force: true });
await build({ ...cliBundle, outdir: "dist", sourcemap: "linked" });
