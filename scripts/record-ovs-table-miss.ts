/**
 * Records `ofproto/trace` of CONTROLLER actions from a real ovs-vswitchd (the sandbox of ../shared/ovs-lab):
 * OVS reports a packet-in sent by a table-miss rule (priority 0, matching everything) as an explicit
 * miss (`controller(reason=6,...)`, OFPR_EXPLICIT_MISS), and one sent by any other rule, or by a rule
 * a table-miss rule resubmitted to, as an action (`reason=1`). Writes fixtures/ovs-live/table-miss/
 * (dumps as a sosreport holds them, and traces/NAME.txt whose first line is the command), which
 * test/pipeline/live-recorded.test.ts compares ovspath with, line for line.
 * Every OpenFlow connection here is OpenFlow 1.3: while one of 1.0-1.2 is open, OVS sends table misses
 * to the controller ("packet-in is called for"), which no dump shows.
 * Run: npx tsx scripts/record-ovs-table-miss.ts (needs openvswitch-switch and ../shared).
 */
import { join } from "node:path";
import { REPO_ROOT } from "../test/support/shared.js";
import { recordOneBridge } from "./lib/record-one-bridge.js";

const OUT = join(REPO_ROOT, "fixtures", "ovs-live", "table-miss");

const FLOWS = [
  "table=0,priority=20,in_port=2,actions=CONTROLLER",
  "table=0,priority=20,in_port=3,actions=goto_table:1",
  "table=0,priority=20,in_port=4,actions=resubmit(,2),CONTROLLER",
  "table=0,priority=0,actions=resubmit(,3),CONTROLLER:128",
  "table=1,priority=0,in_port=3,actions=CONTROLLER",
  "table=2,priority=0,actions=set_field:7->reg1,CONTROLLER",
  "table=3,priority=1,actions=CONTROLLER",
];

/** [name, flow]: which rule runs the CONTROLLER action. */
const CASES: Array<[string, string]> = [
  ["matching-rule", "in_port=2"],
  ["priority-0-with-match", "in_port=3"],
  ["table-miss-rule-after-resubmit", "in_port=1"],
  ["table-miss-rule-resubmitted-to", "in_port=4"],
];

recordOneBridge(
  OUT,
  "table-miss",
  FLOWS,
  ["-O", "OpenFlow13"],
  CASES.map(([name, flow]) => ({ name, args: [flow] })),
);
