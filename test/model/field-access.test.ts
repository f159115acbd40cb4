import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prereqsOk, readSubfield, writeSubfield } from "../../src/model/field-access.js";
import { FIELDS, fieldNamed, readField, writeField } from "../../src/model/fields.js";
import { CS, FLOW_WORDS, type FlowKey, K, newFlowKey } from "../../src/model/layout.js";

function flow(
  set: Partial<Record<"dlType" | "nwProto" | "tpSrc" | "tpDst" | "vlanTci" | "ctState", number>>,
): FlowKey {
  const f = newFlowKey();
  for (const [k, v] of Object.entries(set)) f[K[k as keyof typeof set]] = v;
  return f;
}

describe("readSubfield / writeSubfield (mf_read_subfield, mf_write_subfield)", () => {
  const cases: Array<{
    field: string;
    ofs: number;
    nBits: number;
    before: bigint;
    write: bigint;
    after: bigint;
  }> = [
    // reg0[8..15] of 0x1234abcd is 0xab; writing 0x5a there leaves the other 24 bits.
    { field: "reg0", ofs: 8, nBits: 8, before: 0x1234abcdn, write: 0x5an, after: 0x12345acdn },
    // A value wider than the range is cut to the range (OVS copies n_bits bits).
    { field: "reg5", ofs: 0, nBits: 4, before: 0xffffff00n, write: 0x1ffn, after: 0xffffff0fn },
    // 64-bit metadata, across the word boundary of the flow key.
    { field: "metadata", ofs: 28, nBits: 8, before: 0n, write: 0xffn, after: 0xff0000000n },
    // xxreg0: 128 bits over four register words; the top bit.
    { field: "xxreg0", ofs: 127, nBits: 1, before: 0n, write: 1n, after: 1n << 127n },
    // tun_id, 64 bits.
    {
      field: "tun_id",
      ofs: 0,
      nBits: 64,
      before: 0x64n,
      write: 0xdeadbeef00000001n,
      after: 0xdeadbeef00000001n,
    },
  ];
  it.each(cases)("$field[$ofs +$nBits]", ({ field, ofs, nBits, before, write, after }) => {
    const fd = fieldNamed(field);
    const f = newFlowKey();
    writeField(f, fd, before);
    const s = { field: fd, ofs, nBits };
    expect(readSubfield(f, s)).toBe((before >> BigInt(ofs)) & ((1n << BigInt(nBits)) - 1n));
    writeSubfield(f, s, write);
    expect(readField(f, fd)).toBe(after);
    expect(readSubfield(f, s)).toBe(write & ((1n << BigInt(nBits)) - 1n));
  });

  it("every range of every field, on random keys, as the bigint definition over the whole field", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIELDS),
        fc.uint32Array({ minLength: FLOW_WORDS, maxLength: FLOW_WORDS }),
        fc.nat(127),
        fc.integer({ min: 1, max: 128 }),
        fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }),
        (fd, words, a, b, value) => {
          // A range inside the field (the parser refuses others).
          const ofs = a % fd.bits;
          const nBits = 1 + ((b - 1) % (fd.bits - ofs));
          const s = { field: fd, ofs, nBits };
          const f = newFlowKey();
          f.set(words);
          const full = readField(f, fd);
          const ones = (1n << BigInt(nBits)) - 1n;
          expect(readSubfield(f, s)).toBe((full >> BigInt(ofs)) & ones);
          const want = newFlowKey();
          want.set(words);
          writeField(want, fd, (full & ~(ones << BigInt(ofs))) | ((value & ones) << BigInt(ofs)));
          writeSubfield(f, s, value);
          expect(Array.from(f)).toEqual(Array.from(want));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("prereqsOk (mf_are_prereqs_ok)", () => {
  const tcp4 = flow({ dlType: 0x0800, nwProto: 6 });
  const udp6 = flow({ dlType: 0x86dd, nwProto: 17 });
  const ns = flow({ dlType: 0x86dd, nwProto: 58, tpSrc: 135, tpDst: 0 });
  const na = flow({ dlType: 0x86dd, nwProto: 58, tpSrc: 136, tpDst: 0 });
  const nsCode1 = flow({ dlType: 0x86dd, nwProto: 58, tpSrc: 135, tpDst: 1 });
  const arp = flow({ dlType: 0x0806 });
  const rarp = flow({ dlType: 0x8035 });
  const mpls = flow({ dlType: 0x8848 });
  const tracked = flow({ dlType: 0x0800, ctState: CS.trk });
  const cases: Array<[string, FlowKey, string, boolean]> = [
    ["metadata needs nothing", arp, "reg3", true],
    ["tcp_src on IPv4 TCP", tcp4, "tcp_src", true],
    ["tp_src on ARP", arp, "tp_src", false],
    ["udp_dst on IPv6 UDP", udp6, "udp_dst", true],
    ["nw_src on IPv6", udp6, "nw_src", false],
    ["ipv6_src on IPv6", udp6, "ipv6_src", true],
    ["nw_ttl on either IP", udp6, "nw_ttl", true],
    ["arp_spa on ARP", arp, "arp_spa", true],
    ["arp_spa on RARP", rarp, "arp_spa", true],
    ["arp_spa on IPv4", tcp4, "arp_spa", false],
    ["nd_target on a solicitation", ns, "nd_target", true],
    ["nd_target on an advertisement", na, "nd_target", true],
    ["nd_target with ICMPv6 code 1", nsCode1, "nd_target", false],
    ["nd_sll on a solicitation", ns, "nd_sll", true],
    ["nd_sll on an advertisement", na, "nd_sll", false],
    ["nd_tll on an advertisement", na, "nd_tll", true],
    ["icmp_type on ICMPv6", ns, "icmp_type", false],
    ["icmpv6_type on ICMPv6", ns, "icmpv6_type", true],
    ["mpls_label on multicast MPLS", mpls, "mpls_label", true],
    ["mpls_label on IPv4", tcp4, "mpls_label", false],
    ["ct_nw_src once tracked", tracked, "ct_nw_src", true],
    ["ct_nw_src untracked", tcp4, "ct_nw_src", false],
  ];
  it.each(cases)("%s", (_, f, name, ok) => {
    expect(prereqsOk(f, fieldNamed(name))).toBe(ok);
  });
});
