import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, and `../shared` beside it (the lab data CI provides). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED = resolve(REPO_ROOT, "../shared");
export const HAVE_SHARED = existsSync(join(SHARED, "captures", "golden"));
export const SKIP_SHARED_REASON = `../shared not found at ${SHARED}: the conformance suites need it`;

/** What the suites that skip without ../shared need, as their skip line says it. */
export const NEEDS = {
  labs: "every host of the labs of ../shared/ovs-lab (fixtures/ovs-lab holds one)",
  labCaptures: "every host of the labs of ../shared/ovs-lab and the captures OVS wrote there",
  corpus: "the capture corpus of ../shared/captures (third-party captures) and its tshark goldens",
  ovsTestsuite: "Open vSwitch's own trace tests recorded in ../shared/ovs-lab/ovs-testsuite",
} as const;

/**
 * For `describe.skipIf`: true without ../shared, after printing the one line that says what the skipped
 * suite needs (a clone alone runs everything else, on the copies in fixtures/).
 */
export function skipWithoutShared(needs: string): boolean {
  if (!HAVE_SHARED) console.warn(`skipped: needs ${needs} (../shared, not found beside the repository)`);
  return !HAVE_SHARED;
}

export interface GoldenFrame {
  frame: number;
  caplen: number;
  len: number;
  ts: string | null;
  layers: Array<Record<string, unknown>>;
}

export interface CorpusCapture {
  name: string;
  path: string;
  golden: GoldenFrame[];
  /** Extra tshark arguments the golden was made with (decode-as), if any. */
  tsharkArgs: string[];
}

/** Every capture of the shared corpus that has a tshark golden. */
export function corpusCaptures(): CorpusCapture[] {
  if (!HAVE_SHARED) return [];
  const out: CorpusCapture[] = [];
  for (const dir of ["synthetic", "real", "ovs-lab", "more"]) {
    const full = join(SHARED, "captures", dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) {
      if (!/\.(pcap|pcapng)$/.test(name)) continue;
      const goldenPath = join(SHARED, "captures", "golden", `${basename(name)}.jsonl`);
      if (!existsSync(goldenPath)) continue;
      const golden = readFileSync(goldenPath, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as GoldenFrame);
      const argsPath = join(full, `${name}.tshark-args`);
      const tsharkArgs = existsSync(argsPath) ? readFileSync(argsPath, "utf8").trim().split(/\s+/) : [];
      out.push({ name: `${dir}/${name}`, path: join(full, name), golden, tsharkArgs });
    }
  }
  return out;
}

/** Captures of the second corpus tshark has no golden for (it refuses them, or finds no frame). */
export function corpusCapturesWithoutGolden(): Array<{ name: string; path: string }> {
  const dir = join(SHARED, "captures", "more");
  if (!HAVE_SHARED || !existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((n) => /\.(pcap|pcapng)$/.test(n))
    .filter((n) => !existsSync(join(SHARED, "captures", "golden", `${n}.jsonl`)))
    .map((n) => ({ name: `more/${n}`, path: join(dir, n) }));
}
