/**
 * Whole-text conformance on hosts the live differential test recorded from a real ovs-vswitchd
 * (fixtures/ovs-live/, see its README): ovspath's trace must print what ofproto/trace printed, line for
 * line, but for the `Megaflow:` lines (not modelled) and the recirculation ids (the daemon's counter).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import { formatTrace, parseTraceFlow, type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";
import { readRecordedTrace } from "../support/ovs-trace.js";

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
  it.each(files)("%s prints what ofproto/trace printed", (file) => {
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
    expect(comparable(ours)).toBe(comparable(rec.output));
  });
});
