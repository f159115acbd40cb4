/**
 * The full-screen helper: the alternate screen (Ink 6 has none), SGR mouse reporting for the wheel, the
 * cursor hidden; and the terminal put back on every way out (quit, Ctrl-C, SIGTERM, SIGHUP, a crash).
 */

export const ENTER = "\u001b[?1049h\u001b[H\u001b[2J\u001b[?25l";
export const MOUSE_ON = "\u001b[?1000h\u001b[?1006h";
export const MOUSE_OFF = "\u001b[?1000l\u001b[?1006l";
export const LEAVE = "\u001b[?25h\u001b[?1049l";

export interface Writable {
  write(text: string): unknown;
}

export interface FullScreen {
  /** Puts the terminal back (idempotent). */
  restore(): void;
}

/** Enters the alternate screen; `restore` (also run on exit, signals and crashes) leaves it. */
export function enterFullScreen(
  out: Writable,
  opts: { mouse: boolean },
  proc: NodeJS.Process = process,
): FullScreen {
  let active = true;
  const restore = () => {
    if (!active) return;
    active = false;
    try {
      out.write((opts.mouse ? MOUSE_OFF : "") + LEAVE);
      // Ink leaves raw mode on its own exit; a signal or a crash may come first.
      const stdin = proc.stdin as (NodeJS.ReadStream & { isTTY?: boolean }) | undefined;
      if (stdin?.isTTY) stdin.setRawMode(false);
    } catch {
      // The terminal is gone: nothing to restore.
    }
    proc.off("exit", restore);
    proc.off("SIGINT", onSignal);
    proc.off("SIGTERM", onSignal);
    proc.off("SIGHUP", onSignal);
    proc.off("uncaughtException", onCrash);
    proc.off("unhandledRejection", onCrash);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    proc.exit(signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129);
  };
  const onCrash = (e: unknown) => {
    restore();
    proc.stderr.write(`ovspath tui: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    proc.exit(70);
  };
  proc.on("exit", restore);
  proc.on("SIGINT", onSignal);
  proc.on("SIGTERM", onSignal);
  proc.on("SIGHUP", onSignal);
  proc.on("uncaughtException", onCrash);
  proc.on("unhandledRejection", onCrash);
  out.write(ENTER + (opts.mouse ? MOUSE_ON : ""));
  return { restore };
}
