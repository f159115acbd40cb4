/** The pipeline stage: simulated switches built from loaded hosts, and ofproto/trace over them. */
import type { Host } from "../dumps/host/load.js";
import { buildHostTopology } from "../topology/build.js";
import { buildSwitch, type SimHost, type SwitchOptions } from "./switch.js";

export { buildSwitch, type SimBridge, type SimHost, type SimPort } from "./switch.js";
export {
  flowFromPacket,
  formatTrace,
  parseHexPacket,
  parseTraceFlow,
  type TracePass,
  type TraceRequest,
  type TraceResult,
  trace,
  traceSteps,
  type Verdict,
} from "./trace.js";

/** One simulated switch per loaded host. */
export function switchesOf(hosts: readonly Host[], opts: SwitchOptions = {}): SimHost[] {
  return hosts.map((h) => buildSwitch(h, buildHostTopology(h), opts));
}
