/**
 * iptables-save: the recorded host's dumps (from the kernel's own iptables-save -c) read without a
 * diagnostic and re-printed rule for rule; damaged lines give one diagnostic each at the right column
 * and the rest is read.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../src/dumps/netfilter/iptables-save.js";
import { sos } from "../../firewall/support.js";
import { type DamagedLine, expectAt } from "../../support/damaged.js";

describe("the recorded iptables-save -c dumps", () => {
  it.each([
    ["firewall_tables/iptables-save_-c", "ipv4"],
    ["firewall_tables/ip6tables-save_-c", "ipv6"],
  ] as const)("%s: the raw table names each port as Neutron's iptables_firewall does", (file, family) => {
    // Three CT rules per port (physdev-in qvb…, -i qvb…, physdev-in tap…), commented with the whole
    // port id: "Set zone for ID" (stateful) or "Make ID stateless" (CT --notrack).
    const { value } = parseIptablesSave(sos(file), file, family);
    const rules = value.tables.get("raw")?.chains.get("neutron-openvswi-PREROUTING")?.rules ?? [];
    expect(rules.length).toBe(12);
    for (const r of rules) {
      const m =
        /-m comment --comment "(?:Set zone for (\S+)|Make (\S+) stateless)" -j CT (--zone \d+|--notrack)$/.exec(
          r.text,
        );
      expect(m, r.text).not.toBeNull();
      const id = m?.[1] ?? m?.[2] ?? "";
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(r.text).toContain(id.slice(0, 11));
      expect(m?.[3] === "--notrack").toBe(m?.[2] !== undefined);
    }
  });

  it.each([
    ["firewall_tables/iptables-save_-c", "ipv4", 87],
    ["firewall_tables/ip6tables-save_-c", "ipv6", 107],
  ] as const)("%s: every rule read and re-printed as iptables-save printed it", (file, family, count) => {
    const text = sos(file);
    const { value, diagnostics } = parseIptablesSave(text, file, family);
    expect(diagnostics).toEqual([]);
    const lines = text.split("\n");
    const rules = [...value.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules));
    expect(rules.length).toBe(count);
    for (const r of rules) expect(r.text).toBe(lines[r.line - 1].replace(/^\[\d+:\d+\] /, ""));
    const policy = value.tables.get("filter")?.chains.get("INPUT");
    expect(policy?.policy).toBe("ACCEPT");
    expect(rules.every((r) => r.counters !== undefined)).toBe(true);
  });
});

const HEAD = "*filter\n:FORWARD ACCEPT [0:0]\n:x - [0:0]\n";
const damaged: DamagedLine[] = [
  {
    name: "bad address",
    text: `${HEAD}-A x -s 10.0.0.300/32 -j DROP\nCOMMIT`,
    line: 4,
    column: 6,
    message: /not an IPv4 address/,
  },
  {
    name: "bad port",
    text: `${HEAD}-A x -p tcp -m tcp --dport 99999 -j DROP\nCOMMIT`,
    line: 4,
    column: 20,
    message: /above 65535/,
  },
  {
    name: "unknown tcp option",
    text: `${HEAD}-A x -p tcp -m tcp --dprt 22 -j DROP\nCOMMIT`,
    line: 4,
    column: 20,
    message: /unknown option --dprt/,
  },
  {
    name: "undeclared chain",
    text: `${HEAD}-A y -j DROP\nCOMMIT`,
    line: 4,
    column: 4,
    message: /chain y is not declared/,
  },
  {
    name: "goto nowhere",
    text: `${HEAD}-A x -g nowhere\nCOMMIT`,
    line: 4,
    column: 9,
    message: /goto to an undeclared chain/,
  },
  {
    name: "bad policy",
    text: `*filter\n:FORWARD MAYBE [0:0]\nCOMMIT`,
    line: 2,
    column: 10,
    message: /not a chain policy/,
  },
  {
    name: "unterminated comment",
    text: `${HEAD}-A x -m comment --comment "oops -j DROP\nCOMMIT`,
    line: 4,
    column: 27,
    message: /unterminated quote/,
  },
  {
    name: "counters",
    text: `*filter\n:FORWARD ACCEPT [0:0]\n[1:2] -A FORWARD -s 1.2.3/8 -j DROP\nCOMMIT`,
    line: 3,
    column: 18,
    message: /not an IPv4 address/,
  },
  { name: "outside a table", text: "-A FORWARD -j DROP", line: 1, column: 1, message: /outside a \*table/ },
  {
    name: "bad set direction",
    text: `${HEAD}-A x -m set --match-set S up -j DROP\nCOMMIT`,
    line: 4,
    column: 13,
    message: /src or dst/,
  },
];

describe("damaged iptables-save lines", () => {
  it.each(damaged)("$name", (c) => {
    const { value, diagnostics } = parseIptablesSave(c.text, "f", "ipv4");
    expect(diagnostics.length).toBe(1);
    expectAt(diagnostics[0], "f", c);
    expect(value.tables.get("filter") !== undefined || c.name === "outside a table").toBe(true);
  });

  it("reads the lines around a damaged one", () => {
    const text = `${HEAD}-A x -j RETURN\n-A x -s bad -j DROP\n-A x -j DROP\nCOMMIT`;
    const { value, diagnostics } = parseIptablesSave(text, "f", "ipv4");
    expect(diagnostics.map((d) => d.line)).toEqual([5]);
    expect(
      value.tables
        .get("filter")
        ?.chains.get("x")
        ?.rules.map((r) => r.text),
    ).toEqual(["-A x -j RETURN", "-A x -j DROP"]);
  });

  it("keeps a rule with an unknown match or target: it is undecidable, not an error", () => {
    const text = `${HEAD}-A x -m hashlimit --hashlimit-upto 5/sec --hashlimit-name h -j SECMARK --selctx a\nCOMMIT`;
    const { value, diagnostics } = parseIptablesSave(text, "f", "ipv4");
    expect(diagnostics).toEqual([]);
    const r = value.tables.get("filter")!.chains.get("x")!.rules[0];
    expect(r.target).toMatchObject({ kind: "unknown", name: "SECMARK" });
    expect(r.text).toBe("-A x -m hashlimit --hashlimit-upto 5/sec --hashlimit-name h -j SECMARK --selctx a");
  });
});
