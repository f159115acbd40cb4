import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "@commander-js/extra-typings";
import { EXIT, out } from "../io.js";
import { runDecode } from "./decode.js";

/** fixtures/demo beside the bundle (dist/ovspath.js) or beside the sources (src/cli/commands). */
function demoDir(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const candidate of [resolve(here, "../fixtures/demo"), resolve(here, "../../../fixtures/demo")]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("the bundled demo data (fixtures/demo) is missing from this installation");
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run ovspath on the bundled demo data: captures written by Open vSwitch in a Neutron lab")
    .action(() => {
      const dir = demoDir();
      let status: number = EXIT.ok;
      for (const name of readdirSync(dir)
        .filter((n) => /\.(pcap|pcapng)$/.test(n))
        .sort()) {
        out(`== ${name}`);
        status = Math.max(status, runDecode(join(dir, name), {}));
        out("");
      }
      if (status !== EXIT.ok) process.exitCode = status;
    });
}
