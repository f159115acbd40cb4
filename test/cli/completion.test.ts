import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verbSpecs } from "../../src/cli/commands/completion.js";
import { completionScript, valueKind } from "../../src/cli/completion.js";
import { programWithEveryVerb } from "../../src/cli/verbs.js";
import { REPO_ROOT } from "../support/shared.js";

/** A directory holding `ovspath` (the built CLI, npm test builds it first), put first on PATH. */
const binDir = mkdtempSync(join(tmpdir(), "ovspath-completion-"));
symlinkSync(join(REPO_ROOT, "bin", "ovspath.js"), join(binDir, "ovspath"));
afterAll(() => rmSync(binDir, { recursive: true, force: true }));
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH}` };

function ovspath(...args: string[]) {
  const res = spawnSync("ovspath", args, { encoding: "utf8", env, cwd: REPO_ROOT });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe("valueKind: what an option's value completes to", () => {
  it.each([
    ["--json", "--json", "none"],
    ["--count", "--count <n>", "none"],
    ["--before", "--before <dump>", "file"],
    ["--write-inner", "--write-inner <out.pcap>", "file"],
    ["--frame", "--frame <capture#n>", "file"],
    ["--at", "--at <host:port>", "hostPort"],
    ["--tunnels", "--tunnels <style>", ["kernel", "native"]],
  ] as const)("%s (%s)", (long, flags, want) => expect(valueKind(long, flags)).toEqual(want));
});

describe("bash: the script sourced in a real bash completes", () => {
  const script = ovspath("completion", "bash");
  it("is printed with exit 0", () => {
    expect(script.status, script.stderr).toBe(0);
    expect(script.stdout).toMatch(/^complete -F _ovspath ovspath$/m);
  });
  /** COMPREPLY for the words, the last being the one completed. */
  function complete(words: string[]): string[] {
    const file = join(binDir, "ovspath.bash");
    writeFileSync(file, script.stdout);
    const driver = `source ${JSON.stringify(file)}
COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
_ovspath; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const res = spawnSync("bash", ["-c", driver, "bash", ...words], {
      encoding: "utf8",
      env,
      cwd: REPO_ROOT,
    });
    expect(res.stderr).toBe("");
    return res.stdout.split("\n").filter((l) => l !== "");
  }
  it.each([
    [
      ["ovspath", "de"],
      ["decode", "demo"],
    ],
    [
      ["ovspath", "t"],
      ["topo", "trace", "tui"],
    ],
    [
      ["ovspath", "replay", "--t"],
      ["--threads", "--tunnels"],
    ],
    [
      ["ovspath", "replay", "--tunnels", ""],
      ["kernel", "native"],
    ],
    [
      ["ovspath", "decode", "--v"],
      ["--verbose", "--vxlan-port"],
    ],
    [["ovspath", "completion", "z"], ["zsh"]],
    [["ovspath", "help", "fl"], ["flows"]],
    [["ovspath", "decode", "--count", ""], []],
    [
      ["ovspath", "decode", "fixtures/demo/comp"],
      [
        "fixtures/demo/compute1-eth1-tx.pcap",
        "fixtures/demo/compute1-qvo8c2d4e6f-1a-rx.pcap",
        "fixtures/demo/compute1-tap9d3e5f70-2b-rx.pcap",
      ],
    ],
    [
      [
        "ovspath",
        "replay",
        "fixtures/demo/compute1-eth1-tx.pcap",
        "fixtures/demo/hosts",
        "--at",
        "compute1:qvo8",
      ],
      ["compute1:qvo8c2d4e6f-1a"],
    ],
    [["ovspath", "replay", "--at", "compute1:"], []],
  ])("%j", (words, want) => expect(complete(words).sort()).toEqual(want));
});

