/**
 * Conformance on hosts the live differential test recorded from a real ovs-vswitchd (fixtures/ovs-live/,
 * see its README): ovspath's trace must print what ofproto/trace printed, line for line, but for the
 * `Megaflow:` lines (not modelled) and the recirculation ids (the daemon's counter). A recording cut to
 * its `Flow:` and `Datapath actions:` lines (the whole text ran to megabytes) is compared on those, as
 * dp-actions-equal compares them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import { formatTrace, parseTraceFlow, type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";
import { passOutputs, readRecordedTrace } from "../support/ovs-trace.js";

/**
 * Recordings ovspath does not reproduce yet, each a failing case to fix (it.fails: once one passes, it
 * must leave this list).
 * - flood-64k: a flooding patch-port loop whose datapath actions pass 64 kB before the 4,096-resubmit
 *   budget is spent; OVS then ends each further action list ("resubmits yielded over 64 kB of actions").
 *   ovspath counts the actions' netlink sizes (src/pipeline/odp-size.ts) and prints the same 18,000
 *   lines up to there, but passes 64 kB three table lookups later: at OVS's point it counts 36 to 86
 *   bytes fewer (found by lowering the limit), from an action whose encoding it sizes too small.
 */
const KNOWN_DEVIATIONS = new Set(["flood-loop-64k/flood-64k.txt"]);

const ROOT = "fixtures/ovs-live";
const hosts = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(ROOT, d.name));

const comparable = (text: string): string =>
  text
    .split("\n")
    .filter((l) => !l.startsWith("Megaflow:"))
    .join("\n")
    .replace(/recirc\(0x[0-9a-f]+\)/g, "recirc(ID)")
    .replace(/recirc_id=0x[0-9a-f]+/g, "recirc_id=ID")
    .trimEnd();

describe.each(hosts)("%s", (dir) => {
  let sw: SimHost;
  beforeAll(async () => {
    sw = switchesOf(await loadHosts(dir))[0];
  });
  const files = readdirSync(join(dir, "traces")).filter((f) => f.endsWith(".txt"));
  const known = (f: string) => KNOWN_DEVIATIONS.has(`${dir.split("/").pop()}/${f}`);
  it.each(files.filter((f) => !known(f)))("%s prints what ofproto/trace printed", check);
  const deviations = files.filter(known);
  if (deviations.length > 0) it.fails.each(deviations)("%s (known deviation)", check);
  function check(file: string): void {
    const rec = readRecordedTrace(readFileSync(join(dir, "traces", file), "utf8"));
    const parsed = parseTraceFlow(rec.flow, (n) => sw.bridges.get(rec.bridge)?.byName.get(n)?.ofport);
    if (!parsed.ok) throw new Error(parsed.message);
    const ours = formatTrace(
      trace({
        host: sw,
        bridge: rec.bridge,
        flow: parsed.flow,
        withPacket: false,
        ctNext: rec.ctNext.map((c) => ctStateValue(c) as number),
      }),
    );
    const cut = !/^bridge\("/m.test(rec.output);
    if (!cut) {
      expect(comparable(ours)).toBe(comparable(rec.output));
      return;
    }
    expect(passOutputs(ours, rec.output)).toEqual(passOutputs(rec.output, rec.output));
  }
});
