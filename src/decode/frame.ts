import "./protocols.js";
import { linktypes } from "./registry.js";
import type { DecodeCtx, DecodedFrame, DecodeOptions, FieldValue } from "./types.js";

const DEFAULT_MAX_DEPTH = 8;

/** Decodes a frame into layers, outer first, tunnels included. Never throws on any bytes. */
export function decodeFrame(data: Uint8Array, linktype: number, options: DecodeOptions = {}): DecodedFrame {
  const ctx: DecodeCtx = {
    data,
    layers: [],
    depth: 0,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    truncated: false,
  };
  const first = linktypes.get(linktype);
  if (!first) {
    return { layers: [], stop: `unsupported link type ${linktype}`, truncated: false };
  }
  first(ctx, 0, Math.max(data.length, options.wireLength ?? 0));
  const frame: DecodedFrame = { layers: ctx.layers, truncated: ctx.truncated };
  if (ctx.stop !== undefined) frame.stop = ctx.stop;
  return frame;
}

/** The layers in the capture corpus schema: `[{proto, ...fields}]`. */
export function schemaLayers(frame: DecodedFrame): Array<Record<string, FieldValue>> {
  return frame.layers.map((l) => ({ proto: l.proto, ...l.fields }));
}
