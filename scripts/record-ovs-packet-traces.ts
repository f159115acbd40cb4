/**
 * Records `ofproto/trace BRIDGE FLOW HEX` from a real ovs-vswitchd (the sandbox of ../shared/ovs-lab):
 * which fields of FLOW OVS keeps for a given packet (only its metadata: in_port, tunnel, ct_*,
 * pkt_mark, skb_priority; registers and OpenFlow metadata start at zero) and a packet-in's
 * dont_send=0 when a packet is given. Writes fixtures/ovs-live/packet-metadata/ (dumps as a
 * sosreport holds them, and traces/NAME.txt whose first line is the command), which
 * test/pipeline/live-recorded.test.ts compares ovspath with, line for line.
 * Run: npx tsx scripts/record-ovs-packet-traces.ts (needs openvswitch-switch and ../shared).
 */
import { join } from "node:path";
import { REPO_ROOT } from "../test/support/shared.js";
import { recordOneBridge } from "./lib/record-one-bridge.js";

const OUT = join(REPO_ROOT, "fixtures", "ovs-live", "packet-metadata");

const FLOWS = [
  "table=0,priority=30,reg0=1,actions=output:2",
  "table=0,priority=30,metadata=0x5,actions=output:2",
  "table=0,priority=30,pkt_mark=7,actions=output:2",
  "table=0,priority=30,tun_id=0x10,actions=output:2",
  "table=0,priority=30,ct_state=+trk+est,ct_zone=5,actions=output:2",
  "table=0,priority=30,ct_state=+trk,ct_mark=0x9,actions=output:2",
  "table=0,priority=25,ip,ct_state=+trk+est,ct_nw_src=10.0.0.9,actions=output:3",
  "table=0,priority=20,in_port=3,actions=dec_ttl,output:1",
  "table=0,priority=20,in_port=4,actions=load:0x1->NXM_NX_REG0[],resubmit(,1)",
  "table=0,priority=20,in_port=2,actions=resubmit(,1)",
  "table=0,priority=10,actions=drop",
  "table=1,priority=10,reg0=1,actions=output:2",
  "table=1,priority=5,actions=controller",
];

const eth = "525400000002 525400000001 0800";
/** IPv4/UDP 10.0.0.1 → 10.0.0.2 with the given TTL. */
const udp = (ttl: number) =>
  `${eth} 4500001c00010000${ttl.toString(16).padStart(2, "0")}110000 0a000001 0a000002 1234 0035 0008 0000`.replace(
    / /g,
    "",
  );

/** [name, flow, packet]: the flow's fields beyond the metadata must be ignored by OVS. */
const CASES: Array<[string, string, string]> = [
  ["reg-from-flow", "in_port=1,reg0=1", udp(64)],
  ["metadata-from-flow", "in_port=1,metadata=0x5", udp(64)],
  ["pkt-mark-kept", "in_port=1,pkt_mark=7", udp(64)],
  ["tun-id-alone-dropped", "in_port=1,tun_id=0x10", udp(64)],
  ["tun-id-kept-with-dst", "in_port=1,tun_id=0x10,tun_dst=192.168.0.9", udp(64)],
  ["ct-zone-kept", "in_port=1,ct_state=trk|est,ct_zone=5", udp(64)],
  ["ct-mark-kept", "in_port=1,ct_state=trk,ct_mark=9", udp(64)],
  [
    "ct-tuple-kept",
    "ip,in_port=1,ct_state=trk|est,ct_nw_src=10.0.0.9,ct_nw_dst=10.0.0.2,ct_nw_proto=17",
    udp(64),
  ],
  ["ct-tuple-needs-valid", "ip,in_port=1,ct_state=trk|est|inv,ct_nw_src=10.0.0.9,ct_nw_proto=17", udp(64)],
  ["skb-priority-kept", "in_port=1,skb_priority=3", udp(64)],
  ["dl-fields-from-packet", "ip,in_port=1,dl_src=00:00:00:00:00:01,nw_ttl=9", udp(64)],
  ["ttl-1-controller", "in_port=3", udp(1)],
  ["reg-set-by-flow", "in_port=4,reg0=7", udp(64)],
  ["controller-with-packet", "in_port=2,reg0=1", udp(64)],
];

recordOneBridge(
  OUT,
  "packet-metadata",
  FLOWS,
  [],
  CASES.map(([name, flow, packet]) => ({ name, args: [flow, packet] })),
);
