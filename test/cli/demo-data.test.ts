import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { demoDir } from "../../src/cli/demo-data.js";
import { REPO_ROOT } from "../support/shared.js";

// The standalone executable's path (the demo data from its assets) is run by scripts/check-package.sh --exe.
describe("demoDir", () => {
  it("finds fixtures/demo up from the sources, with its hosts and captures", async () => {
    const dir = await demoDir();
    expect(dir).toBe(join(REPO_ROOT, "fixtures", "demo"));
    expect(existsSync(join(dir, "hosts", "compute1", "sos_commands"))).toBe(true);
    expect(existsSync(join(dir, "compute1-qvo8c2d4e6f-1a-rx.pcap"))).toBe(true);
  });
});
