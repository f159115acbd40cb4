import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { decodeFrame, summarizeFrame } from "../../src/decode/index.js";
import { LAB } from "../support/lab.js";

/** Frame 3 of vm1's capture in the broken lab: a TCP segment with no flag set (the lab's probe). */
const CAPTURE = join(LAB, "neutron-lab-broken", "compute1", "captures", "qvo1a2b3c4d-5e-tx.pcap");
const HAVE_TSHARK = spawnSync("tshark", ["--version"]).status === 0;

function summaryOf(file: string, frame: number): string {
  const r = openCapture(file);
  if (!r.ok) throw new Error(r.error.message);
  try {
    for (let rec = r.value.next(); rec; rec = r.value.next())
      if (rec.frame === frame) return summarizeFrame(decodeFrame(recordData(rec), rec.linktype));
  } finally {
    r.value.close();
  }
  throw new Error(`no frame ${frame}`);
}

describe.runIf(existsSync(CAPTURE))("summarizeFrame: TCP flags", () => {
  it("a segment with no flags reads [<None>], as tshark's Info column", () => {
    expect(summaryOf(CAPTURE, 3)).toContain("TCP 40000 → 443 [<None>]");
  });

  it.runIf(HAVE_TSHARK)("tshark agrees (TLS and sequence analysis off: the plain TCP Info column)", () => {
    const args = ["-r", CAPTURE, "-o", "tcp.analyze_sequence_numbers:FALSE", "--disable-protocol", "tls"];
    const r = spawnSync("tshark", [...args, "-T", "fields", "-e", "_ws.col.Info"], { encoding: "utf8" });
    const info = r.stdout.split("\n")[2] ?? "";
    const flags = /\[[^\]]*\]/.exec(info)?.[0];
    expect(flags).toBe("[<None>]");
    expect(summaryOf(CAPTURE, 3)).toContain(`40000 → 443 ${flags}`);
  });
});
