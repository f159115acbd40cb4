import { readFileSync } from "node:fs";
import { relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFieldValue, formatParsedValue, parseFieldValue } from "../../src/model/field-value.js";
import {
  FIELD,
  FIELDS,
  lookupField,
  REGISTER,
  readField,
  wordBits,
  writeField,
} from "../../src/model/fields.js";
import { FLOW_WORDS, K, KSIZE, newFlowKey } from "../../src/model/layout.js";
import { LAB, labFiles } from "../support/lab.js";
import { NEEDS, skipWithoutShared } from "../support/shared.js";

/** Every `field=value` of the match part of every ovs-ofctl flow dump in the shared Neutron labs. */
function labMatchTokens(): Array<{ where: string; name: string; text: string }> {
  const out: Array<{ where: string; name: string; text: string }> = [];
  for (const file of labFiles(/^ovs-ofctl.*dump-flows/)) {
    const lines = readFileSync(file, "utf8").split("\n");
    for (const [i, line] of lines.entries()) {
      const cut = line.indexOf(" actions=");
      if (cut < 0) continue;
      const match = line.slice(0, cut).split(/[ ]+/).pop() ?? "";
      for (const token of match.split(",")) {
        const eq = token.indexOf("=");
        if (eq < 0) continue;
        const name = token.slice(0, eq);
        if (
          [
            "priority",
            "cookie",
            "table",
            "duration",
            "n_packets",
            "n_bytes",
            "idle_age",
            "hard_age",
            "idle_timeout",
            "hard_timeout",
            "importance",
          ].includes(name)
        )
          continue;
        out.push({ where: `${relative(LAB, file)}:${i + 1}`, name, text: token.slice(eq + 1) });
      }
    }
  }
  return out;
}

