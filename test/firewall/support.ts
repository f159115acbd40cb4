/** The recorded firewall host (scripts/record-firewall.sh): its rules, sets, captures and the kernel's verdicts. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openCapture, recordData } from "../../src/capture/index.js";
import { parseIpsetList } from "../../src/dumps/netfilter/ipset.js";
import { parseIptablesSave } from "../../src/dumps/netfilter/iptables-save.js";
import { FwConntrack } from "../../src/firewall/conntrack.js";
import type { Firewall } from "../../src/firewall/evaluate.js";
import { IpsetTable } from "../../src/firewall/ipset.js";

export const FW_DIR = "fixtures/firewall";
export const FW_SOS = join(FW_DIR, "host1/sos_commands");

export interface KernelFrame {
  frame: number;
  what: string;
  direction: "ingress" | "egress";
  port: string;
  sentOn: string;
  delivered: boolean;
  capture: string;
  captureFrame: number;
  time: number;
  moved: Array<{ family: "ipv4" | "ipv6"; table: string; chain: string; index: number; packets: number }>;
  /**
   * The kernel's rule trace (`nft monitor trace`), in order: each rule the frame matched (index in its
   * chain as iptables-save numbers it, nft's handle) with its verdict, and each built-in chain's policy
   * (index -1). `id` is nft's trace id: a broadcast's copies (forwarded, delivered to the host) have their own.
   */
  trace: Array<{
    id: string;
    family: "ipv4" | "ipv6";
    table: string;
    chain: string;
    index: number;
    handle: number | null;
    verdict: string;
  }>;
}

export const kernelFrames = (): KernelFrame[] =>
  JSON.parse(readFileSync(join(FW_DIR, "frames.json"), "utf8"));

export function sos(file: string): string {
  return readFileSync(join(FW_SOS, file), "utf8");
}

/** The recorded host's firewall; without ipsets when `sets` is false. */
export function recordedFirewall(sets = true): Firewall {
  const v4 = parseIptablesSave(sos("firewall_tables/iptables-save_-c"), "iptables-save_-c", "ipv4");
  const v6 = parseIptablesSave(sos("firewall_tables/ip6tables-save_-c"), "ip6tables-save_-c", "ipv6");
  const table = new IpsetTable();
  if (sets) for (const s of parseIpsetList(hostFile("ipset_list"), "ipset_list").value) table.add(s);
  return { v4: v4.value, v6: v6.value, sets: table, conntrack: new FwConntrack() };
}

export function captureFrames(file: string): Uint8Array[] {
  const r = openCapture(join(FW_DIR, file));
  if (!r.ok) throw new Error(r.error.message);
  const out: Uint8Array[] = [];
  for (let rec = r.value.next(); rec; rec = r.value.next()) out.push(recordData(rec).slice());
  r.value.close();
  return out;
}

/** The bridge and its two ports a recorded frame crossed. */
export function devicesOf(k: KernelFrame) {
  const id = k.sentOn.slice(3);
  const tap = `tap${id}`;
  const qvb = `qvb${id}`;
  return k.direction === "egress"
    ? { bridge: `qbr${id}`, physIn: tap, physOut: qvb }
    : { bridge: `qbr${id}`, physIn: qvb, physOut: tap };
}

/** A file beside the recorded host's sos_commands (what an operator pastes: ipset list/save). */
export function hostFile(file: string): string {
  return readFileSync(join(FW_DIR, "host1", file), "utf8");
}
