import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { FIELDS } from "../../src/model/fields.js";
import { compileMatch, formatMatch, type Match, matchFields, parseMatch } from "../../src/model/match.js";
import { MatchStore, PackedMatch, parsePackedMatchIn } from "../../src/model/packed-match.js";
import { LAB, labFiles } from "../support/lab.js";
import { NEEDS, REPO_ROOT, skipWithoutShared } from "../support/shared.js";

/** The recorded dumps: ours (fixtures) and, when present, the labs'. */
function dumps(): Array<{ name: string; path: string }> {
  const dir = join(REPO_ROOT, "fixtures/hosts/linux-host/sos_commands/openvswitch");
  const ours = readdirSync(dir)
    .filter((n) => /^ovs-ofctl.*dump-flows|^ovs-appctl_bridge\.dump-flows/.test(n))
    .map((f) => ({ name: `fixtures/linux-host/${f}`, path: join(dir, f) }));
  const labs = skipWithoutShared(NEEDS.labs)
    ? []
    : labFiles(/^ovs-ofctl.*dump-flows|^ovs-appctl_bridge\.dump-flows/).map((path) => ({
        name: relative(LAB, path),
        path,
      }));
  return [...ours, ...labs];
}

const STAT =
  /^(cookie|duration|table|table_id|n_packets|n_bytes|n_offload_packets|n_offload_bytes|idle_timeout|hard_timeout|importance|idle_age|hard_age)=/;
const FLAG = /^(send_flow_rem|check_overlap|reset_counts|no_packet_counts|no_byte_counts|no_readonly_table)$/;

/** The match text of a flow line: the last word before its actions, unless a statistic or a flag. */
function matchText(line: string): string {
  const last =
    line
      .slice(0, line.search(/[ ,]actions=/))
      .split(/, | /)
      .pop() ?? "";
  return STAT.test(last) || FLAG.test(last) ? "" : last;
}

/** Port names of the labs' `--names` dumps, as a bridge's port table would resolve them. */
const resolvePort = (name: string): number | undefined => (name.length % 7) + 1;

/** A compiled match as plain arrays, for comparing. */
function compiled(m: Match): { mask: number[]; value: number[] } | string {
  const c = compileMatch(m, resolvePort);
  return c.ok ? { mask: [...c.value.mask], value: [...c.value.value] } : c.message;
}

