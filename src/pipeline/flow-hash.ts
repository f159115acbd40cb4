/** The hash ovspath uses where OVS hashes a packet to choose (multipath, bundle, select groups). */
import { type FlowKey, K } from "../model/layout.js";

/** A symmetric hash of the L2-L4 addresses (stable across runs; used where OVS hashes to choose). */
export function hashL4(f: FlowKey, basis: number): number {
  let h = (0x811c9dc5 ^ basis) >>> 0;
  const words = [
    f[K.dlSrc] ^ f[K.dlDst],
    f[K.dlSrc + 1] ^ f[K.dlDst + 1],
    f[K.dlType],
    f[K.nwSrc] ^ f[K.nwDst],
    f[K.nwProto],
    f[K.tpSrc] ^ f[K.tpDst],
  ];
  for (const w of words) h = Math.imul(h ^ w, 0x01000193) >>> 0;
  return h;
}
