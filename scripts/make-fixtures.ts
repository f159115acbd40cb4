/** `npm run fixtures`: regenerates the byte-level fixtures under fixtures/. */
import { mkdirSync, writeFileSync } from "node:fs";
import { writeCaptureFixtures } from "./fixtures/captures.js";

const write = (path: string, bytes: Uint8Array) => writeFileSync(path, bytes);
mkdirSync("fixtures/captures", { recursive: true });
for (const p of writeCaptureFixtures("fixtures/captures", write)) process.stdout.write(`${p}\n`);