// Every recorded flow's packed match (as the dump loader keeps it) must be the match parseMatch reads
// from the same text: the same fields once made, the same print, the same compiled key (the packed
// one is compiled from its words), the same JSON, and a spread copy prints the same.
describe("a dump's packed matches are the matches parseMatch reads", () => {
  const all = dumps();
  it("finds the dumps", () => expect(all.length).toBeGreaterThan(8));
  it.each(all.map((d) => [d.name, d] as const))("%s", (_n, d) => {
    const { value, diagnostics } = parseFlowDump(readFileSync(d.path, "utf8"), d.name);
    expect(diagnostics).toEqual([]);
    for (const f of value.flows) {
      const plain = parseMatch(matchText(f.text));
      if (!plain.ok) throw new Error(`${d.name}:${f.line}: ${plain.error.message}`);
      const packed = f.match;
      expect(packed).toBeInstanceOf(PackedMatch);
      expect(compiled(packed), `${d.name}:${f.line}`).toEqual(compiled(plain.value));
      expect([packed.priority, packed.shorthand]).toEqual([plain.value.priority, plain.value.shorthand]);
      expect(packed.fields).toEqual(plain.value.fields);
      expect(formatMatch(packed)).toBe(formatMatch(plain.value));
      expect(formatMatch({ ...packed, priority: undefined })).toBe(
        formatMatch({ ...plain.value, priority: undefined }),
      );
      expect(JSON.stringify(packed, (_k, v) => (typeof v === "bigint" ? `${v}` : v))).toBe(
        JSON.stringify(plain.value, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
      );
    }
  });
});

/** Values for a field: all ones, a single low bit, a high bit (as text ovs-ofctl reads). */
function samples(bits: number): string[] {
  const all = (1n << BigInt(bits)) - 1n;
  const high = 1n << BigInt(bits - 1);
  return [`0x${all.toString(16)}`, "0x1", `0x${high.toString(16)}`];
}

/** Addresses, exact and masked, as dumps write them. */
const ADDRESSES: Record<string, string[]> = {
  mac: ["fa:16:3e:12:34:56", "fa:16:3e:12:34:56/ff:ff:ff:00:00:00", "01:00:00:00:00:00/01:00:00:00:00:00"],
  ipv4: ["10.1.2.3", "10.1.2.0/24", "10.0.0.1/255.0.0.255"],
  ipv6: ["fe80::f816:3eff:fe12:3456", "fd00::/64", "::1/::ffff"],
};

// Every field of the registry, in every flow-key layout, exact and masked: the words written by the
// packed compile are those of the bigint path.
describe("packed tokens compile as their fields do, for every field", () => {
  const valued = FIELDS.filter((f) => ["hex", "dec", "mac", "ipv4", "ipv6"].includes(f.format));
  it.each(valued.map((f) => [f.name, f] as const))("%s", (name, f) => {
    const values =
      ADDRESSES[f.format] ??
      samples(f.bits).flatMap((v) => (f.maskable ? [v, `${v}/${samples(f.bits)[2]}`, `${v}/0x1`] : [v]));
    for (const v of values) {
      const text = `${name}=${v}`;
      const plain = parseMatch(text);
      if (!plain.ok) continue; // a value the field refuses (checked by match.test.ts)
      const packed = parsePackedMatchIn(text, 0, text.length, 1, new MatchStore());
      if (!packed.ok) throw new Error(`${text}: ${packed.error.message}`);
      expect(compiled(packed.value), text).toEqual(compiled(plain.value));
      expect(packed.value.fields, text).toEqual(plain.value.fields);
    }
  });
});

describe("parsePackedMatchIn", () => {
  it.each([
    ["reg5=0x7,reg5=0x7"],
    ["ip,,tcp"],
    ["tcp,udp"],
    ["priority=70000"],
    ["nw_src=10.0.0.300"],
    ["frob=1"],
    ["in_port=qvo1,dl_vlan=5,ip"],
  ])("reads %j as parseMatch does, errors included", (text) => {
    const store = new MatchStore();
    // Twice: the second read finds the tokens kept by the first.
    for (let i = 0; i < 2; i++) {
      const packed = parsePackedMatchIn(text, 0, text.length, 1, store);
      const plain = parseMatch(text);
      expect(packed.ok).toBe(plain.ok);
      if (!packed.ok || !plain.ok) expect(packed).toEqual(plain);
      else
        expect([formatMatch(packed.value), matchFields(packed.value)]).toEqual([
          formatMatch(plain.value),
          plain.value.fields,
        ]);
    }
  });

  it("shares a token between the matches of a store, and made fields between their flows", () => {
    const store = new MatchStore();
    const a = parsePackedMatchIn("ip,reg5=0x1a", 0, 12, 1, store);
    const b = parsePackedMatchIn("reg5=0x1a,tcp", 0, 13, 1, store);
    if (!a.ok || !b.ok) throw new Error("not parsed");
    expect(a.value.fields[0]).toBe(b.value.fields[0]);
    expect(a.value.fields).toBe(a.value.fields);
  });

  it("reads a match after its store is sealed and another store filled", () => {
    const first = new MatchStore();
    const m = parsePackedMatchIn("dl_src=fa:16:3e:00:00:01,ip", 0, 27, 1, first);
    first.seal();
    parsePackedMatchIn("dl_src=fa:16:3e:00:00:01,ip", 0, 27, 1, new MatchStore());
    if (!m.ok) throw new Error("not parsed");
    expect(formatMatch(m.value)).toBe("ip,dl_src=fa:16:3e:00:00:01");
  });
});
