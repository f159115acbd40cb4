// Bundles the CLI into dist/ovspath.js (and its chunks in dist/chunks/) with esbuild: a few files start
// far faster than the many small modules plain tsc output would load.
import { build } from "esbuild";

await build({
  entryPoints: { ovspath: "src/cli/main.ts" },
  outdir: "dist",
  // Each verb is a dynamic import() in src/cli/main.ts: one chunk per verb (and chunks they share), so a
  // run parses only its own verb's code (decode starts in a third of the one-file bundle's time).
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  jsx: "automatic",
  // React's production build: the development one checks and logs every render (several times slower).
  define: { "process.env.NODE_ENV": '"production"' },
  // Ink imports react-devtools-core (an optional peer, not installed) only when DEV is set. Marked
  // external, esbuild would hoist it to a static import the bundle fails on at start: stub it instead.
  //
  // Ink also imports is-in-ci and, when CI or CONTINUOUS_INTEGRATION is set, draws nothing until the app
  // ends. `ovspath tui` refuses to start without a terminal (exit 2), so a terminal is what it has even
  // where those variables are set (a CI runner's tmux, a shell on a build host): Ink must draw there.
  plugins: [
    {
      name: "stub-modules",
      setup(b) {
        const stubs = {
          "react-devtools-core": "export default { initialize() {}, connectToDevTools() {} };",
          "is-in-ci": "export default false;",
        };
        b.onResolve({ filter: new RegExp(`^(${Object.keys(stubs).join("|")})$`) }, (args) => ({
          path: args.path,
          namespace: "stub",
        }));
        b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({
          contents: stubs[args.path],
          loader: "js",
        }));
      },
    },
  ],
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __ovspathCreateRequire } from 'node:module'; const require = __ovspathCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
