/** `ovspath tui` and `ovspath demo` from the built binary, without a terminal (the TUI itself: e2e-tmux). */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/shared.js";
import { DEMO, DEMO_CAPTURE } from "../support/tui.js";

function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe("ovspath tui / demo without a terminal", () => {
  it("tui needs a terminal: exit 2 and what to use instead", () => {
    const r = ovspath("tui", DEMO_CAPTURE, join(DEMO, "hosts"));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("tui needs a terminal");
  });

  it("tui without a capture or a host is a usage error; a bad option too", () => {
    expect(ovspath("tui").stderr).toContain("give a capture, hosts, or both");
    expect(ovspath("tui", DEMO_CAPTURE, "--tunnels", "x").status).toBe(2);
    expect(ovspath("tui", "/nonexistent.pcap", join(DEMO, "hosts")).status).toBe(2);
  });

  it("demo prints the text report when stdout is not a terminal, and with --text", () => {
    for (const args of [["demo"], ["demo", "--text"]]) {
      const r = ovspath(...args);
      expect(r.stdout).toContain("== topology of compute1");
      expect(r.stdout).toContain("== drops (4 frames)");
      expect(r.stdout).toContain("== compute1-eth1-tx.pcap");
    }
  });

  it("tui --ovn without an OVN central among the hosts: exit 2, saying where the databases come from", () => {
    const r = ovspath("tui", DEMO_CAPTURE, join(DEMO, "hosts"), "--ovn");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--ovn: no OVN southbound database among the loaded hosts");
  });

  it("demo --ovn without a terminal prints the OVN pair's report alone", () => {
    const r = ovspath("demo", "--ovn");
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith("== OVN: the central node and chassis hv1, hv2")).toBe(true);
    expect(r.stdout).not.toContain("== topology of compute1");
  });

  it("tui is in the help", () => {
    expect(ovspath("--help").stdout).toMatch(/tui \[options\] \[capture\] \[hosts\.\.\.\]/);
  });
});
