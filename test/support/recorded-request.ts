/**
 * The trace request a recorded `ovs-appctl ofproto/trace` stands for, on a loaded switch: its bridge,
 * its flow (ports by name resolved on that bridge), its hex packet (the flow's packet fields then come
 * from the packet, and the packet's length with it) and its --ct-next states. One reading for every
 * suite that replays recordings against OVS's own output.
 */
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import {
  flowFromPacket,
  parseHexPacket,
  parseTraceFlow,
  type SimHost,
  type TraceRequest,
} from "../../src/pipeline/index.js";
import type { RecordedTrace } from "./ovs-trace.js";

export type RecordedRequest =
  | { ok: true; request: TraceRequest }
  /** What was refused: the flow (`notModelled` when it is a feature ovspath names), or the hex packet. */
  | { ok: false; refused: "flow" | "packet"; message: string; notModelled?: string };

export function recordedRequest(sw: SimHost, rec: RecordedTrace): RecordedRequest {
  const br = sw.bridges.get(rec.bridge);
  const parsed = parseTraceFlow(rec.flow, (n) => br?.byName.get(n)?.ofport);
  if (!parsed.ok) {
    const refused: RecordedRequest = { ok: false, refused: "flow", message: parsed.message };
    if (parsed.notModelled !== undefined) refused.notModelled = parsed.notModelled;
    return refused;
  }
  const request: TraceRequest = {
    host: sw,
    bridge: rec.bridge,
    flow: parsed.flow,
    withPacket: rec.packet !== undefined,
    ctNext: rec.ctNext.map((c) => ctStateValue(c) as number),
  };
  if (rec.packet !== undefined) {
    const bytes = parseHexPacket(rec.packet);
    if (typeof bytes === "string") return { ok: false, refused: "packet", message: bytes };
    request.flow = flowFromPacket(parsed.flow, bytes);
    request.packetLength = bytes.length;
  }
  return { ok: true, request };
}
