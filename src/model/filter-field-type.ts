/**
 * The type of a display-filter field: what values it has, so that a literal that cannot be one is an
 * error when the filter is compiled (tshark's `"abc" is not a valid number`), not a filter that
 * silently matches nothing. Fields are declared with these next to whatever produces their values
 * (each decoder in `src/decode/<proto>.ts`, the replay verdict in `src/explain`). Pure.
 */

export type FilterFieldType =
  /** A protocol or a flag: present or not (`ip`, `drop`); compared, true/false or a number. */
  | { readonly kind: "bool" }
  /** An unsigned integer of `bits` bits (`ip.ttl`: 8); decimal, 0x hexadecimal or 0 octal. */
  | { readonly kind: "uint"; readonly bits: number }
  /** A real number (`frame.time_relative`). */
  | { readonly kind: "real" }
  /** An IPv4 address; a literal may be a network (`10.0.0.0/24`, `10.0.0.0/255.255.255.0`). */
  | { readonly kind: "ipv4" }
  /** An IPv6 address or network. */
  | { readonly kind: "ipv6" }
  /** A MAC address (`:`, `-` or `.` separated), optionally masked. */
  | { readonly kind: "mac" }
  /** Text: any literal. */
  | { readonly kind: "string" }
  /** One of a closed set of words (`reason`, `verdict`). */
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** Values of several forms (a flow's match field as dumped): any literal, compared by its readings. */
  | { readonly kind: "any" };

export const BOOL: FilterFieldType = { kind: "bool" };
export const REAL: FilterFieldType = { kind: "real" };
export const IPV4: FilterFieldType = { kind: "ipv4" };
export const IPV6: FilterFieldType = { kind: "ipv6" };
export const MAC: FilterFieldType = { kind: "mac" };
export const STRING: FilterFieldType = { kind: "string" };
export const ANY: FilterFieldType = { kind: "any" };
export const uint = (bits: number): FilterFieldType => ({ kind: "uint", bits });
export const oneOf = (values: readonly string[]): FilterFieldType => ({ kind: "enum", values });

/** A field's type as help text shows it (`unsigned 24-bit integer`, `IPv4 address`). */
export function describeFieldType(t: FilterFieldType): string {
  switch (t.kind) {
    case "bool":
      return "boolean";
    case "uint":
      return `unsigned ${t.bits}-bit integer`;
    case "real":
      return "number";
    case "ipv4":
      return "IPv4 address";
    case "ipv6":
      return "IPv6 address";
    case "mac":
      return "Ethernet address";
    case "string":
      return "character string";
    case "enum":
      return `one of ${t.values.join(", ")}`;
    case "any":
      return "value";
    default: {
      const never: never = t;
      return String(never);
    }
  }
}
