import { describe, expect, it } from "vitest";
import type { TlvMapping } from "../../src/dumps/ovn/controller.js";
import { lookupField, writeField } from "../../src/model/fields.js";
import { newFlowKey } from "../../src/model/layout.js";
import { geneveOptions } from "../../src/pipeline/geneve-options.js";

const OVN: TlvMapping = { optClass: 0x102, type: 0x80, length: 4, field: "tun_metadata0", line: 1 };
const OTHER: TlvMapping = { optClass: 0xffff, type: 0x01, length: 4, field: "tun_metadata1", line: 2 };

function flowWith(values: Record<string, bigint>) {
  const f = newFlowKey();
  for (const [k, v] of Object.entries(values)) {
    const field = lookupField(k);
    if (!field) throw new Error(k);
    writeField(f, field, v);
  }
  return f;
}

describe("geneveOptions (goldens: the OVN lab's recorded tnl_push headers)", () => {
  it.each([
    [
      "OVN's port pair (ovs-appctl ofproto/trace on hv1, 004-hv1)",
      { tun_metadata0: 0x10002n },
      [OVN],
      { text: "options({class=0x102,type=0x80,len=4,0x10002})", bytes: 8, critical: true },
    ],
    [
      "the flood group's key (030-hv1)",
      { tun_metadata0: 0x18000n },
      [OVN],
      { text: "options({class=0x102,type=0x80,len=4,0x18000})", bytes: 8, critical: true },
    ],
    ["nothing written: no option", {}, [OVN], { text: "", bytes: 0, critical: false }],
    ["no TLV map: no option", { tun_metadata0: 1n }, [], { text: "", bytes: 0, critical: false }],
    [
      "two options, one not critical",
      { tun_metadata0: 0x10002n, tun_metadata1: 5n },
      [OVN, OTHER],
      {
        text: "options({class=0x102,type=0x80,len=4,0x10002},{class=0xffff,type=0x1,len=4,0x5})",
        bytes: 16,
        critical: true,
      },
    ],
  ])("%s", (_, values, map, want) => expect(geneveOptions(flowWith(values), map)).toEqual(want));
});
