export type { LayerFieldDecl, ProtocolDecl } from "./filter-decl.js";
export {
  DL_TYPE_NONE,
  extractFlowKey,
  extractFlowKeyAt,
  extractTunnelFlowKey,
  type TunnelInfo,
  tunnelOf,
} from "./flowkey.js";
export { decodeFrame, schemaLayers } from "./frame.js";
export { ETH_TYPE, FILTER_PROTOCOLS, LINKTYPE } from "./protocols.js";
export { registerUdpPort } from "./registry.js";
export { summarizeFrame } from "./summary.js";
export { quickSummary } from "./summary-fast.js";
export { formatLayerTree } from "./tree.js";
export type { DecodedFrame, DecodeOptions, FieldValue, Layer } from "./types.js";
