import { Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { EXAMPLES } from "../../src/cli/examples.js";
import { registerVerbs } from "../../src/cli/verbs.js";

const program = new Command().name("ovspath");
await registerVerbs(program);

describe("every verb's --help ends with examples that use only its own options", () => {
  it.each(program.commands.map((c) => [c.name(), c] as const))("%s", (name, cmd) => {
    const rows = EXAMPLES[name] ?? [];
    expect(rows.length).toBeGreaterThan(0);
    let help = "";
    cmd.configureOutput({ writeOut: (s) => (help += s) }).outputHelp();
    expect(help).toContain(`\nExamples:\n  $ ${rows[0][0]}\n`);
    const known = new Set(cmd.options.flatMap((o) => [o.short, o.long]));
    for (const [line] of rows) {
      expect(line).toContain(`ovspath ${name}`);
      // The words of ovspath's own command line (not of a pipe after it).
      for (const word of line
        .split("|")[0]
        .split(/\s+/)
        .filter((w) => /^--?[a-zA-Z]/.test(w)))
        expect(known.has(word), `${line}: ${word}`).toBe(true);
    }
  });
  it("lists no example for a verb that does not exist", () =>
    expect(Object.keys(EXAMPLES).sort()).toEqual(program.commands.map((c) => c.name()).sort()));
});
