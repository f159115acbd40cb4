/**
 * The demo's OVN pair (fixtures/demo/ovn, recorded from real OVN): a central node and two chassis, one
 * logical switch, vm2's security group allowing SSH and ping while the default drop ACL drops the
 * rest. What vm1 sent is replayed through hv1, Geneve and hv2, each drop read in logical terms.
 */
import { join } from "node:path";
import { loadHosts } from "../../dumps/host/load.js";
import { buildOvnTopology } from "../../ovn/topology.js";
import { cookieIndexOf } from "../../ovn/trace-view.js";
import { switchesOf } from "../../pipeline/index.js";
import { ovnTopoText } from "../../present/ovn-topo-view.js";
import { out } from "../io.js";
import { runReplay } from "./replay.js";
import { openTui } from "./tui.js";

const CAPTURE = "hv1-vm1-rx.pcap";
const AT = "hv1:vm1";

/**
 * The OVN part of the demo: the TUI on vm1's capture (`tui`), else the text report. Its drops are the
 * point of the demo, not a failure: the exit status stays the decode's, as for the ML2/OVS part.
 */
export async function ovnDemo(dir: string, tui: boolean): Promise<void> {
  const ovnDir = join(dir, "ovn");
  const hosts = await loadHosts(join(ovnDir, "hosts"));
  const switches = switchesOf(hosts);
  const index = cookieIndexOf(hosts);
  // The demo's own data: an index is always there (a damaged installation is a bug, said plainly).
  if (typeof index === "string") throw new Error(`the demo's OVN data: ${index}`);
  const capture = join(ovnDir, CAPTURE);
  if (tui) {
    await openTui(capture, hosts, switches, { at: AT, ovn: index, title: `demo (OVN): ${CAPTURE}` });
    return;
  }
  out("== OVN: the central node and chassis hv1, hv2 (fixtures/demo/ovn/hosts), logical network");
  for (const l of ovnTopoText(buildOvnTopology(index.model, hosts))) out(l);
  out("");
  // SSH and ping reach vm2; HTTP is dropped on hv2 by the default drop ACL, named with its near misses.
  out(`== replay of ovn/${CAPTURE} (what vm1 sent vm2) through hv1, Geneve and hv2, in logical terms`);
  runReplay(capture, switches, hosts, { at: AT, ovn: index });
}
