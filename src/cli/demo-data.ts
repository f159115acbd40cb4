import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The standalone executable's asset listing the demo files (each an asset named by its path). */
export const DEMO_MANIFEST = "demo-manifest.json";

/** Node's single-executable API when this is the standalone executable (Node ≥ 20.12), else undefined. */
async function seaApi(): Promise<
  { getAsset(key: string, encoding: "utf8"): string; getAsset(key: string): ArrayBuffer } | undefined
> {
  try {
    const sea = await import("node:sea");
    return sea.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fixtures/demo of the installation: up from this module, whether it is a chunk of the bundle
 * (dist/chunks/) or a source file (src/cli/); in the standalone executable, its embedded copy
 * written to a temporary directory (loadHosts reads a directory).
 */
export async function demoDir(): Promise<string> {
  const sea = await seaApi();
  if (sea) {
    const files = JSON.parse(sea.getAsset(DEMO_MANIFEST, "utf8")) as string[];
    // A new private directory each run (mkdtemp), removed at exit: nothing another user made is read.
    const dir = mkdtempSync(join(tmpdir(), "ovspath-demo-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    for (const f of files) {
      const path = join(dir, f);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, new Uint8Array(sea.getAsset(f)));
    }
    return dir;
  }
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const up of ["..", "../..", "../../.."]) {
    const candidate = resolve(here, up, "fixtures/demo");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("the bundled demo data (fixtures/demo) is missing from this installation");
}
