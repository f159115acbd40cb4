import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { bridgeMirrors } from "../../src/pipeline/mirror-config.js";
import { NEEDS, SHARED, skipWithoutShared } from "../support/shared.js";

const ROOT = join(SHARED, "ovs-lab", "ovs-testsuite");

/** The Mirror records of OVS's own mirroring tests, read as the pipeline uses them (ports by name). */
describe.skipIf(skipWithoutShared(NEEDS.ovsTestsuite) || !existsSync(ROOT))(
  "port mirrors from the OVSDB",
  () => {
    it.each([
      {
        name: "ofproto-dpif--mirroring-select-src",
        want: { selectAll: false, src: ["p1"], dst: [], outPort: "p3", outVlan: undefined, snaplen: 0 },
      },
      {
        name: "ofproto-dpif--mirroring-select-dst",
        want: { selectAll: false, src: [], dst: ["p2"], outPort: "p3", outVlan: undefined, snaplen: 0 },
      },
      {
        name: "ofproto-dpif--mirroring-output-vlan",
        want: { selectAll: true, src: [], dst: [], outPort: undefined, outVlan: 12, snaplen: 0 },
      },
      {
        name: "ofproto-dpif--mirroring-select-all-with-snaplen",
        want: { selectAll: true, src: [], dst: [], outPort: "p3", outVlan: undefined, snaplen: 100 },
      },
    ])("$name", async ({ name, want }) => {
      const [host] = await loadHosts(join(ROOT, name));
      const [m] = bridgeMirrors(host, "br0");
      expect({
        selectAll: m.selectAll,
        src: [...m.src],
        dst: [...m.dst],
        outPort: m.outPort,
        outVlan: m.outVlan,
        snaplen: m.snaplen,
      }).toEqual(want);
    });

    it("a bridge without mirrors has none", async () => {
      const [host] = await loadHosts(join(ROOT, "ofproto-dpif--resubmit"));
      expect(bridgeMirrors(host, "br0")).toEqual([]);
    });
  },
);
