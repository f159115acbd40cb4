import { existsSync } from "node:fs";
import { type Host, type LoadOptions, loadHosts } from "../../dumps/host/load.js";
import { UsageError } from "../io.js";

/** Loads every host of the given inputs; a missing or unreadable input is a usage error (exit 2). */
export async function loadInputs(inputs: readonly string[], opts: LoadOptions): Promise<Host[]> {
  const hosts: Host[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new UsageError(`${input}: no such file or directory`);
    try {
      hosts.push(...(await loadHosts(input, opts)));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
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
