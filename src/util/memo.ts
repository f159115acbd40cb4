/**
 * `compute`, remembered per argument: for conversions the pipeline repeats for every packet over the few
 * values a dump holds (tunnel endpoints, MACs, datapath action texts). Bounded, so a capture of endless
 * distinct values cannot grow it without limit; past the bound it simply computes.
 */
export function memoize<K, V>(compute: (key: K) => V, bound = 65536): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    // One lookup when the value is known (the common case); `has` only to tell a stored undefined.
    const v = known.get(key);
    if (v !== undefined || known.has(key)) return v as V;
    const value = compute(key);
    if (known.size < bound) known.set(key, value);
    return value;
  };
}
