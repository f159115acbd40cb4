/** SCHEMA.md's comparison rule: every golden layer at the same position, same proto, equal fields. */
export function layerDisagreement(
  golden: ReadonlyArray<Record<string, unknown>>,
  ours: ReadonlyArray<Record<string, unknown>>,
): string | null {
  for (const [i, g] of golden.entries()) {
    const o = ours[i];
    if (!o) return `layer ${i} (${String(g.proto)}) missing`;
    for (const [k, v] of Object.entries(g)) {
      if (o[k] !== v)
        return `layer ${i} (${String(g.proto)}) field ${k}: want ${JSON.stringify(v)}, got ${JSON.stringify(o[k])}`;
    }
  }
  return null;
}
