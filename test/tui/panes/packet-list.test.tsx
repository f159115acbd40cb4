import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { PacketList } from "../../../src/tui/panes/packet-list.js";
import { listHeading, listLine } from "../../../src/tui/view.js";
import { demoData } from "../../support/tui.js";

describe("PacketList", () => {
  it("shows the heading and the rows it is given (the demo's frames 7 to 9), no more", async () => {
    const data = await demoData();
    const source = data.source;
    if (!source) throw new Error("no capture");
    source.indexAll();
    const rows = [7, 8, 9].map((f) => {
      const row = source.row(f);
      if (!row) throw new Error(`no row ${f}`);
      return listLine(f, row.time, row.summary, f === 7 ? "tunneled" : "dropped", { verdict: true }, false);
    });
    const box = { pane: "list" as const, x: 0, y: 0, width: 90, height: 8 };
    const r = render(
      <PacketList
        box={box}
        focused={true}
        theme={{ color: false }}
        heading={listHeading({ verdict: true })}
        rows={rows}
        selected={1}
        title="packets"
        info="8 · 14 rows"
      />,
    );
    const lines = (r.lastFrame() ?? "").split("\n");
    expect(lines.length).toBe(8);
    expect(lines[0]).toContain("▶ packets");
    expect(lines[0]).toContain("8 · 14 rows");
    expect(lines[1]).toContain("    No.        Time Verdict    Summary");
    expect(lines[2]).toContain(
      "      7    6.103478 tunneled   192.168.100.11 → 192.168.100.21 TCP 40080 → 80 [ACK]",
    );
    expect(lines[3]).toContain(
      "      8    9.333224 DROPPED    192.168.100.11 → 192.168.100.12 ICMP echo request",
    );
    expect(lines[4]).toContain(
      "      9    9.638408 DROPPED    ARP who has 192.168.100.12? tell 192.168.100.99",
    );
    expect(lines[5]).toMatch(/^║ +║$/);
    r.unmount();
    source.close();
  });

  it("says why it is empty", () => {
    const box = { pane: "list" as const, x: 0, y: 0, width: 40, height: 5 };
    const r = render(
      <PacketList
        box={box}
        focused={false}
        theme={{ color: false }}
        heading="No."
        rows={[]}
        selected={0}
        title="packets"
        empty="indexing…"
      />,
    );
    expect(r.lastFrame()).toContain("indexing…");
    r.unmount();
  });
});
