import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture } from "../../src/capture/index.js";
import { bitOf, fromDetail, fromEach, fromFields, hexNumber } from "../../src/decode/filter-decl.js";
import { decodeFrame, FILTER_PROTOCOLS, type Layer } from "../../src/decode/index.js";
import { HAVE_SHARED, REPO_ROOT, SHARED } from "../support/shared.js";

const LAYER: Layer = {
  proto: "ipv4",
  offset: 14,
  length: 20,
  depth: 0,
  fields: { src: "10.0.0.1", dst: "10.0.0.2", type: "0x0800", flags: "0x012", gone: null },
  detail: { tos: 0xb8 },
};

describe("field readers", () => {
  it.each([
    ["fromFields", fromFields("src"), ["10.0.0.1"]],
    ["fromFields of an absent field", fromFields("ttl"), []],
    ["fromFields of a null field", fromFields("gone"), []],
    ["fromFields with hexNumber", fromFields("type", hexNumber), [0x800]],
    ["fromFields with bitOf (SYN)", fromFields("flags", bitOf(0x002)), [true]],
    ["fromFields with bitOf (FIN)", fromFields("flags", bitOf(0x001)), [false]],
    ["fromDetail", fromDetail("tos", (v) => Number(v) >> 2), [46]],
    ["fromEach", fromEach(fromFields("src"), fromFields("dst")), ["10.0.0.1", "10.0.0.2"]],
  ])("%s", (_, read, values) => {
    expect(read(LAYER)).toEqual(values);
  });
});

describe("FILTER_PROTOCOLS: the fields every decoder declares", () => {
  const fields = FILTER_PROTOCOLS.flatMap((p) => p.fields.map((f) => ({ protocol: p, field: f })));

  it("name each field once, under its protocol's name", () => {
    const names = [...FILTER_PROTOCOLS.map((p) => p.name), ...fields.map((f) => f.field.name)];
    expect(new Set(names).size).toBe(names.length);
    for (const { protocol, field } of fields) expect(field.name.startsWith(`${protocol.name}.`)).toBe(true);
  });

  function capturesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return capturesUnder(path);
      return /\.(pcap|pcapng)$/.test(name) ? [path] : [];
    });
  }

  it.skipIf(!HAVE_SHARED)(
    "read a value from some frame of the corpus, each (a mistyped key reads nothing)",
    () => {
      const seen = new Set<string>();
      for (const path of [
        ...capturesUnder(join(REPO_ROOT, "fixtures")),
        ...capturesUnder(join(SHARED, "captures")),
      ]) {
        const opened = openCapture(path);
        if (!opened.ok) continue;
        const reader = opened.value;
        try {
          for (let rec = reader.next(); rec; rec = reader.next()) {
            const layers = decodeFrame(
              rec.bytes.slice(rec.offset, rec.offset + rec.caplen),
              rec.linktype,
            ).layers;
            layers.forEach((l, i) => {
              for (const p of FILTER_PROTOCOLS) {
                if (p.layer !== l.proto || !(p.is?.(layers, i) ?? true)) continue;
                for (const f of p.fields) if (f.read(l).length > 0) seen.add(f.name);
              }
            });
          }
        } finally {
          reader.close();
        }
      }
      expect(fields.map((f) => f.field.name).filter((n) => !seen.has(n))).toEqual([]);
    },
  );
});
