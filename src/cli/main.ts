import { Command, CommanderError } from "@commander-js/extra-typings";
import { registerDecode } from "./commands/decode.js";
import { registerDemo } from "./commands/demo.js";
import { registerFlows } from "./commands/flows.js";
import { registerReplay } from "./commands/replay.js";
import { registerShow } from "./commands/show.js";
import { registerTopo } from "./commands/topo.js";
import { registerTrace } from "./commands/trace.js";
import { registerTui } from "./commands/tui.js";
import { EXIT, err, flush, UsageError } from "./io.js";

const program = new Command()
  .name("ovspath")
  .description(
    "Where did my packet go? Offline Open vSwitch path tracing, pcap decoding and drop explanation.",
  )
  .version("0.1.0", "--version", "output the version number")
  .enablePositionalOptions()
  .showHelpAfterError("(run with --help for usage)")
  // One error style for commander's errors and ovspath's own: "ovspath: error: …", printed once.
  .configureOutput({ outputError: (text, write) => write(errorLine(text)) })
  .exitOverride();

registerDecode(program);
registerDemo(program);
registerFlows(program);
registerReplay(program);
registerShow(program);
registerTopo(program);
registerTrace(program);
registerTui(program);

/** Commander's "error: unknown option '--x'" as ovspath prints every error. */
function errorLine(text: string): string {
  return text.startsWith("error: ") ? `ovspath: ${text}` : text;
}

function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version are successes; every other commander error is a usage error.
    if (
      e.code === "commander.helpDisplayed" ||
      e.code === "commander.version" ||
      e.code === "commander.help"
    ) {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (e instanceof UsageError) {
    err(`ovspath: error: ${e.message}`);
    return EXIT.usage;
  }
  throw e;
}

try {
  await program.parseAsync(process.argv);
  flush();
} catch (e) {
  flush();
  process.exitCode = exitCodeOf(e);
}
