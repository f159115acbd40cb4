// esbuild options shared by the npm bundle (scripts/build.mjs) and the standalone executable
// (scripts/build-exe.mjs).

export const common = {
  bundle: true,
  platform: "node",
  target: "node20",
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
  logLevel: "warning",
};

// Some bundled CommonJS dependencies call require(); give an ES module bundle one.
export const esmBanner = {
  js: "import { createRequire as __ovspathCreateRequire } from 'node:module'; const require = __ovspathCreateRequire(import.meta.url);",
};

// The CLI as users run it: each verb a dynamic import() (src/cli/verbs.ts), so one chunk per verb (and
// chunks they share), and a run parses only its own verb's code. Give it an outdir. `replay`'s decoder
// thread is an entry of its own, beside the chunks that start it (src/cli/commands/replay-threads.ts).
export const cliBundle = {
  ...common,
  entryPoints: {
    ovspath: "src/cli/main.ts",
    "chunks/replay-decoder-thread": "src/cli/commands/replay-decoder-thread.ts",
  },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  banner: esmBanner,
};
