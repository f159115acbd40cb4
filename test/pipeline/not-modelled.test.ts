import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { parseTraceFlow, switchesOf, trace } from "../../src/pipeline/index.js";
import { notModelled } from "../../src/pipeline/not-modelled.js";
import { readRecordedTrace } from "../support/ovs-trace.js";
import { NEEDS, SHARED, skipWithoutShared } from "../support/shared.js";

const ROOT = join(SHARED, "ovs-lab", "ovs-testsuite");

/** Switches of OVS's own tests, one trace each: what ovspath must name (or nothing, where it models all). */
describe.skipIf(skipWithoutShared(NEEDS.ovsTestsuite) || !existsSync(ROOT))(
  "features a trace touched that ovspath does not model",
  () => {
    it.each([
      { name: "ofproto-dpif--mirroring-select-all", trace: "001.txt", want: [] },
      { name: "rstp--dummy-interface", trace: "003.txt", want: ["RSTP port states"] },
      { name: "ofproto-dpif--allow-duplicated-frames", trace: "001.txt", want: ["bonds"] },
      { name: "tunnel-push-pop--action--s10", trace: "001.txt", want: ["GTP-U tunnels"] },
      { name: "tunnel-push-pop-ipv6--action--s2", trace: "001.txt", want: ["IPv6 tunnels"] },
      { name: "ofproto-dpif--dscp", trace: "001.txt", want: ["QoS queues (set_queue)"] },
      { name: "ofproto-dpif--resubmit", trace: "001.txt", want: [] },
      { name: "tunnel-push-pop--action", trace: "001.txt", want: [] },
    ])("$name/$trace: $want", async ({ name, trace: file, want }) => {
      const [host] = await loadHosts(join(ROOT, name));
      const [sw] = switchesOf([host]);
      const rec = readRecordedTrace(readFileSync(join(ROOT, name, "traces", file), "utf8"));
      const parsed = parseTraceFlow(rec.flow, (n) => sw.bridges.get(rec.bridge)?.byName.get(n)?.ofport);
      if (!parsed.ok) throw new Error(parsed.message);
      const result = trace({
        host: sw,
        bridge: rec.bridge,
        flow: parsed.flow,
        withPacket: false,
        ctNext: [],
      });
      expect(notModelled(host, sw, result)).toEqual(want);
    });
  },
);

/**
 * After its last MPLS label is popped, an action reading the IP header makes OVS recirculate the packet
 * (recirc_for_mpls): recorded from real OVS 3.1, `Datapath actions: pop_mpls(eth_type=0x800),recirc(0x1)`
 * and the trace stops. ovspath composes the same actions and names the pass it does not follow.
 */
describe("recirculation after pop_mpls (fixtures/ovs-live/mpls)", () => {
  it.each([
    [
      "mpls,in_port=3,mpls_label=6,mpls_ttl=32,mpls_bos=1",
      ["recirculation after pop_mpls"],
      "pop_mpls(eth_type=0x800),recirc(0x1)",
    ],
    // Outputs after the pop need only the Ethernet header: no recirculation.
    [
      "mpls,in_port=3,mpls_label=5,mpls_ttl=32,mpls_bos=1",
      [],
      "set(mpls(label=20,tc=0,ttl=32,bos=1)),1,pop_mpls(eth_type=0x800),2",
    ],
  ])("%s", async (flow, want, actions) => {
    const [host] = await loadHosts(join("fixtures", "ovs-live", "mpls"));
    const [sw] = switchesOf([host]);
    const parsed = parseTraceFlow(flow, () => undefined);
    if (!parsed.ok) throw new Error(parsed.message);
    const result = trace({ host: sw, bridge: "br0", flow: parsed.flow, withPacket: false, ctNext: [] });
    expect(result.passes[0].datapathActions).toBe(actions);
    expect(notModelled(host, sw, result)).toEqual(want);
  });
});

describe("flows naming a feature ovspath does not model", () => {
  it.each([
    ["in_port=1,dl_type=0x894f,nsh_ttl=63", "NSH"],
    ["in_port=1,packet_type=(1,0x894f),nsh_mdtype=1", "NSH"],
    ["tcp,tun_dst=1.2.3.4,tun_gtpu_flags=0x30,in_port=1", "GTP-U tunnel metadata"],
    // OVS's tunnel.at "Geneve metadata" maps an 8-byte option to tun_metadata3.
    ["ip,tun_dst=1.1.1.2,tun_metadata3=0x1234567890abcdef,in_port=1", "Geneve options longer than 4 bytes"],
  ])("%s: %s", (flow, feature) => {
    const r = parseTraceFlow(flow, () => undefined);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.notModelled, r.message]).toEqual([feature, `not modelled by ovspath: ${feature}`]);
  });

  it.each(["tun_metadata0=0x11112222", "tun_metadata1=0x0011112222"])(
    "takes a 4-byte option: %s",
    (option) => {
      const r = parseTraceFlow(`ip,tun_dst=1.1.1.2,${option},in_port=1`, () => undefined);
      expect(r.ok, r.ok ? "" : r.message).toBe(true);
    },
  );

  it("takes OVS's Flow: line: Ethernet packet_type, GTP-U fields at zero, ct_state flag names", () => {
    const r = parseTraceFlow(
      "packet_type=(0,0),tcp,tun_src=1.1.1.1,tun_dst=1.2.3.4,tun_ipv6_src=::,tun_gbp_id=0,tun_erspan_ver=0,gtpu_flags=0,tun_gtpu_msgtype=0,in_port=1,ct_state=est|trk",
      () => undefined,
    );
    expect(r.ok, r.ok ? "" : r.message).toBe(true);
  });
});
