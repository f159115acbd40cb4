/**
 * The real binary in a real terminal: `node bin/ovspath.js demo` (and `demo --ovn`) in tmux (a private server socket),
 * keys sent as a user would (move to a dropped frame, open its trace, filter, quit), the screen read
 * with `tmux capture-pane`. Skipped with a reason when tmux is missing, except in CI or with
 * OVSPATH_REQUIRE_TMUX set.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/shared.js";

const SOCKET = `ovspath-e2e-${process.pid}`;
const BIN = join(REPO_ROOT, "bin", "ovspath.js");
const haveTmux = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
const required = Boolean(process.env.CI || process.env.OVSPATH_REQUIRE_TMUX);
if (!haveTmux && !required) console.log("e2e-tmux: skipped: tmux is not installed (apt-get install tmux)");

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Every word the status line may show for frames 8 and 9 of the demo: where, the verdict, the hints. */
const STATUS_WORDS = new Set(
  "frame row of dropped compute1 br-int table 24 25 (anti-spoofing Tab pane filter n/N match d/D drop Enter open help q quit"
    .split(" ")
    .map((w) => w.replace(/^\(/, "")),
);

const screen = (session: string, escapes = false): string =>
  tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", session);

async function waitFor(session: string, what: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    last = screen(session);
    if (typeof what === "string" ? last.includes(what) : what.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${String(what)}; the screen was:\n${last}`);
}

/** Waits for the pane's process to end (tmux does not always record the exit status: not checked). */
async function exited(session: string): Promise<boolean> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (tmux("display-message", "-p", "-t", session, "#{pane_dead}").trim() === "1") return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function start(session: string, env: Record<string, string> = {}): void {
  const e = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36", ...e, process.execPath, BIN, "demo");
}

afterAll(() => {
  if (haveTmux) spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
});

describe.runIf(haveTmux || required)("ovspath demo in tmux", () => {
  it("opens the demo, moves to a dropped frame, shows its trace, filters, quits and restores the terminal", async () => {
    expect(existsSync(join(REPO_ROOT, "dist", "ovspath.js")), "npm run build first").toBe(true);
    // A server that keeps dead panes: after q the pane shows what the terminal was left with.
    tmux("new-session", "-d", "-s", "keep", "sleep", "600");
    tmux("set-option", "-g", "remain-on-exit", "on");
    start("demo", { TERM: "xterm-256color" });
    let s = await waitFor("demo", "replayed: 5 delivered, 5 tunneled, 4 dropped");
    expect(s).toMatch(/1\s+0\.000000 delivered\s+ARP who has 192\.168\.100\.99\?/);
    // The answer first: frame 1's verdict in the trace pane, beside its path.
    expect(s).toMatch(/┌─ trace .*┌─ path /);
    // Colours are on here: the drops are red.
    expect(screen("demo", true)).toContain("\u001b[31mDROPPED");

    tmux("send-keys", "-t", "demo", "j", "j", "j", "j", "j", "j", "j");
    s = await waitFor("demo", "frame 8 (row 8 of 14)");
    expect(s).toMatch(/8\s+9\.333224 DROPPED\s+192\.168\.100\.11 → 192\.168\.100\.12 ICMP echo request/);

    tmux("send-keys", "-t", "demo", "5");
    s = await waitFor("demo", "▶ trace");
    expect(s).toContain("why: no anti-spoofing flow in br-int table 25 admits this");
    expect(s).toContain("near misses:");
    expect(s).toContain("✗   br-int table 25  ← dropped here");

    tmux("send-keys", "-t", "demo", "/");
    tmux("send-keys", "-t", "demo", "-l", "arp && drop");
    tmux("send-keys", "-t", "demo", "Enter");
    // The scan runs in the background: the list fills as it goes.
    s = await waitFor("demo", "frame 9 (row 1 of 1)");
    expect(s).toContain("packets: arp && drop");
    expect(s).toMatch(/9\s+9\.638408 DROPPED\s+ARP who has 192\.168\.100\.12\? tell 192\.168\.100\.99/);

    tmux("send-keys", "-t", "demo", "q");
    expect(await exited("demo")).toBe(true);
    // Back on the normal screen: none of the TUI is left, and mouse reporting is off.
    s = screen("demo");
    expect(s).not.toContain("packets");
    expect(tmux("display-message", "-p", "-t", "demo", "#{mouse_any_flag}#{alternate_on}").trim()).toBe("00");
  });

  it.each([
    [80, 24],
    [120, 40],
  ])(
    "%i×%i: one key (d) shows a dropped frame's reason on the first screen; no line is cut mid-word",
    async (x, y) => {
      const session = `answer${x}`;
      tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        String(x),
        "-y",
        String(y),
        process.execPath,
        BIN,
        "demo",
      );
      await waitFor(session, "replayed:");
      tmux("send-keys", "-t", session, "d");
      const s = await waitFor(session, /frame 8 [·(]/);
      // The reason, in the verdict (status line, trace pane) and the sentence under it.
      expect(s).toContain("dropped compute1 br-int table 25 (anti-spoofing)");
      expect(s).toContain("why: no anti-spoofing flow in br-int table 25");
      if (y >= 40) expect(s).toContain("near misses:");
      // A second d: the next drop.
      tmux("send-keys", "-t", session, "d");
      await waitFor(session, /frame 9 [·(]/);
      const lines = (await waitFor(session, /frame 9 [·(]/)).split("\n").filter((l) => l.trim() !== "");
      // The status line ends on a whole hint or a whole word of the verdict, never on a cut word.
      const status = lines[lines.length - 1].trimEnd();
      expect(status).toMatch(/(quit|help|drop|match|filter|pane|open|\)|…)$/);
      for (const word of status.split(/[ ·]+/).filter((w) => /^[a-z]/.test(w)))
        expect(STATUS_WORDS.has(word.replace(/[…),]+$/, "")), `"${word}" in: ${status}`).toBe(true);
      // Every other line ends at its pane's border, or with "…" where a pane cut it: never a bare cut.
      for (const l of lines.slice(0, -1)) expect(l.trimEnd()).toMatch(/[│║┐╗┘╝…]$|^ovspath /);
      tmux("send-keys", "-t", session, "q");
      expect(await exited(session)).toBe(true);
    },
  );

  it("NO_COLOR: not one colour code on the screen; the mouse wheel scrolls; SIGTERM restores the terminal", async () => {
    start("plain", { NO_COLOR: "1", TERM: "xterm-256color" });
    await waitFor("plain", "replayed:");
    expect(screen("plain", true)).not.toMatch(/\u001b\[[0-9;]*(3[0-7]|9[0-7]|38;5)[;m]/);
    // A wheel-down over the packet list, as a terminal reports it with SGR mouse reporting on.
    tmux("set-buffer", "\u001b[<65;10;5M");
    tmux("paste-buffer", "-t", "plain");
    await waitFor("plain", "frame 4 (row 4 of 14)");
    // SIGTERM: the terminal is restored on the way out too.
    process.kill(Number(tmux("display-message", "-p", "-t", "plain", "#{pane_pid}").trim()), "SIGTERM");
    expect(await exited("plain")).toBe(true);
    expect(tmux("display-message", "-p", "-t", "plain", "#{mouse_any_flag}#{alternate_on}").trim()).toBe(
      "00",
    );
  });

  it("works in 80×24, follows a resize, quits on Ctrl-C; draws even with CI set", async () => {
    // CI=true: Ink alone would draw nothing until exit there (its is-in-ci check); the bundle stubs it.
    tmux(
      "new-session",
      "-d",
      "-s",
      "small",
      "-x",
      "80",
      "-y",
      "24",
      "-e",
      "CI=true",
      process.execPath,
      BIN,
      "demo",
    );
    let s = await waitFor("small", "replayed:");
    const lines = s.split("\n");
    expect(lines.some((l) => l.startsWith("┌─ trace"))).toBe(true);
    tmux("resize-window", "-t", "small", "-x", "200", "-y", "50");
    s = await waitFor("small", /┌─ trace .*┌─ path .*┌─ flows /);
    // Ctrl-C quits as q does, and leaves the terminal as it was.
    tmux("send-keys", "-t", "small", "C-c");
    expect(await exited("small")).toBe(true);
    expect(tmux("display-message", "-p", "-t", "small", "#{mouse_any_flag}#{alternate_on}").trim()).toBe(
      "00",
    );
  });

  it("demo --ovn: the OVN pair; d goes to the HTTP frame, dropped on hv2 by its ACL, named in the trace pane", async () => {
    // 80 columns: one detail pane (the trace) beside nothing, so its wrapped lines read in order.
    tmux("new-session", "-d", "-s", "ovn", "-x", "80", "-y", "40", process.execPath, BIN, "demo", "--ovn");
    await waitFor("ovn", "replayed: 2 delivered, 0 tunneled, 1 dropped");
    tmux("send-keys", "-t", "ovn", "d");
    const s = await waitFor("ovn", /frame 3 [·(]/);
    // Lines wrap in the pane: read it with the borders and line breaks squeezed out.
    const flat = s.replace(/[│║┃\s]+/g, "");
    expect(flat).toContain('OVN:droppedin"ls1"egressstagels_out_aclbyACL"default_drop_egress"');
    tmux("send-keys", "-t", "ovn", "q");
    expect(await exited("ovn")).toBe(true);
  });
});
