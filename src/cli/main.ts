import { Command } from "@commander-js/extra-typings";

const program = new Command()
  .name("ovspath")
  .description(
    "Where did my packet go? Offline Open vSwitch path tracing, pcap decoding and drop explanation.",
  )
  .version("0.1.0");

await program.parseAsync(process.argv);
