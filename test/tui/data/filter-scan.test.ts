import { describe, expect, it } from "vitest";
import { frameRecord, isFrameField } from "../../../src/explain/filter-fields.js";
import { compileDisplayFilter } from "../../../src/model/display-filter.js";
import { FilterScan } from "../../../src/tui/data/filter-scan.js";
import { DEMO_CAPTURE } from "../../support/tui.js";

function scan(text: string, replayed = Number.POSITIVE_INFINITY) {
  const c = compileDisplayFilter(text, isFrameField);
  if (!c.ok) throw new Error(c.message);
  const r = FilterScan.open(DEMO_CAPTURE, c.filter, frameRecord, {
    replayed: () => replayed,
    verdict: () => undefined,
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("FilterScan", () => {
  it("scans the capture in slices and keeps the matching frame numbers", () => {
    const s = scan("icmp && ip.dst == 192.168.100.12");
    while (!s.step(5)) {
      // until done
    }
    expect(s.scanned).toBe(14);
    expect(Array.from({ length: s.matches.length }, (_, i) => s.matches.at(i))).toEqual([8, 10]);
    expect(s.text).toBe("icmp && ip.dst == 192.168.100.12");
  });

  it("waits for the replay: frames it has not reached are not scanned", () => {
    const s = scan("arp", 5);
    expect(s.step(5)).toBe(false);
    expect(s.scanned).toBe(5);
    expect(s.matches.length).toBe(3);
    s.close();
  });

  it("frame.time_relative is seconds since the first frame", () => {
    const s = scan("frame.time_relative > 15");
    while (!s.step(5)) {
      // until done
    }
    expect(s.matches.at(0)).toBe(12);
  });
});
