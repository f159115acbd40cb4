import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decapsulateFor, frameBytes, tunnelFlow } from "../../src/cli/commands/trace-frame.js";
import { UsageError } from "../../src/cli/io.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { K, newFlowKey } from "../../src/model/layout.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { LAB } from "../support/lab.js";

const UNDERLAY = join("fixtures", "replay", "broken-vni100-underlay.pcap");
const BROKEN = join(LAB, "neutron-lab-broken");

describe("frameBytes", () => {
  it.each([
    ["no #N", UNDERLAY, /--frame takes CAPTURE#N/],
    ["a frame past the end", `${UNDERLAY}#99`, /has no frame 99/],
  ])("%s is a usage error", (_name, spec, message) => {
    expect(() => frameBytes(spec)).toThrow(UsageError);
    expect(() => frameBytes(spec)).toThrow(message);
  });

  it("frame N's bytes and link type", () => {
    const f = frameBytes(`${UNDERLAY}#1`);
    expect(f.linktype).toBe(1);
    expect(f.bytes.length).toBeGreaterThan(50);
  });
});

describe.runIf(existsSync(BROKEN))("decapsulateFor", () => {
  it("a VXLAN frame for compute2: its tunnel port, the inner frame, the tunnel metadata in the flow", async () => {
    const switches = switchesOf(await loadHosts(join(BROKEN, "compute2")));
    const d = decapsulateFor(switches, frameBytes(`${UNDERLAY}#1`), undefined);
    expect(d).toMatchObject({ bridge: "br-tun", port: "vxlan-0a00000b", tunnel: { kind: "vxlan", id: 100 } });
    if (!d) return;
    const flow = tunnelFlow(newFlowKey(), d, 2);
    expect([flow[K.tunId + 1], flow[K.inPort], flow[K.dlType]]).toEqual([100, 2, 0x0806]);
    expect(() => decapsulateFor(switches, frameBytes(`${UNDERLAY}#1`), "compute1")).toThrow(
      /a tunnel frame for compute2, not compute1/,
    );
  });

  it("not for a loaded host: left as it is", async () => {
    const switches = switchesOf(await loadHosts(join(BROKEN, "compute1")));
    expect(decapsulateFor(switches, frameBytes(`${UNDERLAY}#1`), undefined)).toBeUndefined();
  });
});
