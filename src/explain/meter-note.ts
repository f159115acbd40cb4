/**
 * Meters in a trace (`meter:N`, a controller action's `meter_id=N`: OVN's QoS bandwidth limits and
 * rate-limited ACL logs): OVS prints the action and puts the meter in the datapath actions, but whether
 * the packet is within the rate depends on the traffic before it, which no dump holds. ovspath lets the
 * packet pass and says so, with the meter's bands from the dump; the datapath meter id OVS allocates
 * at run time is in no dump either, so `meter(N)` carries the OpenFlow id.
 */
import { formatMeter } from "../dumps/ofctl/meters.js";
import type { SimHost } from "../pipeline/switch.js";
import type { TraceResult } from "../pipeline/trace.js";

/** The ids of the meters a trace ran through (as its translation recorded them), in trace order, once each. */
export function tracedMeters(result: TraceResult): number[] {
  return [...new Set(result.passes.flatMap((p) => p.meters ?? []))];
}

/** One `Note:` per meter the trace ran through; none when it met no meter. */
export function meterNotes(result: TraceResult, sim: SimHost | undefined): string[] {
  const meters = sim?.bridges.get(result.bridge)?.meters;
  return tracedMeters(result).map((id) => {
    const m = meters?.get(id);
    const what = m ? `meter ${id} (${formatMeter(m)})` : `meter ${id} (not in the dumps)`;
    return `Note: ${what}: the rate limit is not modelled, the packet passes; meter(${id}) in the datapath actions is the OpenFlow meter id (OVS's datapath id is allocated at run time and in no dump).`;
  });
}
