/**
 * `--filter 'tun_id=0x64'`: which flows could a packet with these field values match? A flow is
 * selected when, on every bit both the flow and the filter constrain, they agree — the flow may leave
 * the filtered fields wildcarded (a packet with tun_id=0x64 also matches `priority=0`).
 */
import { FLOW_WORDS } from "./layout.js";
import type { CompiledMatch } from "./match.js";

export function couldMatch(flow: CompiledMatch, filter: CompiledMatch): boolean {
  for (let i = 0; i < FLOW_WORDS; i++) {
    if ((flow.value[i] ^ filter.value[i]) & flow.mask[i] & filter.mask[i]) return false;
  }
  return true;
}
