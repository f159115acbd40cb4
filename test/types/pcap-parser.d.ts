// pcap-parser ships no types; only what the cross-check test uses.
declare module "pcap-parser" {
  import type { EventEmitter } from "node:events";
  import type { Readable } from "node:stream";

  const pcapParser: { parse(input: Readable | string): EventEmitter };
  export default pcapParser;
}
