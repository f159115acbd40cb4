import { ipv4Of } from "../model/field-value.js";

/** Dotted quad of an address word, remembered: the same few endpoints are printed for every packet. */
const ipTexts = new Map<number, string>();
export function ipText(n: number): string {
  let t = ipTexts.get(n);
  if (t === undefined) {
    t = ipv4Of(BigInt(n >>> 0));
    if (ipTexts.size < 65536) ipTexts.set(n, t);
  }
  return t;
}
