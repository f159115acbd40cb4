import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { loadHosts } from "../../dumps/host/load.js";
import { switchesOf } from "../../pipeline/index.js";
import { topoText } from "../../present/topo-view.js";
import { buildTopology, selectPaths } from "../../topology/index.js";
import { demoDir } from "../demo-data.js";
import { EXIT, out } from "../io.js";
import { runDecode } from "./decode.js";
import { ovnDemo } from "./demo-ovn.js";
import { runReplay } from "./replay.js";
import { openTui } from "./tui.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "run ovspath on the bundled demo data: a Neutron compute host's sosreport and captures Open vSwitch wrote there, and an OVN central node with two chassis (the TUI on a terminal, text otherwise)",
    )
    .option("--text", "print the text report even on a terminal")
    .option("--ovn", "the OVN chassis pair: the TUI on it (with --text: its report only)")
    .action(async (opts) => {
      const dir = await demoDir();
      let status: number = EXIT.ok;
      const tty = !opts.text && process.stdout.isTTY && process.stdin.isTTY;
      if (opts.ovn) return ovnDemo(dir, tty);
      // The host: where the VM behind qvo8c2d4e6f-1a is plugged and how its traffic leaves.
      const hosts = await loadHosts(join(dir, "hosts"));
      const vmCapture = join(dir, "compute1-qvo8c2d4e6f-1a-rx.pcap");
      if (tty) {
        // The TUI on what vm1 sent, replayed through compute1 from its port.
        await openTui(vmCapture, hosts, switchesOf(hosts), {
          at: "compute1:qvo8c2d4e6f-1a",
          title: "demo: compute1-qvo8c2d4e6f-1a-rx.pcap",
        });
        return;
      }
      const topo = buildTopology(hosts);
      out("== topology of compute1 (fixtures/demo/hosts/compute1), VM port qvo8c2d4e6f-1a");
      for (const l of topoText(topo, selectPaths(topo, "qvo8c2d4e6f-1a"))) out(l);
      out("");
      // The VM's own traffic replayed through the pipeline: deliveries, and the drops explained.
      out("== replay of compute1-qvo8c2d4e6f-1a-rx.pcap (what vm1 sent) through compute1's pipeline");
      runReplay(vmCapture, switchesOf(hosts), hosts, { at: "compute1:qvo8c2d4e6f-1a" });
      out("");
      // vm2 → vm1 across both hybrid plugs: vm1's security group allows SSH and drops HTTP on its qbr.
      out("== replay of compute1-tap9d3e5f70-2b-rx.pcap (what vm2 sent vm1) through the security groups");
      runReplay(join(dir, "compute1-tap9d3e5f70-2b-rx.pcap"), switchesOf(hosts), hosts, {
        at: "compute1:tap9d3e5f70-2b",
        verbose: true,
      });
      out("");
      for (const name of readdirSync(dir)
        .filter((n) => /\.(pcap|pcapng)$/.test(n))
        .sort()) {
        out(`== ${name}`);
        status = Math.max(status, runDecode(join(dir, name), {}));
        out("");
      }
      // The OVN pair: a security group's drop explained by its ACL (`demo --ovn` opens it in the TUI).
      await ovnDemo(dir, false);
      if (status !== EXIT.ok) process.exitCode = status;
    });
}
