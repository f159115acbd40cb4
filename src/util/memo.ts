/**
 * `compute`, remembered per argument: for conversions the pipeline repeats for every packet over the few
 * values a dump holds (tunnel endpoints, MACs, datapath action texts). Bounded, so a capture of endless
 * distinct values cannot grow it without limit; past the bound it simply computes.
 */
export function memoize<K, V>(compute: (key: K) => V, bound = 65536): (key: K) => V {
  const known = new Map<K, V>();
  // The last answer found in the Map, asked first: a capture's packets mostly repeat the previous one's
  // values (the same tunnel endpoint, the same port), and a comparison costs less than a hash and probe.
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  let hasLast = false;
  const remember = (key: K, value: V): V => {
    lastKey = key;
    lastValue = value;
    hasLast = true;
    return value;
  };
  return (key) => {
    if (hasLast && key === lastKey) return lastValue as V;
    // One lookup when the value is known (the common case); `has` only to tell a stored undefined.
    const v = known.get(key);
    if (v !== undefined || known.has(key)) return remember(key, v as V);
    const value = compute(key);
    // Past the bound nothing is kept, the last answer included: it is computed each time.
    if (known.size < bound) {
      known.set(key, value);
      remember(key, value);
    }
    return value;
  };
}
