/**
 * Writes the benchmark capture of issue 2: N frames, 30% plain TCP, 10% 802.1Q UDP, 30% GRE (with key)
 * carrying Ethernet, 25% VXLAN, 5% ARP, frame sizes 60-1514, deterministic for a seed.
 * Frames are built from header templates into one reused buffer and written in 4 MiB chunks, so a
 * million frames take a few seconds and no memory to speak of.
 *
 * Usage: tsx scripts/bench/synth-capture.ts OUT.pcap [FRAMES] [SEED]
 */
import { closeSync, openSync, writeSync } from "node:fs";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const frame = Buffer.alloc(1514);

function mac(at: number, last: number): void {
  frame.writeUInt32BE(0xfa163e00, at);
  frame.writeUInt16BE(last & 0xffff, at + 4);
}

function eth(at: number, src: number, dst: number, type: number): number {
  mac(at, dst);
  mac(at + 6, src);
  frame.writeUInt16BE(type, at + 12);
  return at + 14;
}

function ipv4(at: number, total: number, proto: number, src: number, dst: number): number {
  frame.writeUInt8(0x45, at);
  frame.writeUInt8(0, at + 1);
  frame.writeUInt16BE(total, at + 2);
  frame.writeUInt16BE(0x1234, at + 4);
  frame.writeUInt16BE(0x4000, at + 6);
  frame.writeUInt8(64, at + 8);
  frame.writeUInt8(proto, at + 9);
  frame.writeUInt16BE(0, at + 10);
  frame.writeUInt32BE(src >>> 0, at + 12);
  frame.writeUInt32BE(dst >>> 0, at + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += frame.readUInt16BE(at + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  frame.writeUInt16BE(~sum & 0xffff, at + 10);
  return at + 20;
}

function tcp(at: number, sport: number, dport: number, flags: number): number {
  frame.writeUInt16BE(sport, at);
  frame.writeUInt16BE(dport, at + 2);
  frame.writeUInt32BE(1000, at + 4);
  frame.writeUInt32BE(2000, at + 8);
  frame.writeUInt16BE((5 << 12) | flags, at + 12);
  frame.writeUInt16BE(65535, at + 14);
  frame.writeUInt32BE(0, at + 16);
  return at + 20;
}

function udp(at: number, sport: number, dport: number, length: number): number {
  frame.writeUInt16BE(sport, at);
  frame.writeUInt16BE(dport, at + 2);
  frame.writeUInt16BE(length, at + 4);
  frame.writeUInt16BE(0, at + 6);
  return at + 8;
}

const TENANT = 0xc0a80a00; // 192.168.10.0/24
const UNDERLAY = 0x0a000000; // 10.0.0.0/24

/** Builds one frame of the given size class; returns its length. */
function build(kind: number, size: number, i: number): number {
  const host = 2 + (i % 200);
  switch (kind) {
    case 0: {
      // Plain TCP
      let p = eth(0, host, host + 1, 0x0800);
      p = ipv4(p, size - 14, 6, TENANT + host, TENANT + host + 1);
      tcp(p, 40000 + (i % 1000), 22, 0x018);
      return size;
    }
    case 1: {
      // 802.1Q UDP
      mac(0, host + 1);
      mac(6, host);
      frame.writeUInt16BE(0x8100, 12);
      frame.writeUInt16BE(100 + (i % 50), 14);
      frame.writeUInt16BE(0x0800, 16);
      const p = ipv4(18, size - 18, 17, TENANT + host, TENANT + host + 1);
      udp(p, 5000 + (i % 100), 53, size - 18 - 20);
      return size;
    }
    case 2: {
      // GRE with key carrying Ethernet (transparent Ethernet bridging), inner TCP
      let p = eth(0, 0x11, 0x12, 0x0800);
      p = ipv4(p, size - 14, 47, UNDERLAY + 11, UNDERLAY + 12);
      frame.writeUInt16BE(0x2000, p);
      frame.writeUInt16BE(0x6558, p + 2);
      frame.writeUInt32BE(1001 + (i % 4), p + 4);
      p = eth(p + 8, host, host + 1, 0x0800);
      const innerLen = size - p;
      p = ipv4(p, innerLen, 6, TENANT + host, TENANT + host + 1);
      tcp(p, 40000 + (i % 1000), 80, 0x010);
      return size;
    }
    case 3: {
      // VXLAN, inner UDP
      let p = eth(0, 0x11, 0x12, 0x0800);
      p = ipv4(p, size - 14, 17, UNDERLAY + 11, UNDERLAY + 12);
      p = udp(p, 49152 + (i % 16384), 4789, size - 34);
      frame.writeUInt32BE(0x08000000, p);
      frame.writeUInt32BE((100 + (i % 4)) << 8, p + 4);
      p = eth(p + 8, host, host + 1, 0x0800);
      const innerLen = size - p;
      p = ipv4(p, innerLen, 17, TENANT + host, TENANT + host + 1);
      udp(p, 6000 + (i % 100), 7000, innerLen - 20);
      return size;
    }
    default: {
      // ARP request, padded to the Ethernet minimum
      frame.fill(0xff, 0, 6);
      mac(6, host);
      frame.writeUInt16BE(0x0806, 12);
      frame.writeUInt32BE(0x00010800, 14);
      frame.writeUInt32BE(0x06040001, 18);
      mac(22, host);
      frame.writeUInt32BE(TENANT + host, 28);
      frame.fill(0, 32, 38);
      frame.writeUInt32BE(TENANT + host + 1, 38);
      frame.fill(0, 42, 60);
      return 60;
    }
  }
}

/** Minimum size that holds each kind's headers. */
const MIN_SIZE = [54, 60, 96, 96, 60];

export function writeSyntheticCapture(path: string, frames: number, seed = 1): { bytes: number } {
  const rand = mulberry32(seed);
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(4 << 20);
  let used = 0;
  let total = 0;
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  total += 24;
  let sec = 1_700_000_000;
  let usec = 0;
  for (let i = 0; i < frames; i++) {
    const r = rand();
    const kind = r < 0.3 ? 0 : r < 0.4 ? 1 : r < 0.7 ? 2 : r < 0.95 ? 3 : 4;
    const min = MIN_SIZE[kind];
    const size = kind === 4 ? 60 : min + Math.floor(rand() * (1514 - min + 1));
    frame.fill(0, 0, size);
    const len = build(kind, size, i);
    if (used + 16 + len > chunk.length) {
      writeSync(fd, chunk, 0, used);
      used = 0;
    }
    usec += 37;
    if (usec >= 1_000_000) {
      sec += 1;
      usec -= 1_000_000;
    }
    chunk.writeUInt32LE(sec, used);
    chunk.writeUInt32LE(usec, used + 4);
    chunk.writeUInt32LE(len, used + 8);
    chunk.writeUInt32LE(len, used + 12);
    frame.copy(chunk, used + 16, 0, len);
    used += 16 + len;
    total += 16 + len;
  }
  writeSync(fd, chunk, 0, used);
  closeSync(fd);
  return { bytes: total };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, n, seed] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: synth-capture OUT.pcap [FRAMES] [SEED]\n");
    process.exit(2);
  }
  const { bytes } = writeSyntheticCapture(out, Number(n ?? 1_000_000), Number(seed ?? 1));
  process.stdout.write(`${out}: ${bytes} bytes\n`);
}
