/** ct_state flags as ofproto/trace's --ct-next takes them: `trk,new`, `trk|est|rpl`. */
import { CS } from "../model/layout.js";

export function ctStateValue(text: string): number | string {
  let v = 0;
  for (const word of text.split(/[,|]/)) {
    const bit = (CS as Record<string, number>)[word.trim()];
    if (bit === undefined)
      return `unknown ct_state flag "${word}" (use new, est, rel, rpl, inv, trk, snat, dnat)`;
    v |= bit;
  }
  return v;
}
