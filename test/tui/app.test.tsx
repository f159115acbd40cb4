import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { App, type TuiData } from "../../src/tui/app.js";
import type { Background } from "../../src/tui/data/background.js";
import { openTuiData } from "../../src/tui/run.js";
import { REPO_ROOT } from "../support/shared.js";
import { brokenData, brokenVmData, demoData, HAVE_BROKEN, ovnDemoData, settle } from "../support/tui.js";

const DOWN = "\u001b[B";
const UP = "\u001b[A";
const PGDN = "\u001b[6~";
const PGUP = "\u001b[5~";
const TAB = "\t";
const SHIFT_TAB = "\u001b[Z";
const ENTER = "\r";
const ESC = "\u001b";
const BACKSPACE = "\u007f";
const wheel = (down: boolean, x: number, y: number) => `\u001b[<${down ? 65 : 64};${x};${y}M`;

type Size = { columns: number; rows: number };
const WIDE: Size = { columns: 200, rows: 50 };

async function open(data: TuiData, size: Size = WIDE, color = false) {
  let bg: Background | undefined;
  let quit = false;
  const r = render(
    <App
      data={data}
      theme={{ color }}
      size={size}
      onBackground={(b) => {
        bg = b;
      }}
      onQuit={() => {
        quit = true;
      }}
    />,
  );
  // The background jobs start after the first render: wait for them, then for them to end.
  // Up to 30 s: the first render of a file's first test imports and compiles the app, slow on a busy machine.
  for (let i = 0; i < 3000 && !bg; i++) await settle(10);
  /** Until the background jobs are done and no new frame has been drawn for a while (a loaded machine is slow). */
  const quiet = async () => {
    await bg?.idle();
    // Three quiet windows in a row: on a loaded machine Ink's throttled render can land after one.
    let still = 0;
    for (let i = 0; i < 100 && still < 3; i++) {
      const n = r.frames.length;
      await settle(40);
      still = r.frames.length === n ? still + 1 : 0;
    }
  };
  await quiet();
  const keys = async (...ks: string[]) => {
    for (const k of ks) {
      r.stdin.write(k);
      // A lone ESC waits for the rest of a sequence in Ink's parser: give it time.
      await settle(k === ESC ? 80 : 15);
    }
    await quiet();
  };
  const screen = () => r.lastFrame() ?? "";
  /** The screen's rows, each as one string. */
  const lines = () => screen().split("\n");
  return { ...r, keys, screen, lines, quit: () => quit };
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

async function demo(size: Size = WIDE, color = false) {
  const app = await open(await demoData(), size, color);
  cleanup = app.unmount;
  return app;
}

describe("App on the demo (fixtures/demo)", () => {
  it("opens on the answer: the packets with their verdicts, frame 1's trace, path and flows; 3: the layers and hex", async () => {
    const app = await demo();
    const s = app.screen();
    expect(s).toContain("14 frames");
    expect(s).toContain("replayed: 5 delivered, 5 tunneled, 4 dropped");
    expect(s).toMatch(/8\s+9\.333224 DROPPED\s+192\.168\.100\.11 → 192\.168\.100\.12 ICMP echo request/);
    expect(s).toMatch(/1\s+0\.000000 delivered\s+ARP who has 192\.168\.100\.99\? tell 192\.168\.100\.11/);
    // 200 columns: three detail panes side by side, the answer first (trace, path, the flows it took).
    expect(s).toMatch(/┌─ trace .*┌─ path .*┌─ flows /);
    expect(s).toContain("delivered compute1:br-int");
    expect(app.lines().length).toBe(49);
    await app.keys("3");
    expect(app.screen()).toMatch(/┌─ layers .*╔═ ▶ hex .*┌─ drops /);
    expect(app.screen()).toContain("▸ Ethernet II [eth, bytes 0-13]");
    expect(app.screen()).toContain("0000  ff ff ff ff ff ff fa 16  ........");
  });

  it("j/k, arrows, g/G and PgUp/PgDn move the selection; the detail panes follow", async () => {
    const app = await demo();
    await app.keys("j", "j", DOWN, "k");
    expect(app.screen()).toContain("frame 3 (row 3 of 14)");
    await app.keys("G");
    expect(app.screen()).toContain("frame 14 (row 14 of 14)");
    await app.keys("g");
    expect(app.screen()).toContain(" 1 · 14 rows ");
    await app.keys(PGDN);
    expect(app.screen()).not.toContain(" 1 · 14 rows ");
    await app.keys(PGUP, UP);
    expect(app.screen()).toContain(" 1 · 14 rows ");
  });

  it("Tab and Shift-Tab cycle the focus through the panes; 1-7 jump to one", async () => {
    const app = await demo();
    expect(app.screen()).toContain("▶ packets");
    await app.keys(TAB);
    expect(app.screen()).toContain("▶ layers");
    await app.keys(TAB, TAB);
    expect(app.screen()).toContain("▶ path");
    await app.keys(SHIFT_TAB);
    expect(app.screen()).toContain("▶ hex");
    await app.keys("7");
    expect(app.screen()).toContain("▶ drops");
    // The second page of detail panes: layers, hex, drops.
    expect(app.screen()).toMatch(/layers .*hex .*drops/);
    await app.keys("1");
    expect(app.screen()).toContain("▶ packets");
  });

  it("a dropped frame: the path marks the drop point, the trace says why with the near misses", async () => {
    const app = await demo();
    await app.keys(..."jjjjjjj");
    expect(app.screen()).toContain("frame 8 (row 8 of 14)");
    expect(app.screen()).toContain("● in  br-int qvo8c2d4e6f-1a [vlan 1]");
    expect(app.screen()).toContain("✗   br-int table 25  ← dropped here");
    await app.keys("5");
    const s = app.screen();
    // Long lines wrap in the trace pane.
    expect(s).toContain("why: no anti-spoofing flow in br-int table 25 admits this");
    expect(s).toContain("near misses:");
    expect(s).toContain("dl_src=fa:16:3e:11:a1:01 expected, frame has");
    expect(s).toContain("ofproto/trace on compute1 bridge br-int (drop)");
    await app.keys("G");
    expect(app.screen()).toContain("25. No match.");
  });

  it("Enter opens the layers; Enter there expands and collapses a layer, and the hex highlights it", async () => {
    const app = await demo();
    await app.keys(ENTER);
    expect(app.screen()).toContain("▶ layers");
    await app.keys("j", ENTER);
    let s = app.screen();
    expect(s).toContain("▾ Address Resolution Protocol [arp, bytes 14-41]");
    expect(s).toContain("tpa: 192.168.100.99");
    expect(s).toContain("arp 14-41");
    await app.keys(ENTER);
    s = app.screen();
    expect(s).toContain("▸ Address Resolution Protocol [arp, bytes 14-41]");
    expect(s).not.toContain("tpa: 192.168.100.99");
  });

  it("/ applies a display filter: the list shows the matches; Esc shows all with the matches marked; n/N jump", async () => {
    const app = await demo();
    await app.keys("/", "ip.dst == 192.168.100.12", ENTER);
    let s = app.screen();
    expect(s).toContain("packets: ip.dst == 192.168.100.12");
    expect(s).toContain("frame 8 (row 1 of 2)");
    expect(s).not.toMatch(/│\s+1\s+0\.000000/);
    await app.keys("j");
    expect(app.screen()).toContain("frame 10 (row 2 of 2)");
    await app.keys(ESC);
    s = app.screen();
    expect(s).toContain("frame 10 (row 10 of 14)");
    expect(s).toMatch(/\*\s+8\s+9\.333224/);
    await app.keys("g", "n");
    expect(app.screen()).toContain("frame 8 (row 8 of 14)");
    await app.keys("n");
    expect(app.screen()).toContain("frame 10 (row 10 of 14)");
    await app.keys("n");
    expect(app.screen()).toContain("no later match");
    await app.keys("N");
    expect(app.screen()).toContain("frame 8 (row 8 of 14)");
  });

  it("filters on the verdict (drop) and on decoded fields together", async () => {
    const app = await demo();
    await app.keys("/", "drop && arp", ENTER);
    expect(app.screen()).toContain("frame 9 (row 1 of 1)");
  });

  it("a bad expression shows the error with its column and keeps the prompt; Esc cancels", async () => {
    const app = await demo();
    await app.keys("/", "ip.src ==", ENTER);
    let s = app.screen();
    expect(s).toMatch(/\/ip\.src ==\s+✗ column \d+: /);
    await app.keys(BACKSPACE, BACKSPACE, BACKSPACE, "nosuch.field", ENTER);
    expect(app.screen()).toContain('unknown field "ip.srcnosuch.field"');
    await app.keys(ESC);
    s = app.screen();
    expect(s).not.toContain("✗ column");
    expect(s).toContain("packets ");
  });

  it("a value that cannot be of the field's type is shown as an error in the filter line", async () => {
    const app = await demo();
    await app.keys("/", "vxlan.vni == abc", ENTER);
    expect(app.screen()).toContain('/vxlan.vni == abc   ✗ column 14: "abc" is not a valid number');
  });

  it("Enter in the drops pane lists that group's frames", async () => {
    const app = await demo();
    await app.keys("7");
    expect(app.screen()).toMatch(/2\s+compute1 br-int table 24\s+anti-spoofing\s+frames 9,14/);
    await app.keys(ENTER);
    const s = app.screen();
    expect(s).toContain("packets: drops: compute1 br-int table 24 anti-spoofing");
    expect(s).toContain("frame 9 (row 1 of 2)");
    await app.keys("j");
    expect(app.screen()).toContain("frame 14 (row 2 of 2)");
  });

  it("the flows pane opens at the frame's first flow, with the replay's frames per flow; h lists hit or unhit flows", async () => {
    const app = await demo();
    await app.keys(..."jjjjjjj", "6");
    let s = app.screen();
    expect(s).toContain("▶ flows of frame 8");
    // Frame 8 went through br-int table 0's in_port=4 flow (priority 9), then missed table 25: the pane
    // opens there, and the 7 replayed frames from that port are counted beside the dump's n_packets.
    expect(s).toMatch(/║▶ +9 frames=7 n_packets=7 priority=9,in_port="qvo8c2d4e6f-/);
    // Enter: the cursor to the next such flow.
    await app.keys(ENTER);
    expect(app.screen()).not.toContain("went through none");
    await app.keys("g");
    s = app.screen();
    expect(s).toContain("host compute1");
    expect(s).toMatch(/br-int\s+OpenFlow 1\.3, \d+ flows/);
    expect(s).toContain("table 0");
    // h: only the flows some replayed frame hit, then only those none hit.
    await app.keys("h");
    s = app.screen();
    expect(s).toContain("hit flows (h: next listing)");
    expect(s).not.toMatch(/ frames=0 /);
    expect(s).toMatch(/ frames=[1-9]/);
    await app.keys("h");
    s = app.screen();
    expect(s).toContain("unhit flows (h: next listing)");
    expect(s).not.toMatch(/ frames=[1-9]/);
    expect(s).toMatch(/ frames=0 /);
    await app.keys("h");
    expect(app.screen()).not.toContain("h: next listing");
  });

  it("? shows the help, any key closes it; q quits", async () => {
    const app = await demo();
    await app.keys("?");
    expect(app.screen()).toContain("ovspath tui: keys");
    expect(app.screen()).toContain("next / previous frame matching the filter");
    await app.keys("x");
    expect(app.screen()).not.toContain("ovspath tui: keys");
    expect(app.quit()).toBe(false);
    await app.keys("q");
    expect(app.quit()).toBe(true);
  });

  it("the mouse wheel scrolls the pane under the pointer", async () => {
    const app = await demo();
    // Row 5 is inside the packet list.
    await app.keys(wheel(true, 10, 5));
    expect(app.screen()).toContain("frame 4 (row 4 of 14)");
    await app.keys(wheel(false, 10, 5));
    expect(app.screen()).toContain(" 1 · 14 rows ");
  });

  it("works in 80×24: one detail pane (the trace first), Tab cycles which", async () => {
    const app = await demo({ columns: 80, rows: 24 });
    const lines = app.lines();
    expect(lines.length).toBe(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(app.screen()).toContain("┌─ trace");
    await app.keys("2");
    expect(app.screen()).toContain("╔═ ▶ layers");
    expect(app.screen()).not.toContain("─ hex");
    await app.keys("3");
    expect(app.screen()).toContain("▶ hex");
    expect(app.screen()).not.toContain("─ layers");
  });

  it("resizes: a new size lays the panes out again and keeps the selection on screen", async () => {
    const data = await demoData();
    const app = await open(data, WIDE);
    cleanup = app.unmount;
    await app.keys("G");
    app.rerender(<App data={data} theme={{ color: false }} size={{ columns: 80, rows: 24 }} />);
    await settle();
    expect(app.lines().length).toBe(23);
    expect(app.screen()).toMatch(/14\s+19\.404247/);
  });

  it("NO_COLOR: no colour codes at all (the colours themselves are checked in the tmux test)", async () => {
    const plain = await demo(WIDE, false);
    expect(plain.screen()).not.toMatch(/\u001b\[(3[0-9]|9[0-7]|4[0-9])m/);
  });
});

describe("App on the demo's OVN pair (fixtures/demo/ovn)", () => {
  it("the HTTP frame: the trace and path panes name the dropping ACL and the logical ports", async () => {
    // 80 columns: one detail pane at a time, the trace first.
    const app = await open(await ovnDemoData(), { columns: 80, rows: 40 });
    cleanup = app.unmount;
    expect(app.screen()).toContain("replayed: 2 delivered, 0 tunneled, 1 dropped");
    await app.keys("j", "j");
    expect(app.screen()).toContain("3 · 4 rows");
    // Lines wrap in the panes: compare with the spaces and borders squeezed out.
    const flat = () => app.screen().replace(/[│║\s]+/g, "");
    const drop =
      'OVN:droppedin"ls1"egressstagels_out_aclbyACL"default_drop_egress":to-lport,priority=1001,match=(outport==@pg_drop&&ip),drop(inport"vm1",outport"vm2")';
    expect(flat()).toContain("why:br-inttable46priority2001dropsit");
    expect(flat()).toContain(drop);
    await app.keys("4");
    expect(app.screen()).toContain("▶ path");
    expect(flat()).toContain(drop);
    expect(flat()).toContain("logicalflowsonhv1br-int");
  });
});

describe("App on hostile input", () => {
  it("escapes control characters from the capture (interface name) and shows no raw ESC", async () => {
    const data = openTuiData({
      capture: join(REPO_ROOT, "fixtures", "captures", "pcapng-control-chars.pcapng"),
      hosts: [],
      switches: [],
      title: "evil",
    });
    if (typeof data === "string") throw new Error(data);
    const app = await open(data);
    cleanup = app.unmount;
    expect(app.screen()).toContain("frame 1 on tap\\e[31mevil");
    expect(app.screen()).not.toContain("\u001b");
    expect(app.screen()).toContain("no hosts loaded");
  });
});

describe.runIf(HAVE_BROKEN)("App on neutron-lab-broken (VNI 100 underlay into compute2)", () => {
  it("shows the drop in br-tun table 4 with the near miss in table 3", async () => {
    const app = await open(await brokenData());
    cleanup = app.unmount;
    expect(app.screen()).toContain("DROPPED");
    await app.keys("/", "drop", ENTER, "5");
    const s = app.screen();
    expect(s).toContain("br-tun table 4");
    expect(s).toContain("tun_id=0x3e9 expected, frame has tun_id=0x64");
  });
});

describe.runIf(HAVE_BROKEN)("App on neutron-lab-broken: vm1's own capture, all three hosts", () => {
  it("d jumps to the first partly dropped frame; the trace says why on compute2, the path shows the branches", async () => {
    const app = await open(await brokenVmData(), { columns: 120, rows: 40 });
    cleanup = app.unmount;
    expect(app.screen()).toContain("replayed: 4 delivered, 0 tunneled, 0 dropped, 2 partly dropped");
    expect(app.screen()).toMatch(/3\s+0\.056602 PARTIAL\s+192\.168\.10\.7 → 8\.8\.8\.8 TCP/);
    await app.keys("d");
    const s = app.screen();
    expect(s).toMatch(/\nframe 3 · PARTLY DROPPED: delivered compute1:qvo1a2b3c4d-5e, .*…$/);
    expect(s).toContain("why (compute2): no flow in br-tun table 4");
    expect(s).toContain("branch 1 of");
    expect(s).toContain("← dropped here");
    const steps: Array<[string, string]> = [
      ["d", "\nframe 4 · PARTLY DROPPED"],
      ["d", "no later dropped frame"],
      ["D", "\nframe 3 · PARTLY DROPPED"],
      ["D", "no earlier dropped frame"],
    ];
    for (const [key, want] of steps) {
      await app.keys(key);
      expect(app.screen()).toContain(want);
    }
  });
});

describe("App on a damaged capture and without one", () => {
  it("shows every frame before the damage and says where it is", async () => {
    const data = openTuiData({
      capture: join(REPO_ROOT, "fixtures", "captures", "pcapng-truncated-tail.pcapng"),
      hosts: [],
      switches: [],
      title: "cut",
    });
    if (typeof data === "string") throw new Error(data);
    const app = await open(data);
    cleanup = app.unmount;
    expect(app.screen()).toMatch(/✗ damaged at frame \d+, byte \d+: /);
  });

  it("hosts only: the flows pane has the focus", async () => {
    const full = await demoData();
    const data = openTuiData({ hosts: full.hosts, switches: [], title: "hosts" });
    if (typeof data === "string") throw new Error(data);
    const app = await open(data, { columns: 80, rows: 24 });
    cleanup = app.unmount;
    expect(app.screen()).toContain("▶ flows");
    expect(app.screen()).toContain("host compute1");
  });
});
