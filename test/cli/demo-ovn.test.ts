/**
 * `ovspath demo`'s OVN pair (text): what vm1 sent, replayed through hv1, Geneve and hv2, delivered where
 * OVS's own pcap of vm2 shows it and dropped elsewhere, each drop named by the ACL ovn-detrace named on
 * OVS's trace of the same packet (with the name `ovn-nbctl list ACL` gives it): ground truth recorded
 * with the demo's data by scripts/record-ovn-demo.sh.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ovspath } from "../support/cli.js";
import { REPO_ROOT } from "../support/shared.js";

const TRUTH = join(REPO_ROOT, "fixtures", "ovn-demo");
const ACLS = join(
  REPO_ROOT,
  "fixtures/demo/ovn/hosts/central/sos_commands/ovn_central/ovn-nbctl_--no-leader-only_list_ACL",
);

/**
 * The ACL ovn-detrace named on a recorded trace, with its NB name: `ACL "name": to-lport, …, drop`;
 * ovn-detrace's `(log)` of a logging ACL gets the severity from the NB list, as ovspath prints it.
 */
function namedAcl(detrace: string): string {
  let acl = /\* ACL: (.*)$/m.exec(readFileSync(join(TRUTH, "traces", detrace), "utf8"))?.[1] ?? "";
  const match = /match=\((.*)\), \w[\w-]*(?: \(log\))?$/.exec(acl)?.[1];
  const rec = readFileSync(ACLS, "utf8")
    .split("\n\n")
    .find((r) => r.includes(`match               : ${JSON.stringify(match)}`));
  const name = rec && /^name\s+: "?([^"\n]*)"?$/m.exec(rec)?.[1];
  if (!acl || !name) throw new Error(`${detrace}: no ACL or no name`);
  const severity = rec && /^severity\s+: (\w+)$/m.exec(rec)?.[1];
  if (acl.endsWith(" (log)") && severity) acl = `${acl.slice(0, -1)}, severity ${severity})`;
  return `ACL ${JSON.stringify(name)}: ${acl}`;
}

let text: string;
let status: number | null;
beforeAll(() => {
  const r = ovspath("demo", "--text", "--ovn");
  text = r.stdout;
  status = r.status;
});

/** The replay's line of frame N and what follows it up to the next frame. */
function frame(n: number): string {
  const lines = text.split("\n");
  const head = /^ *(\d+) +\d+\.\d+ /;
  const at = lines.findIndex((l) => head.exec(l)?.[1] === String(n));
  const end = lines.findIndex((l, i) => i > at && (head.test(l) || l === ""));
  return lines.slice(at, end).join("\n");
}

describe("demo --ovn --text", () => {
  it("exits 0 and draws the logical network", () => {
    expect(status).toBe(0);
    expect(text).toContain("  switch ls1 (datapath key 1)");
    expect(text).toMatch(/vm2 {2}key 2, .* on chassis hv2, plugged: hv2 br-int vm2/);
  });

  it("delivers to vm2 exactly the frames OVS wrote to vm2's tx pcap (ICMP, SSH)", () => {
    const tx = ovspath("decode", join(TRUTH, "captures", "hv2-vm2-tx.pcap")).stdout;
    const delivered = text
      .split("\n")
      .filter((l) => /DELIVERED delivered hv2:vm2$/.test(l))
      .map((l) => /10\.0\.1\.11 → .*?(?= {2}DELIVERED)/.exec(l)?.[0]);
    expect(delivered).toEqual(
      tx
        .trim()
        .split("\n")
        .map((l) => /10\.0\.1\.11 → .*$/.exec(l)?.[0]),
    );
  });

  it.each([
    // frame, recorded trace of that packet on hv2, the OVN drop line's head
    [3, "004-hv2.detrace.txt", 'OVN: dropped in "ls1" egress stage ls_out_acl by'],
    [
      4,
      "005-hv2.detrace.txt",
      'OVN: dropped (and logged by ovn-controller) in "ls1" egress stage ls_out_acl by',
    ],
  ])("frame %i: the drop names the ACL ovn-detrace names (%s) and the logical ports", (n, detrace, head) => {
    expect(frame(n)).toContain(`${head} ${namedAcl(detrace)} (inport "vm1", outport "vm2")`);
  });

  it("the HTTP drop's near miss: the SSH allow ACL, failed on the port", () => {
    expect(frame(3)).toContain(
      'near miss: ACL "server_ssh" to-lport priority 1002 allow-related (outport == @pg_server && ip4 && tcp && tcp.dst == 22): tcp.dst == 22, frame has 80',
    );
  });

  it("replay --json --ovn: ovnDrops on the dropped and the logged frames, with the ACL and ports", () => {
    const capture = join(REPO_ROOT, "fixtures/demo/ovn/hv1-vm1-rx.pcap");
    const hosts = join(REPO_ROOT, "fixtures/demo/ovn/hosts");
    const r = ovspath("replay", "--json", "--ovn", "--at", "hv1:vm1", capture, hosts);
    const frames = (
      JSON.parse(r.stdout) as {
        frames: Array<{
          verdict: string;
          ovnDrops?: Array<{ acl?: { name: string }; logged?: boolean; inport?: string; outport?: string }>;
        }>;
      }
    ).frames;
    expect(
      frames.map((f) => [
        f.verdict,
        (f.ovnDrops ?? []).map((d) => [d.acl?.name, d.logged ?? false, d.inport, d.outport]),
      ]),
    ).toEqual([
      ["delivered", []],
      ["delivered", []],
      ["dropped", [["default_drop_egress", false, "vm1", "vm2"]]],
      ["controller", [["server_telnet_log", true, "vm1", "vm2"]]],
    ]);
  });

  it("plain `demo --text` ends with the same OVN part after the ML2/OVS one", () => {
    // The replay's own timing differs run to run.
    const timeless = (t: string) => t.replace(/replayed in [0-9.]+ s/g, "replayed in T s");
    const all = ovspath("demo", "--text").stdout;
    expect(all).toContain("== topology of compute1");
    expect(timeless(all.slice(all.indexOf("== OVN:")))).toBe(timeless(text));
  });
});
