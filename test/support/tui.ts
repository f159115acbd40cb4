/** Helpers of the TUI tests: the demo's data (fixtures/demo) and the broken lab's, rendered headless. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadHosts } from "../../src/dumps/host/load.js";
import { cookieIndexOf } from "../../src/ovn/trace-view.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { resolveAt } from "../../src/pipeline/ingress.js";
import type { TuiData } from "../../src/tui/app.js";
import { openTuiData } from "../../src/tui/run.js";
import { LAB } from "./lab.js";
import { REPO_ROOT } from "./shared.js";

export const DEMO = join(REPO_ROOT, "fixtures", "demo");
export const DEMO_CAPTURE = join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap");
export const UNDERLAY = join(REPO_ROOT, "fixtures", "replay", "broken-vni100-underlay.pcap");
export const BROKEN = join(LAB, "neutron-lab-broken");
export const HAVE_BROKEN = existsSync(BROKEN);

/** The demo as `ovspath demo` opens it: vm1's capture replayed through compute1 from its port. */
export async function demoData(): Promise<TuiData> {
  const hosts = await loadHosts(join(DEMO, "hosts"));
  const switches = switchesOf(hosts);
  const at = resolveAt(switches, "compute1:qvo8c2d4e6f-1a");
  if (typeof at === "string") throw new Error(at);
  const data = openTuiData({ capture: DEMO_CAPTURE, hosts, switches, replay: { at }, title: "demo" });
  if (typeof data === "string") throw new Error(data);
  return data;
}

export const OVN_DEMO = join(DEMO, "ovn");
/** The ground truth recorded beside the demo's OVN pair (ofproto/trace, ovn-detrace, ovn-trace, pcaps). */
export const OVN_DEMO_TRUTH = join(REPO_ROOT, "fixtures", "ovn-demo");

/** The demo's OVN pair as `ovspath demo` opens it: vm1's capture through hv1, Geneve, hv2, with the central's databases. */
export async function ovnDemoData(): Promise<TuiData> {
  const hosts = await loadHosts(join(OVN_DEMO, "hosts"));
  const switches = switchesOf(hosts);
  const at = resolveAt(switches, "hv1:vm1");
  if (typeof at === "string") throw new Error(at);
  const ovn = cookieIndexOf(hosts);
  if (typeof ovn === "string") throw new Error(ovn);
  const capture = join(OVN_DEMO, "hv1-vm1-rx.pcap");
  const data = openTuiData({ capture, hosts, switches, replay: { at }, title: "ovn demo", ovn });
  if (typeof data === "string") throw new Error(data);
  return data;
}

/** The VNI-100 underlay capture through compute2 of neutron-lab-broken (dropped in br-tun table 4). */
export async function brokenData(): Promise<TuiData> {
  const hosts = await loadHosts(join(BROKEN, "compute2"));
  const data = openTuiData({ capture: UNDERLAY, hosts, switches: switchesOf(hosts), title: "broken" });
  if (typeof data === "string") throw new Error(data);
  return data;
}

/** Lets Ink handle pending input and render. */
export const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** vm1's own capture with all three hosts of neutron-lab-broken: floods delivered, dropped on compute2. */
export async function brokenVmData(): Promise<TuiData> {
  const hosts = (
    await Promise.all(["compute1", "compute2", "network"].map((h) => loadHosts(join(BROKEN, h))))
  ).flat();
  const capture = join(BROKEN, "compute1", "captures", "qvo1a2b3c4d-5e-tx.pcap");
  const data = openTuiData({ capture, hosts, switches: switchesOf(hosts), title: "broken vm1" });
  if (typeof data === "string") throw new Error(data);
  return data;
}
