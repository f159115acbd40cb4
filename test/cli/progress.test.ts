import { describe, expect, it } from "vitest";
import { formatProgress, progress } from "../../src/cli/progress.js";

describe("formatProgress", () => {
  it.each([
    [0, 4e9, 0, 0, "[..............................]   0%  0 MB / 4.00 GB"],
    [1.24e9, 4e9, 1_236_000, 3, "[#########.....................]  31%  1.24 GB / 4.00 GB  412,000 frames/s"],
    [4e9, 4e9, 5_000_000, 10, "[##############################] 100%  4.00 GB / 4.00 GB  500,000 frames/s"],
    [5e8, 2e8, 10, 1, "[##############################] 100%  500 MB / 200 MB  10 frames/s"],
    [0, 0, 0, 1, "[..............................]   0%  0 MB / 0 MB  0 frames/s"],
  ])("%d of %d bytes, %d frames in %d s", (done, total, frames, secs, want) =>
    expect(formatProgress(done, total, frames, secs)).toBe(want),
  );
});

describe("progress", () => {
  it("draws on one line at most every 200 ms and erases itself at the end", () => {
    const written: string[] = [];
    let t = 0;
    const bar = progress(1e9, { write: (s) => written.push(s) }, () => t);
    bar.update(1e8, 100); // t = 0: the first draw
    t = 100;
    bar.update(2e8, 200); // too soon: not drawn
    t = 1000;
    bar.update(5e8, 1000);
    bar.end();
    expect(written).toEqual([
      "\r[###...........................]  10%  100 MB / 1.00 GB\x1b[K",
      "\r[###############...............]  50%  500 MB / 1.00 GB  1,000 frames/s\x1b[K",
      "\r\x1b[K",
    ]);
  });
  it("writes nothing when it never drew", () => {
    const written: string[] = [];
    progress(1e9, { write: (s) => written.push(s) }).end();
    expect(written).toEqual([]);
  });
});
