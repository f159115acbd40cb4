import { Command, CommanderError } from "@commander-js/extra-typings";
import { EXIT, err, flush, UsageError, writeText } from "./io.js";
import { registerVerbs } from "./verbs.js";

const program = new Command()
  .name("ovspath")
  .description(
    "Where did my packet go? Offline Open vSwitch path tracing, pcap decoding and drop explanation.",
  )
  .version("0.1.0", "--version", "output the version number")
  .enablePositionalOptions()
  .showHelpAfterError("(run with --help for usage)")
  // One error style for commander's errors and ovspath's own: "ovspath: error: …", printed once.
  // Written as every other line is (a closed pipe ends the process quietly: `ovspath --help | head`).
  .configureOutput({
    writeOut: (text) => writeText("stdout", text),
    writeErr: (text) => writeText("stderr", text),
    outputError: (text, write) => write(errorLine(text)),
  })
  .exitOverride();

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

async function main(): Promise<void> {
  // A known verb first registers only itself (its --help and its errors are the same either way);
  // anything else (no verb, --help, help VERB, a misspelt verb) registers them all, in the help's order.
  await registerVerbs(program, process.argv[2]);
  try {
    await program.parseAsync(process.argv);
    flush();
  } catch (e) {
    flush();
    process.exitCode = exitCodeOf(e);
  }
}

// Not a top-level await: the standalone executable runs this bundle as CommonJS. A bug's exception
// still ends the process with its stack, as an unhandled rejection.
void main();
