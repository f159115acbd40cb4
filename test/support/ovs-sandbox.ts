/**
 * A real ovs-vswitchd in a temporary directory (`../shared/ovs-lab/ovs-sandbox`), driven with argument
 * arrays (never a shell string), and a sosreport-style dump of its state that `loadHosts` reads. Used by
 * the live differential suite (test/ovs-live/) and by `npm run bench`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./shared.js";

export const SANDBOX_SCRIPT = join(REPO_ROOT, "../shared/ovs-lab/ovs-sandbox");

/** Why a live OVS cannot be used here, or undefined when it can. */
export function ovsMissingReason(): string | undefined {
  for (const tool of ["ovs-vswitchd", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"]) {
    const r = spawnSync(tool, ["--version"], { stdio: "ignore" });
    if (r.error || r.status !== 0) return `${tool} is not installed (apt-get install openvswitch-switch)`;
  }
  const s = spawnSync(SANDBOX_SCRIPT, [], { stdio: "ignore" });
  if (s.error) return `${SANDBOX_SCRIPT} not found`;
  return undefined;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class OvsSandbox {
  readonly env: NodeJS.ProcessEnv;
  constructor(readonly dir: string) {
    this.env = {
      ...process.env,
      OVS_RUNDIR: dir,
      OVS_LOGDIR: dir,
      OVS_DBDIR: dir,
      OVS_SYSCONFDIR: dir,
    };
  }

  start(): void {
    const r = spawnSync(SANDBOX_SCRIPT, ["start", this.dir], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ovs-sandbox start failed: ${r.stderr}`);
  }

  stop(): void {
    spawnSync(SANDBOX_SCRIPT, ["stop", this.dir], { stdio: "ignore" });
  }

  run(tool: string, args: readonly string[]): RunResult {
    // A bridge just added may not have its management socket yet: wait for it (up to ~3 s).
    for (let attempt = 0; ; attempt++) {
      const r = spawnSync(tool, args, { env: this.env, encoding: "utf8", maxBuffer: 1 << 28 });
      if (r.error) throw r.error;
      const res = { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      if (res.status === 0 || attempt >= 60 || !/failed to open socket|is not a bridge/.test(res.stderr))
        return res;
      spawnSync("sleep", ["0.05"]);
    }
  }

  /** ovs-vswitchd still answers. */
  alive(): boolean {
    return spawnSync("ovs-appctl", ["version"], { env: this.env, stdio: "ignore" }).status === 0;
  }

  /** The last lines of ovs-vswitchd's log (why it died). */
  logTail(lines = 5): string {
    try {
      return readFileSync(join(this.dir, "ovs-vswitchd.log"), "utf8")
        .trimEnd()
        .split("\n")
        .slice(-lines)
        .join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Runs a command that must succeed; returns its stdout. */
  must(tool: string, args: readonly string[]): string {
    const r = this.run(tool, args);
    if (r.status !== 0) throw new Error(`${tool} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * The running switch's state as a sosreport holds it: `DIR/sos_commands/openvswitch/<mangled command>`
   * for the OVSDB, datapath and per-bridge OpenFlow views, and `DIR/hostname`.
   */
  dumpHost(dir: string, host: string, bridges: readonly string[]): void {
    const ovsDir = join(dir, "sos_commands", "openvswitch");
    mkdirSync(ovsDir, { recursive: true });
    writeFileSync(join(dir, "hostname"), `${host}\n`);
    const save = (tool: string, args: string[]) => {
      const name = [tool, ...args]
        .join(" ")
        .replace(/[^A-Za-z0-9\-./]+/g, "_")
        .replace(/\//g, ".");
      const r = this.run(tool, args);
      writeFileSync(join(ovsDir, name), r.stdout + r.stderr);
    };
    save("ovs-vsctl", ["-t", "5", "show"]);
    save("ovs-vsctl", ["-t", "5", "list-br"]);
    for (const table of ["bridge", "interface", "port", "Open_vSwitch"])
      save("ovs-vsctl", ["-t", "5", "list", table]);
    save("ovs-appctl", ["dpctl/show", "-s", "dummy@ovs-dummy"]);
    save("ovs-appctl", ["dpif/show"]);
    save("ovs-appctl", ["ovs/route/show"]);
    save("ovs-appctl", ["tnl/arp/show"]);
    for (const br of bridges) {
      save("ovs-ofctl", ["dump-flows", br]);
      save("ovs-ofctl", ["-O", "OpenFlow13", "dump-flows", br]);
      save("ovs-ofctl", ["show", br]);
      save("ovs-ofctl", ["-O", "OpenFlow13", "dump-groups", br]);
      save("ovs-appctl", ["fdb/show", br]);
      save("ovs-appctl", ["dpif/show-dp-features", br]);
      save("ovs-appctl", ["dpif/set-dp-features", br]);
    }
  }
}
