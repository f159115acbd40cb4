/**
 * The cookie → logical flow → northbound object mapping against ovn-detrace itself: every step of every
 * recorded ofproto/trace has, in the recorded `.detrace.txt`, what ovn-detrace printed for its cookie
 * from the live databases; the same facts must come out of the database files sos copied.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { CookieIndex, type CookieTarget, cookiePrefix } from "../../src/ovn/cookies.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { REPO_ROOT } from "../support/shared.js";

/** Each recording with ovn-detrace's reading of its traces: hosts, traces, how many, how many steps at least. */
const LABS = [
  {
    name: "the OVN lab",
    hosts: join(REPO_ROOT, "fixtures/ovn-lab"),
    traces: join(REPO_ROOT, "fixtures/ovn-lab/traces"),
    count: 37,
    steps: 700,
    acls: 20,
  },
  {
    name: "the demo's OVN pair (a QoS meter, named ACLs)",
    hosts: join(REPO_ROOT, "fixtures/demo/ovn/hosts"),
    traces: join(REPO_ROOT, "fixtures/ovn-demo/traces"),
    count: 6,
    steps: 90,
    acls: 5,
  },
];
/** ovn-detrace prints match and actions with Python's strip('"'). */
const strip = (s: string) => s.replace(/^"+|"+$/g, "");

/** How each kind of ovn-detrace line reads as a fact (undefined: a heading, no fact). */
const DETRACE_LINES: Array<[RegExp, (m: RegExpExecArray) => string | undefined]> = [
  [
    /^Logical flow: table=(\d+) \((\w+)\), priority=(\d+), match=\((.*)$/,
    (m) => {
      const cut = m[4].lastIndexOf("), actions=(");
      return `lflow ${m[1]} ${m[2]} ${m[3]} (${m[4].slice(0, cut)}) (${m[4].slice(cut + 12, -1)})`;
    },
  ],
  [/^ {4}"(.*)" \([0-9a-f-]+\) \[(\w+)\]$/, (m) => `dp ${m[1]} ${m[2]}`],
  [
    /^Port Binding: logical_port "(.*)", tunnel_key (\d+), (?:chassis-name "(.*)", .*)?$/,
    (m) => `pb ${m[1]} ${m[2]} ${m[3] ?? "-"}`,
  ],
  [
    /^Multicast Group: name "(.*)", tunnel_key (\d+) ports: \((.*)\)$/,
    (m) => `mc ${m[1]} ${m[2]} ${m[3].split(", ").sort().join(",")}`,
  ],
  [
    /^ACL: (\S+), priority=(\d+), match=\((.*)\), ([\w-]+)( \(log\))?$/,
    (m) => `acl ${m[1]} ${m[2]} (${m[3]}) ${m[4]}${m[5] ? " log" : ""}`,
  ],
  [/^Logical Switch Port: (\S+) /, (m) => `lsp ${m[1]}`],
  [/^Logical Router Port: (\S+) /, (m) => `lrp ${m[1]}`],
  [/^Load Balancer: (\S+) /, (m) => `lb ${m[1]}`],
  [/^QoS: priority (\d+) direction (\S+) match /, (m) => `qos ${m[2]} ${m[1]}`],
  [/^Logical datapaths?:/, () => undefined],
];

/** The facts ovn-detrace printed after each cookie, step by step. */
function detraceFacts(text: string): Array<{ cookie: string; facts: string[] }> {
  const out: Array<{ cookie: string; facts: string[] }> = [];
  let cur: { cookie: string; facts: string[] } | undefined;
  for (const line of text.split("\n")) {
    const c = /^\d+\. .*cookie 0x([0-9a-f]+)$/.exec(line);
    if (c) {
      cur = { cookie: c[1], facts: [] };
      out.push(cur);
      continue;
    }
    if (!cur || !/^ {2,3}\* /.test(line)) continue;
    const t = line.replace(/^ {2,3}\* /, "");
    const rule = DETRACE_LINES.find(([re]) => re.test(t));
    if (!rule) throw new Error(`detrace line not understood by the test: ${line}`);
    const fact = rule[1](rule[0].exec(t) as RegExpExecArray);
    if (fact !== undefined) cur.facts.push(fact);
  }
  return out;
}

function ourFacts(targets: readonly CookieTarget[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (t.kind === "logicalFlow") {
      const f = t.flow;
      out.push(`lflow ${f.table} ${f.stage} ${f.priority} (${strip(f.match)}) (${strip(f.actions)})`);
      for (const d of f.datapaths) out.push(`dp ${d.name} ${f.pipeline}`);
      for (const o of t.nb) {
        if (o.kind === "acl")
          out.push(`acl ${o.direction} ${o.priority} (${strip(o.match)}) ${o.action}${o.log ? " log" : ""}`);
        else if (o.kind === "switchPort") out.push(`lsp ${o.name}`);
        else if (o.kind === "routerPort") out.push(`lrp ${o.name}`);
        else if (o.kind === "loadBalancer") out.push(`lb ${o.name}`);
        else if (o.kind === "qos") out.push(`qos ${o.direction} ${o.priority}`);
        else out.push(`${o.kind} ${o.uuid}`);
      }
    } else if (t.kind === "portBinding")
      out.push(`pb ${t.binding.logicalPort} ${t.binding.tunnelKey} ${t.binding.chassis?.name ?? "-"}`);
    else if (t.kind === "multicastGroup")
      out.push(`mc ${t.group.name} ${t.group.tunnelKey} ${[...t.group.ports].sort().join(",")}`);
    else out.push(`${t.kind}`);
  }
  return out.sort();
}

describe.each(LABS)("cookies: every step of the traces of $name maps as ovn-detrace mapped it", (lab) => {
  let hosts: Host[];
  let index: CookieIndex;
  beforeAll(async () => {
    hosts = await loadHosts(lab.hosts);
    index = new CookieIndex(buildOvnModel(ovnDatabases(hosts)));
  });
  const files = readdirSync(lab.traces)
    .filter((f) => f.endsWith(".detrace.txt"))
    .sort();
  it(`has its ${lab.count} detraced traces, ovn-detrace named something for nearly every step`, () => {
    expect(files).toHaveLength(lab.count);
    const all = files.flatMap((f) => detraceFacts(readFileSync(join(lab.traces, f), "utf8")));
    expect(all.length).toBeGreaterThan(lab.steps);
    expect(all.filter((s) => s.facts.some((x) => x.startsWith("acl "))).length).toBeGreaterThan(lab.acls);
  });
  it.each(files)("%s", (file) => {
    const steps = detraceFacts(readFileSync(join(lab.traces, file), "utf8"));
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps)
      expect({ cookie: s.cookie, facts: ourFacts(index.lookup(BigInt(`0x${s.cookie}`))) }).toEqual({
        cookie: s.cookie,
        facts: [...s.facts].sort(),
      });
  });
});

describe("cookiePrefix", () => {
  it.each([
    [0x76ce755n, "076ce755"],
    [0xcf78b820n, "cf78b820"],
    [0n, undefined],
    [0x1_0000_0000n, undefined],
  ])("%s → %s", (c, want) => expect(cookiePrefix(c)).toBe(want));
});
