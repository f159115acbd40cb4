import { describe, expect, it } from "vitest";
import type { FlowCount } from "../../src/explain/rule-coverage.js";
import { countedButMissed } from "../../src/explain/rule-coverage.js";
import { coverageLines, flowBody } from "../../src/present/coverage-view.js";

const flow = (over: Partial<FlowCount>): FlowCount => ({
  host: "c2",
  bridge: "br-tun",
  table: 4,
  priority: 0,
  cookie: "0x1",
  file: "dump",
  line: 13,
  text: "cookie=0x1, duration=0.9s, table=4, n_packets=0, n_bytes=0, reset_counts priority=0 actions=drop",
  frames: 0,
  ...over,
});

describe("flow coverage text", () => {
  it.each([
    [
      "ofctl statistics removed",
      "cookie=0x4e8b, duration=0.922s, table=4, n_packets=0, n_bytes=0, reset_counts priority=0 actions=drop",
      "priority=0 actions=drop",
    ],
    [
      "idle_age and hard_age removed, idle_timeout kept",
      "cookie=0x0, duration=5s, table=10, n_packets=3, n_bytes=180, idle_timeout=300, idle_age=2, priority=1,arp actions=NORMAL",
      "idle_timeout=300, priority=1,arp actions=NORMAL",
    ],
    [
      "no statistics",
      "priority=1,in_port=2 actions=resubmit(,4)",
      "priority=1,in_port=2 actions=resubmit(,4)",
    ],
  ])("flowBody: %s", (_name, text, body) => {
    expect(flowBody(text)).toBe(body);
  });

  it("columns per table; flows the dump counted but no frame hit listed apart", () => {
    const flows = [
      flow({ frames: 2, firstFrame: 3, nPackets: 0 }),
      flow({ table: 3, line: 11, priority: 1, nPackets: 7, text: "priority=1,tun_id=0x3e9 actions=drop" }),
    ];
    expect(countedButMissed(flows).map((f) => f.line)).toEqual([11]);
    expect(coverageLines(flows)).toEqual([
      "",
      "== flows hit by the replayed frames: 1 of 2 (1 not hit, 1 counted by the dump but hit by no replayed frame)",
      "c2 br-tun table 4",
      "    frames    first  n_packets  flow",
      "         2        3          0  priority=0 actions=drop",
      "c2 br-tun table 3",
      "    frames    first  n_packets  flow",
      "         -        -          7  priority=1,tun_id=0x3e9 actions=drop",
      "",
      "== flows the dump counted (n_packets > 0) that no replayed frame hit (1)",
      "         7  c2 br-tun table 3 dump:11: priority=1,tun_id=0x3e9 actions=drop",
    ]);
  });
});
