import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { ENTER, enterFullScreen, LEAVE, MOUSE_OFF, MOUSE_ON } from "../../src/tui/screen.js";

/** A process stand-in: signal and exit listeners, a recorded exit code, a stderr. */
function fakeProcess() {
  const p = new EventEmitter() as EventEmitter & { exitCode?: number; errors: string[] };
  p.errors = [];
  Object.assign(p, {
    exit: (code: number) => {
      p.exitCode = code;
    },
    stderr: { write: (t: string) => p.errors.push(t) },
  });
  return p;
}

function setup(mouse = true) {
  const written: string[] = [];
  const proc = fakeProcess();
  const screen = enterFullScreen(
    { write: (t: string) => written.push(t) },
    { mouse },
    proc as unknown as NodeJS.Process,
  );
  return { written, proc, screen };
}

describe("enterFullScreen", () => {
  it("enters the alternate screen with mouse reporting, and leaves it once", () => {
    const { written, screen, proc } = setup();
    expect(written).toEqual([ENTER + MOUSE_ON]);
    expect(MOUSE_ON).toBe("\u001b[?1000h\u001b[?1006h");
    screen.restore();
    screen.restore();
    expect(written).toEqual([ENTER + MOUSE_ON, MOUSE_OFF + LEAVE]);
    expect(LEAVE).toContain("\u001b[?1049l");
    expect(proc.listenerCount("SIGINT")).toBe(0);
    expect(proc.listenerCount("exit")).toBe(0);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ])("restores the terminal on %s", (signal, code) => {
    const { written, proc } = setup();
    proc.emit(signal, signal);
    expect(written[1]).toBe(MOUSE_OFF + LEAVE);
    expect(proc.exitCode).toBe(code);
  });

  it("restores the terminal on a crash and on exit", () => {
    const crash = setup();
    crash.proc.emit("uncaughtException", new Error("boom"));
    expect(crash.written[1]).toBe(MOUSE_OFF + LEAVE);
    expect(crash.proc.errors.join("")).toContain("boom");
    const exit = setup(false);
    exit.proc.emit("exit", 0);
    expect(exit.written).toEqual([ENTER, LEAVE]);
  });
});
