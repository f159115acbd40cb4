import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/util/format-diagnostic.js";

describe("formatDiagnostic", () => {
  it("puts a caret under the column", () => {
    const out = formatDiagnostic({
      severity: "error",
      file: "flows.txt",
      line: 3,
      column: 12,
      field: "nw_src",
      message: "bad IPv4 address",
      text: "ip,nw_src=10.0.0.300 actions=drop",
    });
    expect(out.split("\n")).toEqual([
      "flows.txt:3:12: error: bad IPv4 address [nw_src]",
      "    ip,nw_src=10.0.0.300 actions=drop",
      "               ^",
    ]);
  });

  it("accounts for escaped characters before the caret", () => {
    const out = formatDiagnostic({
      severity: "warning",
      file: "f",
      line: 1,
      column: 3,
      message: "m",
      text: "\u001bab",
    });
    expect(out.split("\n")[2]).toBe("       ^");
  });

  it("names frame and byte offset for binary input", () => {
    const out = formatDiagnostic({
      severity: "error",
      file: "a.pcap",
      line: 0,
      column: 0,
      frame: 7,
      byteOffset: 900,
      message: "record cut off",
    });
    expect(out).toBe("a.pcap: frame 7 (byte offset 900): error: record cut off");
  });
});
