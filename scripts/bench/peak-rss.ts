/**
 * This process's peak resident set, in MB. On Linux from /proc/self/status (VmHWM): getrusage's maxRSS
 * survives execve, so a child spawned by a large parent (the bench itself, after loading 100k flows)
 * would report the parent's peak instead of its own.
 */
import { readFileSync } from "node:fs";

export function peakRssMB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS / 1024;
}
