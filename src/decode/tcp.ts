import { BOOL, uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, pushLayer, u16, u32 } from "./bytes.js";
import { bitOf, fromDetail, fromFields, hexNumber, type ProtocolDecl, portFields } from "./filter-decl.js";
import type { DecodeCtx } from "./types.js";

/** TCP: ports and the 12 flag bits (NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN and reserved). */
export function decodeTcp(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "tcp", off, 20);
  if (has(ctx, off, 2, end)) l.fields.sport = u16(d, off);
  if (has(ctx, off + 2, 2, end)) l.fields.dport = u16(d, off + 2);
  if (!has(ctx, off + 12, 2, end)) return cutShort(ctx, "tcp", end);
  l.fields.flags = hex16(u16(d, off + 12) & 0x0fff);
  l.length = (d[off + 12] >> 4) * 4;
  l.detail = { seq: u32(d, off + 4), ack: u32(d, off + 8) };
  if (has(ctx, off + 14, 2, end)) l.detail.window = u16(d, off + 14);
}

/** TCP flags: filter name, bit, what the help calls it. */
const TCP_FLAGS: ReadonlyArray<[string, number, string]> = [
  ["fin", 0x001, "FIN"],
  ["syn", 0x002, "SYN"],
  ["reset", 0x004, "RST"],
  ["push", 0x008, "PSH"],
  ["ack", 0x010, "ACK"],
  ["urg", 0x020, "URG"],
  ["ece", 0x040, "ECE"],
  ["cwr", 0x080, "CWR"],
  ["ae", 0x100, "AE (formerly NS)"],
  ["res", 0xe00, "any of the 3 reserved bits"],
];

/** The display-filter fields of TCP. */
export const TCP_PROTOCOL: ProtocolDecl = {
  name: "tcp",
  description: "TCP",
  layer: "tcp",
  fields: [
    ...portFields("tcp", "TCP"),
    {
      name: "tcp.flags",
      description: "TCP flags (0x012: SYN+ACK)",
      type: uint(16),
      read: fromFields("flags", hexNumber),
    },
    ...TCP_FLAGS.map(([n, mask, what]) => ({
      name: `tcp.flags.${n}`,
      description: `TCP ${what} flag (present on every TCP header: compare with == 1)`,
      type: BOOL,
      read: fromFields("flags", bitOf(mask)),
    })),
    {
      name: "tcp.seq",
      description: "TCP sequence number, absolute (Wireshark's tcp.seq is relative; this is its tcp.seq_raw)",
      type: uint(32),
      read: fromDetail("seq"),
    },
    {
      name: "tcp.seq_raw",
      description: "TCP sequence number, absolute",
      type: uint(32),
      read: fromDetail("seq"),
    },
    {
      name: "tcp.ack_raw",
      description: "TCP acknowledgement number, absolute",
      type: uint(32),
      read: fromDetail("ack"),
    },
    {
      name: "tcp.window_size_value",
      description: "TCP window (unscaled)",
      type: uint(16),
      read: fromDetail("window"),
    },
  ],
};
