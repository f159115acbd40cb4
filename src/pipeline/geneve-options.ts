/**
 * Geneve options in a pushed tunnel header, as OVS builds them (tun_metadata_to_geneve_header) and
 * prints them (odp-util's format_geneve_opts): each `tun_metadataN` the flow carries is sent as the
 * option the bridge's TLV map (`ovs-ofctl dump-tlv-map`) gives it — OVN maps class 0x102 type 0x80
 * (critical: the type's high bit) to tun_metadata0, holding the logical ingress port key << 16 | the
 * egress port key. A field counts as carried when it is not zero: OVS tracks presence by writes, and
 * OVN never writes a zero port pair.
 */
import type { TlvMapping } from "../dumps/ovn/controller.js";
import { lookupField, readField } from "../model/fields.js";
import type { FlowKey } from "../model/layout.js";

export interface GeneveOptions {
  /** `options({class=0x102,type=0x80,len=4,0x10002})`, or "" when none. */
  text: string;
  /** Bytes the options add to the header (4 of option header + the data, each). */
  bytes: number;
  /** Whether any option is critical (OVS then prints `crit,` before the VNI). */
  critical: boolean;
}

const NONE: GeneveOptions = { text: "", bytes: 0, critical: false };

export function geneveOptions(flow: FlowKey, tlvMap: readonly TlvMapping[] | undefined): GeneveOptions {
  if (!tlvMap || tlvMap.length === 0) return NONE;
  const opts: string[] = [];
  let bytes = 0;
  let critical = false;
  for (const m of tlvMap) {
    const field = lookupField(m.field);
    if (!field) continue;
    // The flow key keeps the first 4 bytes of an option; longer options carry zeros after them.
    const value = readField(flow, field);
    if (value === 0n) continue;
    opts.push(
      `{class=0x${m.optClass.toString(16)},type=0x${m.type.toString(16)},len=${m.length},0x${value.toString(16)}}`,
    );
    bytes += 4 + m.length;
    if (m.type & 0x80) critical = true;
  }
  if (opts.length === 0) return NONE;
  return { text: `options(${opts.join(",")})`, bytes, critical };
}
