/**
 * A damaged line in any dump yields an error naming file, line and column (the caret position), and the
 * rest of the file is still read. One table: each parser, a small dump with one bad line, where it is.
 */

import { describe, expect, it } from "vitest";
import { parseDpctlShow, parseDpifShow } from "../../src/dumps/appctl/datapath.js";
import { parseDpFlows } from "../../src/dumps/appctl/dp-flows.js";
import { parseFdbShow } from "../../src/dumps/appctl/fdb.js";
import { parseListTunnels, parseRouteShow, parseTnlArp } from "../../src/dumps/appctl/tunnels.js";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { parseBrctlShow } from "../../src/dumps/linux/brctl.js";
import { parseIpAddr } from "../../src/dumps/linux/ip-addr.js";
import { parseIpLink } from "../../src/dumps/linux/ip-link.js";
import { parseOfctlDumpGroups } from "../../src/dumps/ofctl/groups.js";
import { parseOfctlDumpPorts } from "../../src/dumps/ofctl/port-stats.js";
import { parseOfctlShow } from "../../src/dumps/ofctl/ports.js";
import type { Parsed } from "../../src/dumps/parsed.js";
import { parseVsctlList } from "../../src/dumps/vsctl/list.js";
import { parseVsctlShow } from "../../src/dumps/vsctl/show.js";
import { type DamagedLine, expectAt } from "../support/damaged.js";

interface Case extends DamagedLine {
  parse: (text: string, file: string) => Parsed<unknown>;
  /** How many items were still read around the damage. */
  count: (v: never) => number;
}

const len = (v: unknown[]) => v.length;

