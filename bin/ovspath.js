#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ by `npm run build` (a packed tarball holds it already).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/ovspath.js", import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write("ovspath: dist/ovspath.js is missing; run `npm run build` first\n");
  process.exit(2);
}
await import(bundle);
