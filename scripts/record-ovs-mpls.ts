/**
 * Records `ofproto/trace` of MPLS label pushes, pops and sets from a real ovs-vswitchd (the sandbox of
 * ../shared/ovs-lab) into fixtures/ovs-live/mpls/ (compared line for line by
 * test/pipeline/live-recorded.test.ts): OVS commits labels to the datapath at the next output
 * (commit_mpls_action: `push_mpls(label=…,tc=…,ttl=…,bos=…,eth_type=…)`, `set(mpls(…))`,
 * `pop_mpls(eth_type=…)`), popping before the IPv4 fields it then sets back; a fourth label fails the
 * translation ("Too many MPLS labels").
 * Run: npx tsx scripts/record-ovs-mpls.ts (needs openvswitch-switch and ../shared).
 */
import { join } from "node:path";
import { REPO_ROOT } from "../test/support/shared.js";
import { recordOneBridge } from "./lib/record-one-bridge.js";

const FLOWS = [
  "table=0,priority=10,in_port=1,ip,actions=push_mpls:0x8847,set_field:10->mpls_label,output:2",
  "table=0,priority=10,in_port=2,ip,actions=dec_ttl,push_mpls:0x8847,output:3,pop_mpls:0x0800,output:4",
  "table=0,priority=10,in_port=3,mpls,actions=set_field:20->mpls_label,output:1,pop_mpls:0x0800,output:2",
  "table=0,priority=10,in_port=4,ip,actions=push_mpls:0x8848,push_mpls:0x8847,set_field:7->mpls_tc,output:1",
  // After the last label is popped, an action reading the IP header makes OVS recirculate (ovspath names
  // it: no trace of it here, test/pipeline/not-modelled.test.ts asks for the name).
  "table=0,priority=20,in_port=3,mpls,mpls_label=6,actions=pop_mpls:0x0800,mod_nw_dst:10.0.0.9,output:2",
  // A fourth label is more than OVS keeps: translation fails.
  "table=0,priority=20,in_port=4,udp,tp_dst=53,actions=push_mpls:0x8847,push_mpls:0x8847,push_mpls:0x8847,push_mpls:0x8847,output:1",
];

recordOneBridge(
  join(REPO_ROOT, "fixtures", "ovs-live", "mpls"),
  "mpls",
  FLOWS,
  ["-O", "OpenFlow13"],
  [
    { name: "push-and-set", args: ["tcp,in_port=1,nw_ttl=64,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=80"] },
    { name: "push-output-pop", args: ["tcp,in_port=2,nw_ttl=64,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=80"] },
    { name: "set-then-pop", args: ["mpls,in_port=3,mpls_label=5,mpls_ttl=32,mpls_bos=1"] },
    { name: "two-labels", args: ["udp,in_port=4,nw_ttl=9,nw_src=10.0.0.1,nw_dst=10.0.0.2"] },
    { name: "four-labels", args: ["udp,in_port=4,nw_ttl=9,udp_dst=53"] },
  ],
);
