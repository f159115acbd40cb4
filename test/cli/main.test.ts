import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ovspath } from "../support/cli.js";
import { REPO_ROOT } from "../support/shared.js";

const CAPTURE = join("fixtures", "demo", "compute1-qvo8c2d4e6f-1a-rx.pcap");

describe("one error style, printed once", () => {
  it.each([
    ["commander: unknown option", ["decode", "--bogus", CAPTURE], "unknown option '--bogus'"],
    ["commander: missing argument", ["show"], "missing required argument 'host'"],
    ["commander: bad option value", ["decode", "--count", "0", CAPTURE], "--count <n>"],
    ["ovspath: bad --frames", ["replay", CAPTURE, "fixtures/demo/hosts", "--frames", "5-2"], "range ends"],
    ["ovspath: missing file", ["show", "no-such-dir"], "no-such-dir: no such file or directory"],
  ])("%s", (_name, args, text) => {
    const r = ovspath(...args);
    expect(r.status).toBe(2);
    const errors = r.stderr.split("\n").filter((l) => l.includes("error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ovspath: error: /);
    expect(errors[0]).toContain(text);
  });
});

describe("options with several values never swallow positionals", () => {
  it.each([
    ["before the capture", ["decode", "--vxlan-port", "8472", CAPTURE]],
    ["repeated", ["decode", "--vxlan-port", "8472", "--vxlan-port", "4790", CAPTURE]],
    ["comma-separated", ["decode", "--geneve-port", "6082,6083", CAPTURE]],
    ["after the capture", ["decode", CAPTURE, "--vxlan-port", "8472"]],
  ])("%s", (_name, args) => {
    const r = ovspath(...args);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {5}1 /);
  });

  it("a bad port in a list names it", () => {
    const r = ovspath("decode", "--vxlan-port", "8472,x", CAPTURE);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ovspath: error: .*got "x"/);
  });
});

describe("a reader that closes the pipe early (`ovspath … | head`) ends the process quietly", () => {
  /** Runs the CLI with its stdout's read end closed before it writes anything. */
  function withClosedStdout(args: string[]): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.destroy();
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      child.on("close", (status) => resolve({ status, stderr }));
    });
  }

  it.each([
    ["the program's help", ["--help"]],
    ["a verb's help (commander writes it)", ["trace", "--help"]],
    ["a decode", ["decode", CAPTURE]],
  ])("%s", async (_name, args) => {
    const r = await withClosedStdout(args);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
