import type { Command, Option } from "@commander-js/extra-typings";
import {
  completionScript,
  type OptionSpec,
  SHELLS,
  type Shell,
  type VerbSpec,
  valueKind,
} from "../completion.js";
import { out, UsageError } from "../io.js";
import { loadInputs } from "./hosts.js";

/** The completion model of every verb, read off a program with all of them registered. */
export async function verbSpecs(everyVerb: () => Promise<Command>): Promise<VerbSpec[]> {
  const program = await everyVerb();
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: (c.options as readonly Option[]).map(
      (o): OptionSpec => ({
        names: [o.short, o.long].filter((n): n is string => n !== undefined),
        description: o.description,
        takesValue: o.required || o.optional,
        value: valueKind(o.long, o.flags),
      }),
    ),
    args: c.name() === "completion" ? SHELLS : "file",
  }));
}

/** Every `host:port` --at takes for the given hosts, one a line (what the scripts offer after --at). */
async function printPorts(inputs: readonly string[]): Promise<void> {
  const hosts = await loadInputs(inputs, {});
  const seen = new Set<string>();
  for (const h of hosts)
    for (const b of h.bridges)
      for (const name of b.portNames.values()) {
        // Only names a shell word can hold as it is: a device name is never anything else.
        if (/^[\w.@-]+$/.test(name)) seen.add(`${h.name}:${name}`);
      }
  for (const p of [...seen].sort()) out(p);
}

export function registerCompletion(program: Command, everyVerb: () => Promise<Command>): void {
  program
    .command("completion")
    .description("print the shell completion script for bash or zsh (verbs, options, host:port after --at)")
    .argument("<shell>", "bash or zsh")
    .argument(
      "[hosts...]",
      "(for the scripts themselves: `completion ports HOST...` lists --at's host:ports)",
    )
    .action(async (shell, hosts) => {
      if (shell === "ports") return printPorts(hosts);
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new UsageError(`completion takes bash or zsh, got "${shell}"`);
      out(completionScript(shell as Shell, await verbSpecs(everyVerb)).trimEnd());
    });
}
