/**
 * The NORMAL action: OVS's L2 learning switch (xlate_normal). VLAN admission by the input port's mode
 * (access tag, trunks), MAC learning when a packet is given, forwarding to the learned port from the
 * MAC table (`fdb/show`), flooding within the VLAN otherwise, never back out of the input port.
 */

import { macOf } from "../model/field-value.js";
import { FIELD, wordBits } from "../model/fields.js";
import { K, OFPP, VLAN_CFI } from "../model/layout.js";
import type { XlateContext } from "./context.js";
import { isMulticastMac, isReservedMac, macAt } from "./mac-table.js";
import { isMirrorOutput, mirrorPacket } from "./mirror.js";
import type { SimPort } from "./switch.js";

/** A TCI's VLAN id and priority bits, from the registry. */
const VID = wordBits(FIELD.dl_vlan);
const PCP = wordBits(FIELD.dl_vlan_pcp);

/**
 * xbundle_includes_vlan: an access port carries its VLAN; a trunk its trunks (all when none are
 * listed); a native port also its native VLAN, and never VLAN 0 when the native VLAN is not 0
 * (ofproto-dpif's bundle_set forces that trunk set).
 */
function carriesVlan(p: SimPort, vlan: number, innerVlan = 0): boolean {
  switch (p.vlanMode) {
    case "access":
      // An access port never takes a double-tagged packet.
      return vlan === (p.tag ?? 0) && innerVlan === 0;
    case "trunk":
      return p.trunks.size === 0 || p.trunks.has(vlan);
    case "native-tagged":
    case "native-untagged":
      if (p.tag && vlan === p.tag) return true;
      if (p.tag && vlan === 0) return false;
      return p.trunks.size === 0 || p.trunks.has(vlan);
  }
}

/** Admission of the input VLAN; returns the VLAN the packet belongs to inside the bridge, or undefined. */
function inputVlan(ctx: XlateContext, p: SimPort): number | undefined {
  const tci = ctx.flow[K.vlanTci];
  const vid = tci & VLAN_CFI ? tci & VID : 0;
  switch (p.vlanMode) {
    case "access":
      if (vid) {
        ctx.report(
          "error",
          `dropping VLAN ${vid} tagged packet received on port ${p.name} configured as VLAN ${p.tag} access port`,
        );
        return undefined;
      }
      return p.tag ?? 0;
    case "native-tagged":
    case "native-untagged":
      if (!vid) return p.tag ?? 0;
      if (!carriesVlan(p, vid)) {
        ctx.report(
          "error",
          `dropping VLAN ${vid} packet received on port ${p.name} not configured for trunking VLAN ${vid}`,
        );
        return undefined;
      }
      return vid;
    case "trunk":
      if (p.trunks.size > 0 && !p.trunks.has(vid)) {
        ctx.report(
          "error",
          `dropping VLAN ${vid} packet received on port ${p.name} not configured for trunking VLAN ${vid}`,
        );
        return undefined;
      }
      return vid;
  }
}

/** output_normal: the output port's VLAN mode decides the tag the packet leaves with. */
function outputNormal(ctx: XlateContext, out: SimPort, vlan: number): void {
  const f = ctx.flow;
  const oldTci = f[K.vlanTci];
  const oldTpid = f[K.vlanTpid];
  const oldTci1 = f[K.vlanTci1];
  const oldTpid1 = f[K.vlanTpid1];
  const pcp = oldTci & VLAN_CFI ? oldTci & PCP : 0;
  if (out.vlanMode === "access") {
    f[K.vlanTci] = 0;
    f[K.vlanTpid] = 0;
    f[K.vlanTci1] = 0;
    f[K.vlanTpid1] = 0;
  } else if ((out.vlanMode === "native-untagged" && vlan === out.tag) || (vlan === 0 && pcp === 0)) {
    // xvlan_pop: the outer tag goes, an inner one (a double-tagged packet) becomes the outer.
    const inner = oldTci & VLAN_CFI ? oldTci1 : 0;
    f[K.vlanTci] = inner;
    f[K.vlanTpid] = inner ? oldTpid1 : 0;
    f[K.vlanTci1] = 0;
    f[K.vlanTpid1] = 0;
  } else {
    f[K.vlanTci] = vlan | pcp | VLAN_CFI;
    f[K.vlanTpid] = oldTpid || 0x8100;
  }
  ctx.xlate.composeOutput(ctx, out.ofport, false);
  f[K.vlanTci] = oldTci;
  f[K.vlanTpid] = oldTpid;
  f[K.vlanTci1] = oldTci1;
  f[K.vlanTpid1] = oldTpid1;
}

/** mirror_packet with NORMAL's output: at input (`src`) or after an output to `port` (`dst`). */
export function mirrorAt(ctx: XlateContext, port: SimPort | undefined, direction: "src" | "dst"): void {
  if (port && ctx.bridge.mirrors) mirrorPacket(ctx, port, direction, outputNormal, carriesVlan);
}

export function xlateNormal(ctx: XlateContext): void {
  ctx.ranNormal = true;
  const f = ctx.flow;
  const inPort = ctx.bridge.ports.get(f[K.inPort]);
  if (!inPort) {
    ctx.report("warn", "no input bundle, dropping");
    return;
  }
  if (isMirrorOutput(ctx.bridge, inPort)) {
    ctx.report("warn", "dropping packets received on port mirroring output port");
    return;
  }
  const vlan = inputVlan(ctx, inPort);
  if (vlan === undefined) {
    ctx.report("warn", "disallowed VLAN VID for this input port, dropping");
    return;
  }
  const dst = macAt(f, K.dlDst);
  const src = macAt(f, K.dlSrc);
  if (isReservedMac(dst)) {
    ctx.report("detail", "packet has reserved destination MAC, dropping");
    return;
  }
  const table = ctx.bridge.macTable;
  if (ctx.sideEffects && !isMulticastMac(src) && table.learn(src, vlan, inPort.ofport))
    ctx.report("detail", `learned that ${macOf(BigInt(src))} is on port ${inPort.name} in VLAN ${vlan}`);
  const learned = isMulticastMac(dst) ? undefined : table.find(dst, vlan);
  if (learned) {
    const out = ctx.bridge.ports.get(learned.port);
    if (!out) ctx.report("warn", "learned port is unknown, dropping");
    else if (out === inPort) ctx.report("detail", "learned port is input port, dropping");
    else {
      // A note no reader of a lean pass reads (the drop explainer reads NORMAL's drops, not this).
      if (!ctx.lean) ctx.report("detail", "forwarding to learned port");
      outputNormal(ctx, out, vlan);
    }
    return;
  }
  ctx.report("detail", "no learned MAC for destination, flooding");
  const inner = f[K.vlanTci] & VLAN_CFI && f[K.vlanTci1] & VLAN_CFI ? f[K.vlanTci1] & VID : 0;
  // OVS floods in its bundle-list order, which no dump shows; the OVSDB's port order is used.
  for (const p of ctx.bridge.ports.values()) {
    if (p === inPort || p.noFlood || !carriesVlan(p, vlan, inner) || isMirrorOutput(ctx.bridge, p)) continue;
    if (p.ofport === OFPP.local && p.type !== "internal") continue;
    outputNormal(ctx, p, vlan);
  }
}
