/**
 * The fields display filters read (src/model/display-filter.ts), each with its type: of a decoded
 * frame with its replay verdict (`frameRecord`: the frame's own fields and the decoders' declared
 * ones, frame-fields.ts, then the verdict's, verdict-fields.ts), and of a flow (`flowRecord`,
 * flow-fields.ts). Records are lazy: a field is computed when a filter reads it. Pure: no I/O.
 */
import type { DecodedFrame } from "../decode/types.js";
import type { FilterRecord } from "../model/display-filter.js";
import type { FilterFieldType } from "../model/filter-field-type.js";
import { type FieldHelp, helpOf, lazyRecord, specTable } from "./filter-record.js";
import { FRAME_SPECS, type FrameCtx, type FrameInfo, protocolNames } from "./frame-fields.js";
import type { FrameVerdict } from "./types.js";
import { VERDICT_SPECS } from "./verdict-fields.js";

export type { FieldHelp } from "./filter-record.js";
export { FLOW_FIELDS, flowFieldType, flowRecord, isFlowField } from "./flow-fields.js";
export type { FrameInfo } from "./frame-fields.js";

const FRAME_BY_NAME = specTable([...FRAME_SPECS, ...VERDICT_SPECS]);
const VERDICT_NAMES = new Set(VERDICT_SPECS.map((s) => s.name));

/** Every frame field, then every verdict field, with a one-line description (for `?` help). */
export const FRAME_FIELDS: readonly FieldHelp[] = helpOf([...FRAME_SPECS, ...VERDICT_SPECS]);

/** A frame or verdict field's type, or undefined for no such field (the filter compiler's lookup). */
export function frameFieldType(name: string): FilterFieldType | undefined {
  return FRAME_BY_NAME.get(name)?.type;
}

export function isFrameField(name: string): boolean {
  return FRAME_BY_NAME.has(name);
}

/** A field of the replay verdict (`drop`, `reason`, `bridge`...): absent from a frame decoded without a replay. */
export function isVerdictField(name: string): boolean {
  return VERDICT_NAMES.has(name);
}

/** The filter record of one decoded frame, with its replay verdict when there is one. */
export function frameRecord(frame: FrameInfo, decoded: DecodedFrame, verdict?: FrameVerdict): FilterRecord {
  const ctx: FrameCtx = { info: frame, layers: decoded.layers, names: protocolNames(decoded.layers) };
  if (verdict) ctx.verdict = verdict;
  return lazyRecord(FRAME_BY_NAME, ctx);
}
