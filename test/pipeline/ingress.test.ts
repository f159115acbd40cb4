import { beforeAll, describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { type SimHost, switchesOf } from "../../src/pipeline/index.js";
import { ingressResolver, resolveAt } from "../../src/pipeline/ingress.js";

const DEMO = "fixtures/demo/hosts";

function frames(file: string): Uint8Array[] {
  const r = openCapture(file);
  if (!r.ok) throw new Error(r.error.message);
  const out: Uint8Array[] = [];
  for (let rec = r.value.next(); rec; rec = r.value.next()) out.push(recordData(rec).slice());
  r.value.close();
  return out;
}

describe("where a frame enters (the demo host, compute1 of the native-tunnel lab)", () => {
  let hosts: SimHost[];
  beforeAll(async () => {
    hosts = switchesOf(await loadHosts(DEMO));
  });

  it.each([
    // --at as given → the OVS port, and the Linux hops before it
    ["compute1:qvo8c2d4e6f-1a", "br-int", "qvo8c2d4e6f-1a", []],
    [
      "compute1:tap8c2d4e6f-1a",
      "br-int",
      "qvo8c2d4e6f-1a",
      ["tap8c2d4e6f-1a", "qbr8c2d4e6f-1a", "qvb8c2d4e6f-1a"],
    ],
    ["qbr8c2d4e6f-1a", "br-int", "qvo8c2d4e6f-1a", ["qbr8c2d4e6f-1a", "qvb8c2d4e6f-1a"]],
    ["compute1:qvb8c2d4e6f-1a", "br-int", "qvo8c2d4e6f-1a", ["qvb8c2d4e6f-1a"]],
    ["compute1:eth1", "br-phy", "eth1", []],
  ])("--at %s enters %s at %s", (at, bridge, port, before) => {
    const r = resolveAt(hosts, at);
    if (typeof r === "string") throw new Error(r);
    expect([r.port.bridge, r.port.name, r.before.map((h) => h.port)]).toEqual([bridge, port, before]);
  });

  it.each([
    ["compute9:qvo8c2d4e6f-1a", /no loaded host is called "compute9"/],
    ["compute1:qvo-nothing", /no port or device "qvo-nothing"/],
  ])("--at %s is refused: %s", (at, message) => {
    expect(resolveAt(hosts, at)).toMatch(message);
  });

  it("infers the VM port from the source MAC of what the VM sent", () => {
    const resolver = ingressResolver(hosts);
    const [first] = frames("fixtures/demo/compute1-qvo8c2d4e6f-1a-rx.pcap");
    const i = resolver.resolve(first, 1);
    expect(i.kind === "port" && i.port.name).toBe("qvo8c2d4e6f-1a");
  });

  it("an underlay frame for another host's endpoint is reported as such, not forced in", () => {
    // compute1's own eth1-tx: VXLAN from 10.0.0.11 to 10.0.0.21 and .12, hosts not loaded here.
    const resolver = ingressResolver(hosts);
    const vxlan = frames("fixtures/demo/compute1-eth1-tx.pcap")[1];
    const i = resolver.resolve(vxlan, 1);
    expect(i.kind).toBe("none");
    expect(i.kind === "none" && i.reason).toMatch(
      /vxlan frame to 10\.0\.0\.21, which is no loaded host's tunnel endpoint/,
    );
  });

  it("a pcapng interface name that is a port on the host is where the frame entered", () => {
    const resolver = ingressResolver(hosts);
    const [first] = frames("fixtures/demo/compute1-qvo8c2d4e6f-1a-rx.pcap");
    const i = resolver.resolve(first, 1, "qvo9d3e5f70-2b");
    expect(i.kind === "port" && i.port.name).toBe("qvo9d3e5f70-2b");
  });
});
