/**
 * Port mirroring (the OVSDB's Mirror table), as ofproto-dpif-xlate's mirror_packet does it: a packet
 * received on a selected source port is mirrored before its actions run, one output to a selected
 * destination port right after that output; each mirror at most once per translation. A mirror
 * sends to its output port (as NORMAL would output there, with that port's VLAN handling and the
 * mirror's snaplen as `trunc()`), or floods its output VLAN to every port carrying that VLAN but
 * mirror output ports.
 */
import { K, VLAN_CFI } from "../model/layout.js";
import type { XlateContext } from "./context.js";
import type { SimMirror } from "./mirror-config.js";
import type { SimBridge, SimPort } from "./switch.js";

/** Per translation: the mirrors already used, and the snaplen of the mirror output under way. */
const state = new WeakMap<XlateContext, { used: Set<SimMirror>; snaplen: number }>();
/**
 * Whether any translation has mirrored yet: until one has, no output is a mirror's and its snaplen is 0
 * without asking the WeakMap (every output of a replay asks, and most hosts have no mirror).
 */
let mirrored = false;
function stateOf(ctx: XlateContext) {
  let s = state.get(ctx);
  if (!s) {
    s = { used: new Set(), snaplen: 0 };
    state.set(ctx, s);
    mirrored = true;
  }
  return s;
}

/** A port no NORMAL flood reaches and whose input NORMAL drops: some mirror's output port. */
export function isMirrorOutput(bridge: SimBridge, port: SimPort): boolean {
  // A loop, not `(mirrors ?? []).some(...)`: NORMAL asks for every packet, mostly of bridges without mirrors.
  const mirrors = bridge.mirrors;
  if (mirrors === undefined) return false;
  for (const m of mirrors) if (m.outPort === port.name) return true;
  return false;
}

/** The snaplen of the mirror output being composed (0: none), for its `trunc()`. */
export function mirrorSnaplen(ctx: XlateContext): number {
  return mirrored ? (state.get(ctx)?.snaplen ?? 0) : 0;
}

type OutputNormal = (ctx: XlateContext, out: SimPort, vlan: number) => void;
type Carries = (p: SimPort, vlan: number) => boolean;

/**
 * mirror_packet for the mirrors selecting `port` (as source at input, as destination at output).
 * `outputNormal` and `carries` are NORMAL's (passed in: normal.ts imports this module).
 */
export function mirrorPacket(
  ctx: XlateContext,
  port: SimPort,
  direction: "src" | "dst",
  outputNormal: OutputNormal,
  carries: Carries,
): void {
  const mirrors = (ctx.bridge.mirrors ?? []).filter((m) => m.selectAll || m[direction].has(port.name));
  if (mirrors.length === 0) return;
  const s = stateOf(ctx);
  const tci = ctx.flow[K.vlanTci];
  const vid = tci & VLAN_CFI ? tci & 0xfff : 0;
  // xvlan_input_translate: an access port's packet is in the port's VLAN.
  const vlan = port.vlanMode === "access" ? (port.tag ?? 0) : vid;
  if (port.vlanMode === "access" && vid !== 0) return;
  for (const m of mirrors) {
    if (s.used.has(m)) continue;
    if (m.vlans.size > 0 && !m.vlans.has(vlan)) continue;
    s.used.add(m);
    s.snaplen = m.snaplen;
    if (m.outPort !== undefined) {
      const out = ctx.bridge.byName.get(m.outPort);
      if (out) outputNormal(ctx, out, vlan);
    } else if (m.outVlan !== undefined && m.outVlan !== vlan) {
      for (const p of ctx.bridge.ports.values())
        if (carries(p, m.outVlan) && !isMirrorOutput(ctx.bridge, p)) outputNormal(ctx, p, m.outVlan);
    }
    s.snaplen = 0;
  }
}