describe.skipIf(skipWithoutShared(NEEDS.labs))("every match field value in the lab dumps round-trips", () => {
  const tokens = labMatchTokens();
  it("finds the lab's match fields", () => expect(tokens.length).toBeGreaterThan(3000));
  it("parses and prints each exactly as ovs-ofctl did", () => {
    const problems: string[] = [];
    for (const t of tokens) {
      const f = lookupField(t.name);
      if (!f) {
        problems.push(`${t.where}: unknown field ${t.name}`);
        continue;
      }
      const parsed = parseFieldValue(f, t.text);
      if (!parsed.ok) problems.push(`${t.where}: ${parsed.message}`);
      else {
        const back = formatParsedValue(f, parsed.value);
        if (back !== t.text) problems.push(`${t.where}: ${t.name}=${t.text} printed as ${back}`);
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });
});

describe("field registry", () => {
  it("finds fields by canonical name, alias, NXM and OXM names", () => {
    expect(lookupField("eth_src")?.name).toBe("dl_src");
    expect(lookupField("NXM_OF_ETH_SRC")?.name).toBe("dl_src");
    expect(lookupField("oxm_of_ipv4_src")?.name).toBe("nw_src");
    expect(lookupField("NXM_NX_REG5")?.name).toBe("reg5");
    expect(lookupField("tcp_dst")?.name).toBe("tp_dst");
    expect(lookupField("no_such_field")).toBeUndefined();
  });

  it("declares each name once", () => {
    const names = FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("shares storage as OVS does", () => {
    const key = newFlowKey();
    const f = (n: string) => lookupField(n)!;
    writeField(key, f("xreg0"), 0x1122334455667788n);
    expect(readField(key, f("reg0"))).toBe(0x11223344n);
    expect(readField(key, f("reg1"))).toBe(0x55667788n);
    writeField(key, f("xxreg0"), 1n);
    expect(readField(key, f("reg3"))).toBe(1n);
    expect(readField(key, f("reg0"))).toBe(0n);
    writeField(key, f("arp_spa"), 0x0a000001n);
    expect(readField(key, f("nw_src"))).toBe(0x0a000001n);
    writeField(key, f("vlan_tci"), 0x1000n | (3n << 13n) | 100n);
    expect(readField(key, f("dl_vlan"))).toBe(100n);
    expect(readField(key, f("dl_vlan_pcp"))).toBe(3n);
    writeField(key, f("nw_tos"), 0xb9n);
    expect(readField(key, f("ip_dscp"))).toBe(0x2en);
    expect(readField(key, f("nw_ecn"))).toBe(1n);
    writeField(key, f("mpls_label"), 17n);
    writeField(key, f("mpls_ttl"), 64n);
    expect(readField(key, f("mpls_label"))).toBe(17n);
    expect(readField(key, f("mpls_ttl"))).toBe(64n);
  });

  it.each([
    ["nw_src", "10.0.0.0/24", "10.0.0.0/24"],
    ["nw_src", "10.0.0.1/255.0.255.0", "10.0.0.0/255.0.255.0"],
    ["ipv6_src", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["ipv6_dst", "fd00::/64", "fd00::/64"],
    ["tp_dst", "8000/0xffc0", "0x1f40/0xffc0"],
    ["ct_state", "+trk+new", "+new+trk"],
    ["ct_state", "-est+trk", "-est+trk"],
    ["tcp_flags", "+syn-ack", "+syn-ack"],
    ["tcp_flags", "syn|ack", "syn|ack"],
    ["nw_frag", "later", "later"],
    ["ct_mark", "0", "0"],
    ["ct_mark", "0x1/0x1", "0x1/0x1"],
    ["vlan_tci", "0x1000/0x1000", "0x1000/0x1000"],
    ["in_port", "LOCAL", "LOCAL"],
    ["in_port", "65534", "LOCAL"],
    ["in_port", '"patch-tun"', '"patch-tun"'],
    ["in_port", "qvo1a2b3c4d-5e", "qvo1a2b3c4d-5e"],
    ["dl_dst", "01:00:00:00:00:00/01:00:00:00:00:00", "01:00:00:00:00:00/01:00:00:00:00:00"],
  ])("%s=%s prints as %s", (name, text, want) => {
    const f = lookupField(name)!;
    const got = parseFieldValue(f, text);
    if (!got.ok) throw new Error(got.message);
    expect(formatParsedValue(f, got.value)).toBe(want);
  });

  it.each([
    ["nw_src", "10.0.0.300", /expected an IPv4 address/],
    ["dl_src", "fa:16:3e", /expected a MAC address/],
    ["nw_ttl", "64/0xff", /cannot be masked/],
    ["nw_proto", "256", /at most 8 bits/],
    ["nw_frag", "sometimes", /no, yes, first, later or not_later/],
    ["ct_state", "+trk+bogus", /expected/],
  ])("rejects %s=%s", (name, text, message) => {
    const got = parseFieldValue(lookupField(name)!, text);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.message).toMatch(message);
  });

  it("reads and writes every field as the plain bigint definition does, on random keys (the fast paths)", () => {
    // The definition: the slot's words as one big-endian number, the field `bits` wide at `shift`.
    const slotValue = (key: Uint32Array, off: number, words: number): bigint => {
      let v = 0n;
      for (let i = 0; i < words; i++) v = (v << 32n) | BigInt(key[off + i]);
      return v;
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...FIELDS),
        fc.uint32Array({ minLength: FLOW_WORDS, maxLength: FLOW_WORDS }),
        fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }),
        (f, words, value) => {
          const key = newFlowKey();
          key.set(words);
          const off = K[f.slot];
          const n = KSIZE[f.slot];
          const full = (1n << BigInt(f.bits)) - 1n;
          const before = slotValue(key, off, n);
          expect(readField(key, f)).toBe((before >> BigInt(f.shift)) & full);
          writeField(key, f, value);
          const m = full << BigInt(f.shift);
          expect(slotValue(key, off, n)).toBe((before & ~m) | ((value << BigInt(f.shift)) & m));
          // Nothing outside the slot changes.
          for (let i = 0; i < FLOW_WORDS; i++) if (i < off || i >= off + n) expect(key[i]).toBe(words[i]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("round-trips random masked values of every maskable numeric and address field", () => {
    const maskable = FIELDS.filter(
      (f) => f.maskable && ["dec", "hex", "mac", "ipv4", "ipv6"].includes(f.format),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...maskable),
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        (f, v, m) => {
          const full = (1n << BigInt(f.bits)) - 1n;
          const mask = m & full;
          const value = v & mask;
          const text = formatFieldValue(f, value, mask);
          const back = parseFieldValue(f, text);
          expect(back.ok && back.value).toEqual({ value, mask });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("FIELD, the fields code names by constant", () => {
  it("holds each declared field under its canonical name, the same object lookups return", () => {
    const entries = Object.entries(FIELD);
    expect(entries.length).toBeGreaterThan(70);
    for (const [name, def] of entries) {
      expect(def.name).toBe(name);
      expect(lookupField(name)).toBe(def);
    }
  });
  it("REGISTER holds reg0 to reg15 by number, the same objects lookups return", () => {
    expect(REGISTER.length).toBe(16);
    REGISTER.forEach((def, i) => {
      expect(def.name).toBe(`reg${i}`);
      expect(lookupField(`reg${i}`)).toBe(def);
    });
  });
});

describe("wordBits: a field's bits in place in its one-word slot (OVS's struct flow layouts)", () => {
  it.each([
    ["ip_dscp", 0xfc],
    ["nw_ecn", 0x03],
    ["nw_tos", 0xff],
    ["dl_vlan", 0x0fff],
    ["dl_vlan_pcp", 0xe000],
    ["vlan_tci", 0xffff],
    ["nw_src", 0xffffffff],
    // The top MPLS label stack entry: label(20) tc(3) bos(1) ttl(8), as on the wire.
    ["mpls_label", 0xfffff000],
    ["mpls_tc", 0xe00],
    ["mpls_bos", 0x100],
    ["mpls_ttl", 0xff],
  ] as const)("%s: %i", (name, bits) => {
    expect(wordBits(FIELD[name])).toBe(bits);
  });
  it("refuses a field held in more than one word", () => {
    expect(() => wordBits(FIELD.dl_src)).toThrow(/dl_src is not held in one word/);
  });
});
