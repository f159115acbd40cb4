import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { tunnelOf } from "../../src/decode/flowkey.js";
import type { TlvMapping } from "../../src/dumps/ovn/controller.js";
import { lookupField, readField, writeField } from "../../src/model/fields.js";
import { newFlowKey } from "../../src/model/layout.js";
import {
  geneveMetadataFromHeader,
  geneveOptions,
  geneveSetOptions,
} from "../../src/pipeline/geneve-options.js";
import { REPO_ROOT } from "../support/shared.js";

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

// Goldens: OVS 3.1's own tunnel.at "Delete Geneve option" (../shared/ovs-lab/ovs-testsuite), whose TLV map
// holds type 0 in tun_metadata0, 0x1 in tun_metadata1, 0x2 in tun_metadata3.
describe("geneveSetOptions: the options of a kernel-style set(tunnel(...))", () => {
  const ZERO: TlvMapping = { optClass: 0xffff, type: 0, length: 4, field: "tun_metadata0", line: 1 };
  const THREE: TlvMapping = { optClass: 0xffff, type: 0x2, length: 4, field: "tun_metadata3", line: 3 };
  it.each([
    [
      "two options, type 0 printed bare",
      { tun_metadata0: 0x11112222n, tun_metadata1: 0x55556666n },
      [ZERO, OTHER, THREE],
      "geneve({class=0xffff,type=0,len=4,0x11112222}{class=0xffff,type=0x1,len=4,0x55556666})",
    ],
    [
      "one option",
      { tun_metadata1: 0x77778888n },
      [ZERO, OTHER, THREE],
      "geneve({class=0xffff,type=0x1,len=4,0x77778888})",
    ],
    [
      "in tun_metadataN order, whatever the map's order",
      { tun_metadata0: 1n, tun_metadata1: 2n },
      [OTHER, ZERO],
      "geneve({class=0xffff,type=0,len=4,0x1}{class=0xffff,type=0x1,len=4,0x2})",
    ],
    ["none carried", {}, [ZERO, OTHER], ""],
  ])("%s", (_what, values, map, text) => {
    expect(geneveSetOptions(flowWith(values), map)).toBe(text);
  });
});

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

describe("geneveMetadataFromHeader", () => {
  /** The first frame OVS received on hv2's underlay NIC: vm1's ping to vm2 from hv1 (trace 006-hv2). */
  function firstFrame(): Uint8Array {
    const r = openCapture(join(REPO_ROOT, "fixtures/ovn-lab/captures/hv2-eth1-rx.pcap"));
    if (!r.ok) throw new Error(r.error.message);
    const rec = r.value.next();
    if (!rec) throw new Error("empty capture");
    const data = recordData(rec).slice();
    r.value.close();
    return data;
  }
  it("reads OVN's option into tun_metadata0: 0x10002, as OVS traced the same packet (006-hv2)", () => {
    const data = firstFrame();
    const t = tunnelOf(data, 1);
    expect(t?.kind).toBe("geneve");
    const key = newFlowKey();
    geneveMetadataFromHeader(data, t?.optOffset ?? 0, t?.optLength ?? 0, [OVN], key);
    expect(readField(key, lookupField("tun_metadata0") as NonNullable<ReturnType<typeof lookupField>>)).toBe(
      0x10002n,
    );
  });
  it.each([
    ["an option the map does not name", [OTHER]],
    ["no map", []],
  ])("%s: nothing written", (_, map) => {
    const data = firstFrame();
    const t = tunnelOf(data, 1);
    const key = newFlowKey();
    geneveMetadataFromHeader(data, t?.optOffset ?? 0, t?.optLength ?? 0, map, key);
    expect(key.every((w) => w === 0)).toBe(true);
  });
  it("a truncated option ends the list", () => {
    const key = newFlowKey();
    geneveMetadataFromHeader(Uint8Array.from([0x01, 0x02, 0x80, 0x01, 0, 0]), 0, 6, [OVN], key);
    expect(key.every((w) => w === 0)).toBe(true);
  });
});
