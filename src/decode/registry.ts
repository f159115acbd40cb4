import type { DecodeCtx, Decoder } from "./types.js";

/**
 * The next-layer dispatch tables, Wireshark's dissector tables in miniature. Decoders are registered
 * into them in one place (protocols.ts); `registerUdpPort` is the CLI's decode-as.
 */
export const ethertypes = new Map<number, Decoder>();
export const ipProtocols = new Map<number, Decoder>();
export const udpPorts = new Map<number, Decoder>();
export const greProtocols = new Map<number, Decoder>();
export const linktypes = new Map<number, Decoder>();
/** Decoders UDP ports can be pointed at by name. */
export const udpProtocolsByName = new Map<string, Decoder>();

export function dispatch(
  table: Map<number, Decoder>,
  key: number,
  ctx: DecodeCtx,
  off: number,
  end: number,
): boolean {
  const next = table.get(key);
  if (!next || off >= end) return false;
  next(ctx, off, end);
  return true;
}

/** Decode UDP `port` as `proto` (vxlan or geneve). */
export function registerUdpPort(port: number, proto: "vxlan" | "geneve"): void {
  const decoder = udpProtocolsByName.get(proto);
  if (!decoder) throw new Error(`no decoder named ${proto}`);
  udpPorts.set(port, decoder);
}
