/**
 * The TUI's path and trace panes on an OVN chassis pair (the demo's, recorded from real OVN): each
 * OpenFlow step read as its logical flow and northbound object, the drop named by its ACL and logical
 * ports. The expected ACL is the one ovn-detrace named on OVS's own trace of the same packet, with the
 * name `ovn-nbctl list ACL` gives it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { TuiData } from "../../src/tui/app.js";
import { type Line, type OvnView, pathLines, traceLines } from "../../src/tui/view.js";
import { OVN_DEMO_TRUTH, ovnDemoData } from "../support/tui.js";

const text = (l: Line): string => l.map((s) => s.text).join("");

/** The ACL ovn-detrace names on a recorded trace (`ACL: to-lport, priority=…, match=(…), drop`). */
function detraceAcl(file: string): string {
  const m = /\* ACL: (.*)$/m.exec(readFileSync(join(OVN_DEMO_TRUTH, "traces", file), "utf8"));
  if (!m) throw new Error(`${file}: no ACL line`);
  return m[1];
}

/** The name `ovn-nbctl list ACL` gives the ACL of that match. */
function aclName(match: string): string {
  const list = readFileSync(
    join(
      OVN_DEMO_TRUTH,
      "..",
      "demo",
      "ovn",
      "hosts",
      "central",
      "sos_commands",
      "ovn_central",
      "ovn-nbctl_--no-leader-only_list_ACL",
    ),
    "utf8",
  );
  for (const rec of list.split("\n\n")) {
    if (!rec.includes(`match               : ${JSON.stringify(match)}`)) continue;
    // ovn-nbctl prints a plain name bare; ovspath quotes it as JSON.
    const m = /^name\s+: (.*)$/m.exec(rec);
    if (m) return JSON.stringify(m[1].replace(/^"(.*)"$/, "$1"));
  }
  throw new Error(`no ACL with match ${match}`);
}

let data: TuiData;
let ovn: OvnView;
beforeAll(async () => {
  data = await ovnDemoData();
  const replay = data.replay;
  if (!replay || !data.ovn) throw new Error("no replay");
  while (!replay.done) replay.step(50);
  ovn = { index: data.ovn, hosts: data.hosts };
});

const panes = (frame: number) => {
  const v = data.replay?.verdict(frame);
  const kind = data.replay?.kind(frame);
  return {
    path: pathLines(v, kind, false, ovn).map(text),
    trace: traceLines(v, kind, false, ovn).map(text),
    plainPath: pathLines(v, kind, false).map(text),
  };
};

describe("OVN logical names in the TUI (the demo's OVN pair)", () => {
  it("frame 3 (HTTP): the path and trace panes name the dropping ACL, as ovn-detrace did, and the logical ports", () => {
    const acl = detraceAcl("004-hv2.detrace.txt");
    expect(acl).toBe("to-lport, priority=1001, match=(outport == @pg_drop && ip), drop");
    const name = aclName("outport == @pg_drop && ip");
    const want = `OVN: dropped in "ls1" egress stage ls_out_acl by ACL ${name}: ${acl} (inport "vm1", outport "vm2")`;
    const { path, trace, plainPath } = panes(3);
    expect(path).toContain(want);
    expect(trace).toContain(want);
    // Without the databases the panes say nothing logical.
    expect(plainPath.some((l) => l.startsWith("OVN:"))).toBe(false);
    // The near miss: the allow ACL that failed on the port.
    expect(path.some((l) => /near miss: ACL "server_ssh" .*tcp\.dst == 22, frame has 80/.test(l))).toBe(true);
  });

  it("the path pane lists each chassis' OpenFlow steps as logical flows, with the ACL under its stage", () => {
    const { path } = panes(3);
    expect(path).toContain("logical flows on hv1 br-int");
    expect(path).toContain("logical flows on hv2 br-int");
    expect(path).toContain(
      `  table 46: Logical flow: "ls1" egress table=4 (ls_out_acl), priority=2001, match=(reg0[9] == 1 && (outport == @pg_drop && ip)), actions=(/* drop */)`,
    );
    expect(path).toContain(
      `    * ACL "default_drop_egress": to-lport, priority=1001, match=(outport == @pg_drop && ip), drop`,
    );
  });

  it("frame 2 (SSH): delivered; the trace pane annotates each step and the allowing ACL, no drop line", () => {
    const { path, trace } = panes(2);
    expect(path[0]).toMatch(/delivered/);
    expect(path.some((l) => l.startsWith("OVN: dropped"))).toBe(false);
    const acl = detraceAcl("002-hv2.detrace.txt");
    expect(
      trace.some((l) =>
        l.includes(`* ACL ${aclName("outport == @pg_server && ip4 && tcp && tcp.dst == 22")}: ${acl}`),
      ),
    ).toBe(true);
    expect(trace.some((l) => /^\s+\* logical: datapath "ls1" \(metadata=0x1\), inport "vm1"/.test(l))).toBe(
      true,
    );
  });
});
