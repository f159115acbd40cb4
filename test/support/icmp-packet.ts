/**
 * An ICMP echo request from 10.10.10.2 (50:54:00:00:00:09) to 10.10.10.1 (50:54:00:00:00:0a) of `size`
 * bytes in all, Ethernet header included: the packet of OVS's check_pkt_larger tests, at any length.
 * Checksums are left 0 (translation does not read them).
 */
export function icmpPacket(size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.set([0x50, 0x54, 0, 0, 0, 0x0a, 0x50, 0x54, 0, 0, 0, 0x09, 0x08, 0x00]);
  const ipLen = size - 14;
  b.set([0x45, 0, ipLen >> 8, ipLen & 0xff, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 10, 10, 2, 10, 10, 10, 1], 14);
  b.set([8, 0], 34);
  return b;
}
