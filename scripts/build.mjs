// Bundles the CLI into dist/ovspath.js (and its chunks in dist/chunks/) with esbuild: a few files start
// far faster than the many small modules plain tsc output would load.
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { common, esmBanner } from "./bundle-options.mjs";

// Chunk names change with their content: a stale one would be packed with the new.
rmSync("dist", { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { ovspath: "src/cli/main.ts" },
  outdir: "dist",
  // Each verb is a dynamic import() (src/cli/verbs.ts): one chunk per verb (and chunks they share), so a
  // run parses only its own verb's code (decode starts in a third of the one-file bundle's time).
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  sourcemap: "linked",
  banner: esmBanner,
});
