import { statSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import type { Host } from "../../dumps/host/load.js";
import type { CookieIndex } from "../../ovn/cookies.js";
import { cookieIndexOf } from "../../ovn/trace-view.js";
import { type SimHost, switchesOf } from "../../pipeline/index.js";
import { resolveAt } from "../../pipeline/ingress.js";
import { escapeText } from "../../util/escape.js";
import { flush, UsageError } from "../io.js";
import { loadInputs } from "./hosts.js";
import { ovnIndex } from "./ovn.js";

export interface TuiRunOptions {
  at?: string;
  cache?: boolean;
  title?: string;
  /** The OVN databases' cookie index (default: those of the loaded hosts, when a central node is among them). */
  ovn?: CookieIndex;
}

/** Opens the TUI on a capture (optional) and loaded hosts; returns when the user quits. */
export async function openTui(
  capture: string | undefined,
  hosts: readonly Host[],
  switches: SimHost[],
  opts: TuiRunOptions,
): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY)
    throw new UsageError("tui needs a terminal (stdin and stdout); use decode or replay for text output");
  const at = opts.at === undefined ? undefined : resolveAt(switches, opts.at);
  if (typeof at === "string") throw new UsageError(at);
  // Ink and React load here, not with the CLI: the other verbs (and demo --text) never pay for them.
  const { openTuiData, runTui } = await import("../../tui/run.js");
  const data = openTuiData({
    ...(capture !== undefined ? { capture } : {}),
    hosts,
    switches,
    replay: { ...(at ? { at } : {}), ...(opts.cache === false ? { cache: false } : {}) },
    ...ovnOf(hosts, opts.ovn),
    title:
      opts.title ??
      escapeText(capture !== undefined ? basename(capture) : hosts.map((h) => h.name).join(", ")),
  });
  if (typeof data === "string") throw new UsageError(data);
  flush();
  await runTui(data);
}

/**
 * The panes' OVN databases: the given index, else those of the loaded hosts when a central node's
 * sosreport is among them (no OVN, no logical names: nothing to report).
 */
function ovnOf(hosts: readonly Host[], given: CookieIndex | undefined): { ovn?: CookieIndex } {
  if (given) return { ovn: given };
  const index = cookieIndexOf(hosts);
  return typeof index === "string" ? {} : { ovn: index };
}

/** A sosreport directory or archive given where the capture goes (`ovspath tui HOST...`). */
function looksLikeHost(path: string): boolean {
  if (/\.(tar|tar\.xz|tar\.gz|tgz|txz)$/.test(path)) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function registerTui(program: Command): void {
  program
    .command("tui")
    .description(
      "the terminal UI: packet list, layers, hex, the path and ofproto/trace of each frame, flows, drops, display filter",
    )
    .argument("[capture]", "pcap or pcapng file (optional: without it, the hosts' flows)")
    .argument("[hosts...]", "sosreport directories or archives: the capture is replayed through them")
    .option("--at <host:port>", "where the frames enter (as replay --at)")
    .option("--tunnels <style>", "kernel or native tunnels (default: as each host's datapath does)")
    .option("--no-cache", "translate every frame (no megaflow cache)")
    .option(
      "--ovn [central]",
      "OVN: logical flows, ACLs and logical ports in the path and trace panes, from the central node's sosreport (default: when one is among the hosts)",
    )
    .action(async (first, rest, opts) => {
      if (opts.tunnels !== undefined && opts.tunnels !== "kernel" && opts.tunnels !== "native")
        throw new UsageError(`--tunnels takes kernel or native, got "${opts.tunnels}"`);
      let capture = first;
      let inputs = rest;
      if (capture !== undefined && looksLikeHost(capture)) {
        inputs = [capture, ...rest];
        capture = undefined;
      }
      if (capture === undefined && inputs.length === 0)
        throw new UsageError(
          "give a capture, hosts, or both (ovspath tui CAPTURE [HOST...]); ovspath demo opens the demo",
        );
      const hosts = await loadInputs(inputs, {});
      const switches = switchesOf(hosts, opts.tunnels ? { tunnels: opts.tunnels } : {});
      const ovn = opts.ovn === undefined ? undefined : await ovnIndex(hosts, opts.ovn);
      await openTui(capture, hosts, switches, {
        ...(opts.at ? { at: opts.at } : {}),
        cache: opts.cache,
        ...(ovn ? { ovn } : {}),
      });
    });
}
