/**
 * Records `ofproto/trace` from a real ovs-vswitchd (the sandbox of ../shared/ovs-lab) on switches whose
 * state beyond the flow tables changes the answer, each dumped in that state (fixtures/ovs-live/NAME/,
 * compared line for line by test/pipeline/live-recorded.test.ts):
 * - bundle-member-down: bundle() and bundle_load() skip a member whose port is down
 *   (`ovs-ofctl mod-port br0 p1 down`, as OVS's bundle.at does; `ovs-ofctl show` prints it PORT_DOWN),
 *   and so does a fast-failover group's bucket watching it;
 * - frags-drop, frags-nx-match: `ovs-ofctl set-frags` (shown by `ovs-ofctl show` as `frags=`): "drop"
 *   drops every fragment before any lookup, "nx-match" looks fragments up with their transport ports,
 *   where "normal" (the default) reads those ports as 0.
 * - check-pkt-larger, check-pkt-len-unsupported: check_pkt_larger with the datapath's check_pkt_len (both
 *   outcomes composed) and without it (`dpif/set-dp-features br0 check_pkt_len false`: decided per
 *   packet in userspace, slow-pathed), traced with a flow alone and with packets of 100 and 300 bytes.
 * Run: npx tsx scripts/record-ovs-switch-state.ts (needs openvswitch-switch and ../shared).
 */
import { join } from "node:path";
import { icmpPacket } from "../test/support/icmp-packet.js";
import { REPO_ROOT } from "../test/support/shared.js";
import { recordOneBridge } from "./lib/record-one-bridge.js";

const OUT = join(REPO_ROOT, "fixtures", "ovs-live");

const BUNDLE_FLOWS = [
  "table=0,priority=10,in_port=4,actions=bundle(eth_src,50,active_backup,ofport,members:1,2)",
  "table=0,priority=10,in_port=3,actions=bundle(eth_src,50,active_backup,ofport,members:1)",
  "table=0,priority=10,in_port=2,actions=bundle_load(eth_src,50,active_backup,ofport,NXM_NX_REG0[],members:1,3),output:NXM_NX_REG0[0..15]",
];

recordOneBridge(
  join(OUT, "bundle-member-down"),
  "bundle-member-down",
  BUNDLE_FLOWS,
  [],
  [
    { name: "active-backup-skips-down", args: ["in_port=4,dl_src=50:54:00:00:00:05"] },
    { name: "only-member-down", args: ["in_port=3,dl_src=50:54:00:00:00:05"] },
    { name: "load-skips-down", args: ["in_port=2,dl_src=50:54:00:00:00:05"] },
    { name: "fast-failover-skips-down", args: ["in_port=1,dl_src=50:54:00:00:00:05"] },
  ],
  (sb) => {
    sb.must("ovs-ofctl", ["mod-port", "br0", "p1", "down"]);
    // A fast-failover group whose first bucket watches the port that is down.
    sb.must("ovs-ofctl", [
      "-O",
      "OpenFlow13",
      "add-group",
      "br0",
      "group_id=1,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_port:3,actions=output:3",
    ]);
    sb.must("ovs-ofctl", [
      "-O",
      "OpenFlow13",
      "add-flow",
      "br0",
      "table=0,priority=10,in_port=1,actions=group:1",
    ]);
  },
);

const FRAG_FLOWS = [
  "table=0,priority=75,tcp,nw_frag=no,tp_dst=80,actions=move:NXM_OF_TCP_DST[]->NXM_OF_TCP_SRC[],output:1",
  "table=0,priority=75,tcp,nw_frag=first,tp_dst=80,actions=move:NXM_OF_TCP_DST[]->NXM_OF_TCP_SRC[],output:2",
  "table=0,priority=50,tcp,nw_frag=no,actions=output:3",
  "table=0,priority=50,tcp,nw_frag=first,actions=resubmit(,1)",
  "table=0,priority=50,tcp,nw_frag=later,actions=output:1",
  "table=1,priority=10,tcp,tp_dst=80,actions=output:2",
  "table=1,priority=5,actions=output:3",
];
// A later fragment has no transport header: OVS refuses ports given for it.
const packet = (frag: string) =>
  `tcp,in_port=4,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:07,nw_src=192.168.0.1,nw_dst=192.168.0.2,nw_ttl=64,nw_frag=${frag}${frag === "later" ? "" : ",tp_src=12345,tp_dst=80"}`;
const FRAG_CASES = ["no", "first", "later"].map((frag) => ({ name: `frag-${frag}`, args: [packet(frag)] }));

for (const mode of ["drop", "nx-match"])
  recordOneBridge(join(OUT, `frags-${mode}`), `frags-${mode}`, FRAG_FLOWS, [], FRAG_CASES, (sb) =>
    sb.must("ovs-ofctl", ["set-frags", "br0", mode]),
  );

const icmpHex = (size: number): string => Buffer.from(icmpPacket(size)).toString("hex");

// OVS's ofproto-dpif.at "check_pkt_larger action", first table set: the rest of table 0's actions run
// once per outcome, composed into check_pkt_len(size=200,gt(...),le(...)).
const CHECK_FLOWS = [
  "table=0,in_port=1,actions=check_pkt_larger(200)->NXM_NX_REG0[0],resubmit(,1)",
  "table=1,in_port=1,reg0=0x1/0x1,actions=output:2,resubmit(,2)",
  "table=1,in_port=1,actions=output:3,resubmit(,2)",
  "table=2,in_port=1,actions=mod_dl_dst:82:82:82:82:82:82,output:4",
  // Registers after the check: the outer list goes on once, after check_pkt_len.
  "table=0,in_port=4,actions=load:0x1->NXM_NX_REG1[],resubmit(,3),output:2",
  "table=3,reg1=0x1,actions=check_pkt_larger(100)->NXM_NX_REG0[1],resubmit(,4)",
  "table=4,reg0=0x2/0x2,actions=output:3",
  "table=4,actions=output:1",
];
const CHECK_FLOW =
  "icmp,in_port=1,dl_src=50:54:00:00:00:09,dl_dst=50:54:00:00:00:0a,nw_src=10.10.10.2,nw_dst=10.10.10.1";
const CHECK_CASES = [
  { name: "flow-only", args: [CHECK_FLOW] },
  { name: "packet-100-bytes", args: ["in_port=1", icmpHex(100)] },
  { name: "packet-300-bytes", args: ["in_port=1", icmpHex(300)] },
  { name: "after-registers", args: [CHECK_FLOW.replace("in_port=1", "in_port=4")] },
];
recordOneBridge(join(OUT, "check-pkt-larger"), "check-pkt-larger", CHECK_FLOWS, [], CHECK_CASES);
// ofproto-dpif.at's `dpif/set-dp-features br0 check_pkt_len false`: userspace decides per packet.
recordOneBridge(
  join(OUT, "check-pkt-len-unsupported"),
  "check-pkt-len-unsupported",
  CHECK_FLOWS,
  [],
  CHECK_CASES,
  (sb) => sb.must("ovs-appctl", ["dpif/set-dp-features", "br0", "check_pkt_len", "false"]),
);