const CASES: Case[] = [
  {
    name: "dump-flows: a bad match value",
    parse: parseFlowDump,
    text: " priority=1,in_port=1 actions=drop\n priority=2,nw_src=10.0.0.300 actions=drop\n priority=3 actions=NORMAL\n",
    line: 2,
    column: 20,
    message: /IPv4 address/,
    count: ((v: { flows: unknown[] }) => v.flows.length) as never,
  },
  {
    name: "dump-flows: a bad action",
    parse: parseFlowDump,
    text: " priority=1 actions=output:1,resubmit(,999)\n priority=3 actions=NORMAL\n",
    line: 1,
    column: 40,
    message: /table number/,
    count: ((v: { flows: unknown[] }) => v.flows.length) as never,
  },
  {
    name: "ofctl show: garbage between ports",
    parse: parseOfctlShow,
    text: "OFPT_FEATURES_REPLY (xid=0x2): dpid:0000000000000001\n 1(p1): addr:aa:bb:cc:dd:ee:ff\n     config:     0\n  what is this\n 2(p2): addr:aa:bb:cc:dd:ee:00\n",
    line: 4,
    column: 3,
    message: /not understood/,
    count: ((v: { ports: unknown[] }) => v.ports.length) as never,
  },
  {
    name: "dump-ports: a counter that is not a number",
    parse: parseOfctlDumpPorts,
    text: "OFPST_PORT reply (xid=0x2): 2 ports\n  port  1: rx pkts=x, bytes=1, drop=0, errs=0, frame=0, over=0, crc=0\n  port  2: rx pkts=1, bytes=1, drop=0, errs=0, frame=0, over=0, crc=0\n",
    line: 2,
    column: 15,
    message: /rx counters/,
    count: len as never,
  },
  {
    name: "dump-groups: a bucket with a bad action",
    parse: parseOfctlDumpGroups,
    text: "OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):\n group_id=1,type=all,bucket=actions=output:1,bucket=actions=mod_vlan_vid:5000\n group_id=2,type=all,bucket=actions=output:2\n",
    line: 2,
    column: 74,
    message: /does not fit in 12 bits/,
    count: len as never,
  },
  {
    name: "vsctl show: a broken options map",
    parse: parseVsctlShow,
    text: 'abcdef01-0000-0000-0000-000000000000\n    Bridge br-int\n        Port p1\n            Interface p1\n                options: {peer=x, remote_ip="1.2.3.4}\n        Port p2\n            Interface p2\n',
    line: 5,
    column: 54,
    message: /unterminated quoted string/,
    count: ((v: { bridges: Array<{ ports: unknown[] }> }) => v.bridges[0].ports.length) as never,
  },
  {
    name: "vsctl list: a line outside the column : value layout",
    parse: parseVsctlList,
    text: "_uuid               : 4c55c6f9-bf77-4640-ba1d-6ca7811229e1\nname                : p1\nbogus line\n\n_uuid               : 5c55c6f9-bf77-4640-ba1d-6ca7811229e1\n",
    line: 3,
    column: 1,
    message: /not understood/,
    count: len as never,
  },
  {
    name: "dpctl show: an unknown line",
    parse: parseDpctlShow,
    text: "system@ovs-system:\n  lookups: hit:1 missed:2 lost:0\n  flows: 3\n  port 0: ovs-system (internal)\n  ??\n  port 1: eth1\n",
    line: 5,
    column: 3,
    message: /not understood/,
    count: ((v: Array<{ ports: unknown[] }>) => v[0].ports.length) as never,
  },
  {
    name: "dpif/show: a port line without numbers",
    parse: parseDpifShow,
    text: "system@ovs-system: hit:1 missed:2\n  br-int:\n    br-int 65534/1: (internal)\n    qvo1 x/y: (system)\n",
    line: 4,
    column: 5,
    message: /not understood/,
    count: ((v: { datapaths: Array<{ bridges: Array<{ ports: unknown[] }> }> }) =>
      v.datapaths[0].bridges[0].ports.length) as never,
  },
  {
    name: "dp flows: unbalanced parentheses in the key",
    parse: parseDpFlows,
    text: "recirc_id(0),in_port(2),eth(src=aa:bb:cc:dd:ee:ff, packets:1, bytes:2, used:never, actions:3\nrecirc_id(0),in_port(3), packets:1, bytes:2, used:never, actions:drop\n",
    line: 1,
    column: 50,
    message: /flow key/,
    count: len as never,
  },
  {
    name: "fdb/show: a row with a short MAC",
    parse: parseFdbShow,
    text: " port  VLAN  MAC                Age\n    1     1  fa:16:3e:22:a2:01   18\n    2     1  fa:16:3e:22   18\n",
    line: 3,
    column: 5,
    message: /fdb\/show row/,
    count: len as never,
  },
  {
    name: "list-tunnels: not a tunnel line",
    parse: parseListTunnels,
    text: "port 4789: vxlan-1 (vxlan: 10.0.0.1->10.0.0.2, key=flow, dp port=4789, ttl=64)\nnonsense\n",
    line: 2,
    column: 1,
    message: /list-tunnels/,
    count: len as never,
  },
  {
    name: "tnl/arp/show: a row without a MAC",
    parse: parseTnlArp,
    text: "IP                                            MAC                 Bridge\n=====\n10.0.0.2   br-phy\n10.0.0.3   52:54:00:5a:00:12   br-phy\n",
    line: 3,
    column: 1,
    message: /tnl\/arp\/show/,
    count: len as never,
  },
  {
    name: "ovs/route/show: a route without dev",
    parse: parseRouteShow,
    text: "Route Table:\nCached: 10.0.0.0/24 dev br-phy SRC 10.0.0.11\nCached: 10.0.1.0/24 via nowhere\n",
    line: 3,
    column: 1,
    message: /route/,
    count: len as never,
  },
  {
    name: "ip link: text before the first link",
    parse: parseIpLink,
    text: "oops\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    line: 1,
    column: 1,
    message: /ip link/,
    count: len as never,
  },
  {
    name: "ip address: a one-line address with an unknown tail",
    parse: parseIpAddr,
    text: "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n2: eth1    inet 10.0.0.1/24 scope global eth1\\       garbage\n",
    line: 2,
    column: 1,
    message: /ip -o address/,
    count: len as never,
  },
  {
    name: "brctl show: an interface before any bridge",
    parse: parseBrctlShow,
    text: "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n\t\t\t\t\t\t\ttap1\nqbr1\t\t8000.aef9701aee3f\tno\t\tqvb1\n",
    line: 2,
    column: 8,
    message: /brctl/,
    count: len as never,
  },
];

describe("a damaged line is reported with file, line and column; the rest is read", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { value, diagnostics } = c.parse(c.text, "dump.txt");
      expect(diagnostics).toHaveLength(1);
      expectAt(diagnostics[0], "dump.txt", c);
      expect((c.count as (v: unknown) => number)(value)).toBeGreaterThan(0);
    });
  }
});
