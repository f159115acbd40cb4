/**
 * Ethernet (MAC) addresses as 48-bit bigints. Pure; parsers return `undefined` for text that is not
 * one.
 */

export const MAC_BITS = 48;
export const MAC_ALL = (1n << 48n) - 1n;

/** Which spellings a reader accepts. */
export type MacSyntax =
  /** `aa:bb:cc:dd:ee:ff` with 1 or 2 hex digits a byte: ovs-ofctl, ip, iptables, OVN. */
  | "colon"
  /** also `aa-bb-cc-dd-ee-ff` and Cisco's `aabb.ccdd.eeff`: Wireshark's display filters. */
  | "any";

const COLON = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;
const DASH = /^[0-9a-f]{1,2}(-[0-9a-f]{1,2}){5}$/i;
const DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;

function bytes(parts: string[]): bigint {
  return parts.reduce((v, b) => (v << 8n) | BigInt(Number.parseInt(b, 16)), 0n);
}

/** A hex digit's value, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/**
 * The common spelling, two digits a byte (`fa:16:3e:00:00:01`), read digit by digit: a dump of 100k
 * flows has a MAC on most of them, and a regular expression, a split and six bigints each were 5% of
 * its loading. Anything else is for the general path.
 */
function fullColonMac(text: string): bigint | undefined {
  if (text.length !== 17) return undefined;
  let v = 0;
  for (let i = 0; i < 17; i += 3) {
    const hi = hexDigit(text.charCodeAt(i));
    const lo = hexDigit(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0 || (i < 15 && text.charCodeAt(i + 2) !== 0x3a)) return undefined;
    // 48 bits stay exact in a double.
    v = v * 256 + hi * 16 + lo;
  }
  return BigInt(v);
}

/** `fa:16:3e:00:00:01` → 0xfa163e000001n. */
export function parseMac(text: string, syntax: MacSyntax = "colon"): bigint | undefined {
  const full = fullColonMac(text);
  if (full !== undefined) return full;
  if (COLON.test(text)) return bytes(text.split(":"));
  if (syntax === "colon") return undefined;
  if (DASH.test(text)) return bytes(text.split("-"));
  if (DOTTED.test(text)) return BigInt(`0x${text.replaceAll(".", "")}`);
  return undefined;
}

/** 0xfa163e000001n → `fa:16:3e:00:00:01` (lowercase, two digits a byte, as OVS and tshark print). */
export function formatMac(v: bigint): string {
  return (v & MAC_ALL).toString(16).padStart(12, "0").match(/../g)!.join(":");
}
