/**
 * Geneve options in a pushed tunnel header, as OVS builds them (tun_metadata_to_geneve_header) and
 * prints them (odp-util's format_geneve_opts): each `tun_metadataN` the flow carries is sent as the
 * option the bridge's TLV map (`ovs-ofctl dump-tlv-map`) gives it — OVN maps class 0x102 type 0x80
 * (critical: the type's high bit) to tun_metadata0, holding the logical ingress port key << 16 | the
 * egress port key. A field counts as carried when it is not zero: OVS tracks presence by writes, and
 * OVN never writes a zero port pair.
 */
import type { TlvMapping } from "../dumps/ovn/controller.js";
import { lookupField, readField, writeField } from "../model/fields.js";
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

/** The options the flow carries, each with its mapping and value (the first 4 bytes: what the key keeps). */
function carried(flow: FlowKey, tlvMap: readonly TlvMapping[]): Array<{ m: TlvMapping; value: bigint }> {
  const out: Array<{ m: TlvMapping; value: bigint }> = [];
  for (const m of tlvMap) {
    const field = lookupField(m.field);
    if (!field) continue;
    const value = readField(flow, field);
    if (value !== 0n) out.push({ m, value });
  }
  return out;
}

export function geneveOptions(flow: FlowKey, tlvMap: readonly TlvMapping[] | undefined): GeneveOptions {
  if (!tlvMap || tlvMap.length === 0) return NONE;
  const opts: string[] = [];
  let bytes = 0;
  let critical = false;
  for (const { m, value } of carried(flow, tlvMap)) {
    // The flow key keeps the first 4 bytes of an option; longer options carry zeros after them.
    opts.push(
      `{class=0x${m.optClass.toString(16)},type=0x${m.type.toString(16)},len=${m.length},0x${value.toString(16)}}`,
    );
    bytes += 4 + m.length;
    if (m.type & 0x80) critical = true;
  }
  if (opts.length === 0) return NONE;
  return { text: `options(${opts.join(",")})`, bytes, critical };
}

/**
 * The Geneve options of a kernel-style `set(tunnel(...))`, as odp-util's format_odp_tun_geneve prints
 * them: `geneve({class=0xffff,type=0,len=4,0x11112222}{…})` (types in C's `%#x`, options in the order of
 * their tun_metadataN), or "" when the flow carries none.
 */
export function geneveSetOptions(flow: FlowKey, tlvMap: readonly TlvMapping[] | undefined): string {
  if (!tlvMap || tlvMap.length === 0) return "";
  const index = (m: TlvMapping) => Number(/\d+$/.exec(m.field)?.[0] ?? 0);
  const opts = carried(flow, tlvMap)
    .sort((a, b) => index(a.m) - index(b.m))
    .map(
      ({ m, value }) =>
        `{class=0x${m.optClass.toString(16)},type=${m.type === 0 ? "0" : `0x${m.type.toString(16)}`},len=${m.length},0x${value.toString(16)}}`,
    );
  return opts.length > 0 ? `geneve(${opts.join("")})` : "";
}

/**
 * The receiving side: the options of a Geneve header (`bytes[offset .. offset + length)`) written to
 * the `tun_metadataN` fields the receiving bridge's TLV map gives them (the first 4 bytes of each: what
 * the flow key keeps). Options the map does not name are left out, as OVS leaves them unmatched; a
 * truncated option ends the list.
 */
export function geneveMetadataFromHeader(
  bytes: Uint8Array,
  offset: number,
  length: number,
  tlvMap: readonly TlvMapping[] | undefined,
  key: FlowKey,
): void {
  if (!tlvMap || tlvMap.length === 0) return;
  const end = Math.min(offset + length, bytes.length);
  let p = offset;
  while (p + 4 <= end) {
    const optClass = (bytes[p] << 8) | bytes[p + 1];
    const type = bytes[p + 2];
    const len = (bytes[p + 3] & 0x1f) * 4;
    if (p + 4 + len > end) return;
    const m = tlvMap.find((x) => x.optClass === optClass && x.type === type);
    const field = m ? lookupField(m.field) : undefined;
    if (field) {
      let v = 0n;
      for (let i = 0; i < Math.min(len, 4); i++) v = (v << 8n) | BigInt(bytes[p + 4 + i]);
      writeField(key, field, v);
    }
    p += 4 + len;
  }
}
