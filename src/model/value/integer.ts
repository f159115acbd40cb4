/**
 * Unsigned integers of a width, and value/mask pairs of them. Pure; parsers return `undefined` for
 * text that is not one or does not fit.
 */

const ALL_ONES = new Map<number, bigint>();

/**
 * The all-ones value of a width: allOnes(12) = 0xfffn. Made once per width (bigints are immutable, so
 * every field value of a dump can share its full mask instead of carrying a new one).
 */
export function allOnes(bits: number): bigint {
  let v = ALL_ONES.get(bits);
  if (v === undefined) {
    v = (1n << BigInt(bits)) - 1n;
    ALL_ONES.set(bits, v);
  }
  return v;
}

export interface IntegerSyntax {
  /** A leading `0` means octal (`010` = 8), as C and Wireshark's display filters read it; OVS does not. */
  readonly octal?: boolean;
}

/** Decimal or `0x` hexadecimal (and, with `octal`, `0`-prefixed octal) → the value, of any size. */
export function parseInteger(text: string, syntax: IntegerSyntax = {}): bigint | undefined {
  if (!syntax.octal) return plainInteger(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  if (syntax.octal && /^0[0-7]+$/.test(text)) return BigInt(`0o${text.slice(1)}`);
  if (/^[0-9]+$/.test(text) && !(syntax.octal && /^0[0-9]/.test(text))) return BigInt(text);
  return undefined;
}

/**
 * Decimal or `0x` hexadecimal, checked by character codes (no regular expression: every number of a
 * large flow dump comes here).
 */
function plainInteger(text: string): bigint | undefined {
  const hex = text.length > 2 && text.charCodeAt(0) === 0x30 && (text.charCodeAt(1) | 0x20) === 0x78;
  // Summed as a double along the way: BigInt of a number is a quick builtin, BigInt of a string a call
  // into the runtime's string parser. Exact while the value stays below 2^53, which nearly every field
  // and argument of a dump does; longer numbers are given to BigInt as text.
  let v = 0;
  for (let i = hex ? 2 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      v = hex ? v * 16 + (c - 0x30) : v * 10 + (c - 0x30);
      continue;
    }
    const l = c | 0x20;
    if (!hex || l < 0x61 || l > 0x66) return undefined;
    v = v * 16 + (l - 0x57);
  }
  if (text.length === 0) return undefined;
  return v <= Number.MAX_SAFE_INTEGER ? BigInt(v) : BigInt(text);
}

/** parseInteger, when the value fits in `bits` bits. */
export function parseUnsigned(text: string, bits: number, syntax: IntegerSyntax = {}): bigint | undefined {
  const v = parseInteger(text, syntax);
  return v !== undefined && v <= allOnes(bits) ? v : undefined;
}

/** C's `%#x`: `0x1f`, and `0` for zero (how ovs-ofctl prints masked and hexadecimal fields). */
export function formatHex(v: bigint): string {
  return v === 0n ? "0" : `0x${v.toString(16)}`;
}

export interface Masked {
  readonly value: bigint;
  readonly mask: bigint;
}

/** `VALUE` or `VALUE/MASK`, each an unsigned of `bits` bits; an absent mask is all ones. */
export function parseMaskedUnsigned(
  text: string,
  bits: number,
  syntax: IntegerSyntax = {},
): Masked | undefined {
  const slash = text.indexOf("/");
  const value = parseUnsigned(slash < 0 ? text : text.slice(0, slash), bits, syntax);
  if (value === undefined) return undefined;
  if (slash < 0) return { value, mask: allOnes(bits) };
  const mask = parseUnsigned(text.slice(slash + 1), bits, syntax);
  return mask === undefined ? undefined : { value, mask };
}
