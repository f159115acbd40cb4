import { describe, expect, it } from "vitest";
import {
  ANY,
  BOOL,
  describeFieldType,
  IPV4,
  IPV6,
  MAC,
  oneOf,
  REAL,
  STRING,
  uint,
} from "../../src/model/filter-field-type.js";

describe("describeFieldType", () => {
  it.each([
    [BOOL, "boolean"],
    [uint(24), "unsigned 24-bit integer"],
    [REAL, "number"],
    [IPV4, "IPv4 address"],
    [IPV6, "IPv6 address"],
    [MAC, "Ethernet address"],
    [STRING, "character string"],
    [oneOf(["a", "b"]), "one of a, b"],
    [ANY, "value"],
  ] as const)("%j → %s", (type, text) => {
    expect(describeFieldType(type)).toBe(text);
  });
});
