/**
 * A progress bar on stderr for long runs over big captures (replay of a 4 GB file): drawn on one line,
 * redrawn at most every 200 ms, erased at the end. Only where stderr is a terminal and stdout is not
 * (stdout's own lines would scroll the bar away; redirected, they leave the terminal to the bar).
 */

const BAR = 30;
const EVERY_MS = 200;

const size = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;

/** The bar's text: `[#########.........]  31%  1.24 GB / 4.00 GB  412,000 frames/s`. */
export function formatProgress(done: number, total: number, frames: number, seconds: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * BAR);
  const rate = seconds > 0 ? `  ${Math.round(frames / seconds).toLocaleString("en-US")} frames/s` : "";
  return `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${size(done)} / ${size(total)}${rate}`;
}

export interface Progress {
  /** The bytes of the file read so far and the frames done; cheap to call per frame. */
  update(done: number, frames: number): void;
  /** Erases the bar. */
  end(): void;
}

export interface ProgressSink {
  write(text: string): unknown;
}

/** A bar over `total` bytes written to `sink`; `now` is the clock in ms (a parameter for the tests). */
export function progress(
  total: number,
  sink: ProgressSink,
  now: () => number = () => performance.now(),
): Progress {
  const start = now();
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(done, frames) {
      const t = now();
      if (t - last < EVERY_MS) return;
      last = t;
      drawn = true;
      sink.write(`\r${formatProgress(done, total, frames, (t - start) / 1000)}\x1b[K`);
    },
    end() {
      if (drawn) sink.write("\r\x1b[K");
    },
  };
}

/** The bar for a run over a file of `total` bytes, or undefined where it must not be drawn. */
export function progressOnTerminal(total: number): Progress | undefined {
  return process.stderr.isTTY && !process.stdout.isTTY ? progress(total, process.stderr) : undefined;
}
