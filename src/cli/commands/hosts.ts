import { existsSync } from "node:fs";
import { type Host, type LoadOptions, loadHosts } from "../../dumps/host/load.js";
import { UsageError } from "../io.js";

/** Loads every host of the given inputs; a missing or unreadable input is a usage error (exit 2). */
export async function loadInputs(inputs: readonly string[], opts: LoadOptions): Promise<Host[]> {
  const hosts: Host[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new UsageError(`${input}: no such file or directory`);
    let loaded: Host[];
    try {
      loaded = await loadHosts(input, opts);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    // A source tree or a README is not a host: an empty, healthy-looking answer would mislead.
    if (!loaded.some((h) => h.files.some((f) => f.kind !== undefined))) {
      const n = loaded.reduce((k, h) => k + h.files.length, 0);
      throw new UsageError(
        `no Open vSwitch dumps found in ${input} (${n} file${n === 1 ? "" : "s"} looked at)`,
      );
    }
    hosts.push(...loaded);
  }
  return hosts;
}

export const errorCount = (hosts: readonly Host[]): number =>
  hosts.reduce((n, h) => n + h.diagnostics.filter((d) => d.severity === "error").length, 0);

/** JSON.stringify that writes bigints as decimal strings and Maps as objects. */
export function toJson(value: unknown, extra?: (key: string, v: unknown) => unknown): string {
  return JSON.stringify(
    value,
    (k, v) => {
      const w = extra ? extra(k, v) : v;
      return typeof w === "bigint" ? w.toString() : w instanceof Map ? Object.fromEntries(w) : w;
    },
    2,
  );
}
