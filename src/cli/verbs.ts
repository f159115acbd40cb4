import { Command } from "@commander-js/extra-typings";

/**
 * Registers one verb. `everyVerb` builds a program holding all of them, for the verbs that describe the
 * others (completion): passed in rather than imported, so no verb module imports this one back.
 */
export type Register = (program: Command, everyVerb: () => Promise<Command>) => void;

/**
 * Each verb's module, loaded on demand: a run loads only its own verb's code (the decoders for decode;
 * the pipeline, Ink and React only for the verbs that use them), which keeps the start of a short
 * command near Node's own. The bundle puts each in its own chunk. Listed in the help's order.
 */
export const VERBS: Readonly<Record<string, () => Promise<Register>>> = {
  completion: async () => (await import("./commands/completion.js")).registerCompletion,
  decode: async () => (await import("./commands/decode.js")).registerDecode,
  demo: async () => (await import("./commands/demo.js")).registerDemo,
  flows: async () => (await import("./commands/flows.js")).registerFlows,
  replay: async () => (await import("./commands/replay.js")).registerReplay,
  show: async () => (await import("./commands/show.js")).registerShow,
  topo: async () => (await import("./commands/topo.js")).registerTopo,
  trace: async () => (await import("./commands/trace.js")).registerTrace,
  tui: async () => (await import("./commands/tui.js")).registerTui,
};

/** Registers the verbs on the program (all of them when `only` is not one), with their help's examples. */
export async function registerVerbs(program: Command, only?: string): Promise<void> {
  const wanted = only !== undefined && Object.hasOwn(VERBS, only) ? [only] : Object.keys(VERBS);
  for (const register of await Promise.all(wanted.map((v) => VERBS[v]()))) {
    register(program, programWithEveryVerb);
  }
  const { addExamples } = await import("./examples.js");
  addExamples(program);
}

export async function programWithEveryVerb(): Promise<Command> {
  const program = new Command();
  await registerVerbs(program);
  return program;
}
