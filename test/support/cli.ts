import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./shared.js";

/** Runs the built CLI (bin/ovspath.js) from the repository root, as a user would. */
export function ovspath(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
    cwd: REPO_ROOT,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