describe("zsh", () => {
  const script = ovspath("completion", "zsh").stdout;
  const haveZsh = spawnSync("zsh", ["--version"]).status === 0;
  it.skipIf(!haveZsh && !process.env.CI)("the script is valid zsh (zsh -n)", () => {
    const res = spawnSync("zsh", ["-n"], { input: script, encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
  });
  /**
   * The script's own logic run in a real zsh: the completion system's functions (_arguments, _describe,
   * _files, compadd: they work only inside a completion widget) replaced by ones printing what they got.
   */
  function zshCompletes(words: string[], call = "_ovspath"): string[] {
    const file = join(binDir, "_ovspath");
    writeFileSync(file, script.replace(/^_ovspath "\$@"$/m, ""));
    const driver = `source ${JSON.stringify(file)}
_arguments() { print -rl -- _arguments "$@" }
_describe() { print -rl -- _describe "\${(@P)4}" }
_files() { print -r -- _files }
compadd() { print -rl -- compadd "\${(@P)2}" }
words=("$@"); CURRENT=\${#words}
${call}`;
    const res = spawnSync("zsh", ["-f", "-c", driver, "zsh", ...words], {
      encoding: "utf8",
      env,
      cwd: REPO_ROOT,
    });
    expect(res.stderr).toBe("");
    return res.stdout.split("\n").filter((l) => l !== "");
  }
  it.skipIf(!haveZsh && !process.env.CI)(
    "offers the verbs, each verb's options and values, and --at's host:ports",
    () => {
      const verbs = zshCompletes(["ovspath", "d"]);
      expect(verbs[0]).toBe("_describe");
      // (Descriptions are the verbs' and options' help, which other changes may reword.)
      expect(verbs).toContainEqual(expect.stringMatching(/^decode:.+/));
      const replay = zshCompletes(["ovspath", "replay", "--tu"]);
      expect(replay[0]).toBe("_arguments");
      expect(replay).toContainEqual(expect.stringMatching(/^\*--tunnels\[.+\]:value:\(kernel native\)$/));
      expect(replay).toContainEqual(expect.stringMatching(/^\*--at\[.+\]:host\\:port:_ovspath_host_ports$/));
      expect(zshCompletes(["ovspath", "completion", ""])).toContain("1:completion:(bash zsh)");
      // After the verb is shifted off (as _ovspath does), the hosts already on the line give the ports.
      const ports = zshCompletes(
        ["replay", "fixtures/demo/compute1-eth1-tx.pcap", "fixtures/demo/hosts", "--at", ""],
        "_ovspath_host_ports",
      );
      expect(ports).toContain("compute1:qvo8c2d4e6f-1a");
      expect(ports).not.toContain("compute1:compute1-eth1-tx.pcap");
    },
  );
  it("is a #compdef function offering every verb and every option of each", async () => {
    expect(script.split("\n")[0]).toBe("#compdef ovspath");
    const verbs = await verbSpecs(programWithEveryVerb);
    expect(verbs.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        "completion",
        "decode",
        "demo",
        "flows",
        "replay",
        "show",
        "topo",
        "trace",
        "tui",
      ]),
    );
    for (const v of verbs) {
      expect(script).toMatch(new RegExp(`^    '${v.name}:`, "m"));
      const body = script.slice(script.indexOf(`    ${v.name})\n`));
      for (const o of v.options) for (const n of o.names) expect(body, `${v.name} ${n}`).toContain(n);
    }
  });
  it("escapes quotes, colons and brackets of descriptions", () => {
    const z = completionScript("zsh", [
      {
        name: "x",
        description: "it's [a]: b",
        args: "file",
        options: [{ names: ["--y"], description: "a 'q' [z]", takesValue: false, value: "none" }],
      },
    ]);
    expect(z).toContain(`'x:it'\\''s \\[a\\]'`);
    expect(z).toContain(`'--y[a '\\''q'\\'' \\[z\\]]'`);
  });
});

describe("completion ports and errors", () => {
  it("lists host:port of the loaded hosts for --at", () => {
    const r = ovspath("completion", "ports", "--", "fixtures/demo/hosts");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toContain("compute1:qvo8c2d4e6f-1a");
  });
  it("exits 2 on an unknown shell", () => {
    const r = ovspath("completion", "fish");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('completion takes bash or zsh, got "fish"');
  });
});
