// Bundles the CLI into dist/ovspath.js with esbuild: one file starts in ~0.2 s,
// against ~0.45 s for the many small modules plain tsc output would load.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/ovspath.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  jsx: "automatic",
  // Ink pulls in react-devtools-core only when DEV is set; it is an optional peer.
  external: ["react-devtools-core"],
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __ovspathCreateRequire } from 'node:module'; const require = __ovspathCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
