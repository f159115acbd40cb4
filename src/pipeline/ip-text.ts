import { ipv4Of } from "../model/field-value.js";
import { memoize } from "../util/memo.js";

/** Dotted quad of an address word, remembered: the same few endpoints are printed for every packet. */
export const ipText = memoize((n: number): string => ipv4Of(BigInt(n >>> 0)));
