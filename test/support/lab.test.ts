/**
 * The copies of ../shared's OVS recordings kept in fixtures/ (for a clone without ../shared) are
 * byte-for-byte the originals: a lab rebuilt in ../shared must be copied again, never drift.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { LAB, LAB_COPY } from "./lab.js";
import { REPO_ROOT, SHARED, skipWithoutShared } from "./shared.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

const PCAP_COPY = join(REPO_ROOT, "fixtures", "ovs-parse-pcap", "captures");
const NO_SHARED = skipWithoutShared(
  "the originals of the copies in fixtures/ovs-lab and fixtures/ovs-parse-pcap",
);
const copies = NO_SHARED
  ? []
  : [
      ...filesUnder(LAB_COPY).map((f) => [f, join(LAB, relative(LAB_COPY, f))] as const),
      ...filesUnder(PCAP_COPY).map((f) => {
        const name = relative(PCAP_COPY, f);
        const from = readdirSync(join(SHARED, "captures", "ovs-lab")).includes(name)
          ? "ovs-lab"
          : "synthetic";
        return [f, join(SHARED, "captures", from, name)] as const;
      }),
    ];

describe.skipIf(NO_SHARED)("fixture copies of ../shared", () => {
  it("copies the lab host and the parse-pcap captures", () => expect(copies.length).toBeGreaterThan(100));
  it.each(copies.map(([copy, original]) => [relative(REPO_ROOT, copy), copy, original] as const))(
    "%s is the original",
    (_n, copy, original) => expect(readFileSync(copy).equals(readFileSync(original))).toBe(true),
  );
});
