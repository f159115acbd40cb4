import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusCaptures, NEEDS, REPO_ROOT, skipWithoutShared } from "../support/shared.js";

/** Runs the built CLI (npm test builds it first) as a user would. */
function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const fixture = (name: string) => join(REPO_ROOT, "fixtures", "captures", name);

describe("ovspath decode: exit codes and errors", () => {
  it("exits 0 on a sound capture, one line per frame", () => {
    const r = ovspath("decode", fixture("pcap-le-usec.pcap"));
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
    expect(r.stderr).toBe("");
  });

  it("exits 1 on a damaged capture after printing what could be read, naming file, frame and offset", () => {
    const r = ovspath("decode", fixture("pcap-truncated-tail.pcap"));
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/pcap-truncated-tail\.pcap: frame 3 \(byte offset 216\): error: record cut off/);
  });

  it.each([
    ["a missing file", ["decode", "/nonexistent.pcap"], /no such file/],
    [
      "a file that is not a capture",
      ["decode", fixture("not-a-capture.txt")],
      /not a pcap or pcapng capture/,
    ],
    ["a bad option value", ["decode", fixture("pcap-le-usec.pcap"), "--count", "zero"], /whole number/],
    ["a bad port", ["decode", fixture("pcap-le-usec.pcap"), "--vxlan-port", "70000"], /UDP port/],
    ["an unknown option", ["decode", "--bogus"], /unknown option/],
    ["a missing argument", ["decode"], /missing required argument/],
  ])("exits 2 on %s", (_what, args, message) => {
    const r = ovspath(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("--from and --count select frames", () => {
    const r = ovspath("decode", fixture("pcap-le-usec.pcap"), "--from", "2", "--count", "1");
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stdout.trim()).toMatch(/^\s*2 /);
  });

  it("never prints control characters from interface names or comments", () => {
    const r = ovspath("decode", "-V", fixture("pcapng-control-chars.pcapng"));
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain("tap\\e[31mevil");
    expect(r.stdout).toContain("\\e]0;pwned\\x07");
  });
});

describe.skipIf(skipWithoutShared(NEEDS.corpus))("ovspath decode --jsonl matches the tshark goldens", () => {
  const pick = corpusCaptures().filter((c) => /vxlan-underlay|multi-interface|gre-underlay/.test(c.name));
  it.each(pick.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const r = ovspath("decode", "--jsonl", c.path, ...c.tsharkArgs.flatMap(() => []));
    expect(r.status).toBe(0);
    const ours = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { frame: number; layers: Array<Record<string, unknown>> });
    expect(ours).toHaveLength(c.golden.length);
    for (const [i, g] of c.golden.entries()) {
      expect(ours[i].frame).toBe(g.frame);
      for (const [j, layer] of g.layers.entries()) expect(ours[i].layers[j]).toMatchObject(layer);
    }
  });
});

describe("ovspath decode --filter", () => {
  const DEMO_TX = join(REPO_ROOT, "fixtures", "demo", "compute1-eth1-tx.pcap");
  const frames = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter((l) => /^\s*\d+ /.test(l))
      .map((l) => Number.parseInt(l, 10));

  it.each<[string, number[]]>([
    ["tcp.port == 22", [8, 9]],
    ["arp && !vxlan", [1, 3]],
    ["ip.src == 10.0.0.11 && gre.key == 2020 && udp.dstport in {67, 68}", [12, 13, 14, 15]],
    ["frame.number >= 10 and frame.number <= 12", [10, 11, 12]],
    ["ipv6.addr == ff02::1 && ip.dst == 10.0.0.21", [20]],
  ])("%s prints frames %j, numbered as in the capture", (expr, expected) => {
    const r = ovspath("decode", DEMO_TX, "--filter", expr);
    expect(r.status).toBe(0);
    expect(frames(r.stdout)).toEqual(expected);
  });

  it("--filter '?' lists the frame fields (no verdict fields: those are replay's)", () => {
    const r = ovspath("decode", DEMO_TX, "--filter", "?");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vxlan\.vni +VXLAN network identifier$/m);
    expect(r.stdout).not.toMatch(/^reason /m);
  });

  it("every format honours it, and --count counts printed frames", () => {
    const jsonl = ovspath("decode", DEMO_TX, "--jsonl", "--filter", "udp", "--count", "3");
    expect(
      jsonl.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).frame),
    ).toEqual([2, 4, 5]);
    const tree = ovspath("decode", DEMO_TX, "-V", "--filter", "tcp.flags.syn == 1");
    expect(tree.stdout.match(/^Frame \d+:/gm)).toEqual(["Frame 8:", "Frame 10:"]);
    expect(
      frames(ovspath("decode", DEMO_TX, "--filter", "tcp.flags.syn == 1 && tcp.flags.ack == 0").stdout),
    ).toEqual([8, 10]);
    const from = ovspath("decode", DEMO_TX, "--from", "9", "--count", "2", "--filter", "tcp");
    expect(frames(from.stdout)).toEqual([9, 10]);
  });

  it.each<[string, string, RegExp]>([
    [
      "a syntax error",
      "ip.src == 10.0.0.11 &&",
      /^ovspath: error: --filter: column 23: expected a field name, "!" or "\(", got the end of the expression\n {4}ip\.src == 10\.0\.0\.11 &&\n {26}\^\n/,
    ],
    [
      "an unknown field",
      "tcp && ip.scr == 1.2.3.4",
      /^ovspath: error: --filter: column 8: unknown field "ip\.scr" \(`--filter '\?'` lists the fields\)\n {4}tcp && ip\.scr == 1\.2\.3\.4\n {11}\^\n/,
    ],
    [
      "a verdict field",
      "drop",
      /unknown field "drop" \(a replay verdict field: use it with `ovspath replay --filter`\)/,
    ],
    ["a bad regular expression", 'eth.src matches "("', /column 17: bad regular expression/],
  ])("exits 2 on %s, with the expression and a caret under the column", (_what, expr, message) => {
    const r = ovspath("decode", DEMO_TX, "--filter", expr);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });
});
