export { type CaptureIndex, indexCapture } from "./indexer.js";
export { captureFromBytes, type OpenOptions, openCapture } from "./open.js";
export * from "./types.js";
export {
  PcapFileWriter,
  type PcapFrame,
  type PcapngBlock,
  type PcapngInterfaceSpec,
  type PcapngSection,
  type PcapOptions,
  writePcap,
  writePcapng,
} from "./writer.js";
