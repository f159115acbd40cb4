/**
 * The recording both record-ovs-*-traces scripts share: a fresh ovs-vswitchd sandbox (of ../shared/ovs-lab)
 * with one bridge br0 (dummy datapath, dummy ports p1..p4 at OpenFlow ports 1..4) holding FLOWS, dumped
 * into OUT as a sosreport holds it, then `ofproto/trace br0 ARGS...` of each case into
 * OUT/traces/NAME.txt, whose first line is the command. `setup`, when given, changes the switch after
 * the flows are added and before it is dumped (port states, fragment handling, datapath features).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OvsSandbox } from "../../test/support/ovs-sandbox.js";

export function recordOneBridge(
  out: string,
  hostname: string,
  flows: readonly string[],
  /** OpenFlow version options for adding the flows (e.g. `-O OpenFlow13`). */
  ofctlOptions: readonly string[],
  cases: ReadonlyArray<{ name: string; args: readonly string[] }>,
  setup?: (sb: OvsSandbox) => void,
): void {
  const work = mkdtempSync(join(tmpdir(), "ovspath-record-"));
  const sb = new OvsSandbox(join(work, "ovs"));
  sb.start();
  try {
    sb.must("ovs-vsctl", [
      "add-br",
      "br0",
      "--",
      "set",
      "bridge",
      "br0",
      "datapath_type=dummy",
      ...[1, 2, 3, 4].flatMap((n) => [
        "--",
        "add-port",
        "br0",
        `p${n}`,
        "--",
        "set",
        "interface",
        `p${n}`,
        "type=dummy",
        `ofport_request=${n}`,
      ]),
    ]);
    const file = join(work, "br0.flows");
    writeFileSync(file, `${flows.join("\n")}\n`);
    sb.must("ovs-ofctl", [...ofctlOptions, "add-flows", "br0", file]);
    setup?.(sb);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, "traces"), { recursive: true });
    sb.dumpHost(out, hostname, ["br0"]);
    for (const { name, args } of cases) {
      const r = sb.run("ovs-appctl", ["ofproto/trace", "br0", ...args]);
      writeFileSync(
        join(out, "traces", `${name}.txt`),
        `# ovs-appctl ofproto/trace br0 ${args.join(" ")}\n${r.stdout}${r.stderr}`,
      );
      console.log(
        `${name}: ${r.stdout.split("\n").find((l) => l.startsWith("Datapath actions")) ?? r.stderr}`,
      );
    }
  } finally {
    sb.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
