/**
 * A synthetic flow table shaped like a large OVS-firewall host (neutron's tables 0/60/71-73/81-82/91-94):
 * per-port anti-spoofing, conntrack, remote-group conjunctions over many addresses, port ranges and
 * learn/NORMAL tails. Written twice: as `ovs-ofctl dump-flows` prints it (for ovspath) and as
 * add-flow syntax (for `ovs-ofctl parse-flows`, the comparison).
 */
import { writeFileSync } from "node:fs";

const hex = (n: number) => `0x${n.toString(16)}`;
const mac = (n: number) =>
  `fa:16:3e:${[(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
const ip = (n: number) => `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;

/** [table, priority, match, actions] for flow i. */
function flow(i: number): [number, number, string, string] {
  // One port per group of ten flows: every (table, priority, match) is unique, as in any real dump (OVS
  // replaces a flow added with the match and priority of an existing one).
  const port = 10 + Math.floor(i / 10);
  const zone = 1 + (i % 4000);
  switch (i % 10) {
    case 0:
      return [
        0,
        100,
        `in_port=${port},dl_src=${mac(i)}`,
        `set_field:${hex(port)}->reg5,set_field:${hex(zone)}->reg6,goto_table:71`,
      ];
    case 1:
      return [
        71,
        95,
        `ip,reg5=${hex(port)},in_port=${port},dl_src=${mac(i)},nw_src=${ip(i)}`,
        "goto_table:72",
      ];
    case 2:
      return [72, 70, `ct_state=+est-rel-rpl,ip,reg5=${hex(port)}`, "goto_table:73"];
    case 3:
      return [72, 70, `ct_state=+new-est,ip,reg5=${hex(port)},nw_src=${ip(i)}/32`, `conjunction(${i},1/2)`];
    case 4:
      return [
        72,
        70,
        `ct_state=+new-est,tcp,reg5=${hex(port)},tp_dst=0x1f40/0xffc0`,
        `conjunction(${i - 1},2/2)`,
      ];
    case 5:
      return [
        72,
        70,
        `conj_id=${i - 2},ct_state=+new-est,ip,reg5=${hex(port)}`,
        "ct(commit,zone=NXM_NX_REG6[0..15]),goto_table:73",
      ];
    case 6:
      return [60, 100, `ip,reg5=${hex(port)}`, "ct(table=72,zone=NXM_NX_REG6[0..15])"];
    case 7:
      return [73, 80, `reg5=${hex(port)}`, `output:${port}`];
    case 8:
      return [
        94,
        10,
        `reg6=${hex(zone)},dl_dst=${mac(i)}`,
        `push_vlan:0x8100,set_field:${4096 + (zone % 4095)}->vlan_vid,output:1`,
      ];
    default:
      return [
        20,
        1,
        `vlan_tci=0x1${(i % 4095).toString(16).padStart(3, "0")}/0x1fff,dl_dst=${mac(i)}`,
        "pop_vlan,set_field:0x3f2->tun_id,output:2",
      ];
  }
}

export function writeSyntheticFlows(dumpPath: string, flowsPath: string, n: number): void {
  const dump = ["OFPST_FLOW reply (OF1.3) (xid=0x2):"];
  const add: string[] = [];
  for (let i = 0; i < n; i++) {
    const [table, priority, match, actions] = flow(i);
    dump.push(
      ` cookie=0x4e8b7a1c2d3f5061, duration=${(i % 1000) + 0.5}s, table=${table}, n_packets=${i % 97}, n_bytes=${(i % 97) * 98}, priority=${priority},${match} actions=${actions}`,
    );
    add.push(`table=${table},priority=${priority},${match},actions=${actions}`);
  }
  writeFileSync(dumpPath, `${dump.join("\n")}\n`);
  writeFileSync(flowsPath, `${add.join("\n")}\n`);
}
