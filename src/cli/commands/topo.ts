import type { Command } from "@commander-js/extra-typings";
import { topoDot, topoMermaid, topoText } from "../../present/topo-view.js";
import { buildTopology, selectPaths } from "../../topology/index.js";
import { EXIT, out, UsageError } from "../io.js";
import { errorCount, loadInputs, toJson } from "./hosts.js";
import { ovnTopo } from "./ovn.js";

export function registerTopo(program: Command): void {
  program
    .command("topo")
    .description(
      "each VM's path across Linux bridges, veths, OVS bridges and tunnels, hosts stitched together",
    )
    .argument("<host...>", "sosreport directories or archives; a directory of several hosts loads them all")
    .option("--vm <id>", "only this VM: device name (tap/qvo/qbr…), port id (or prefix), MAC, VM uuid or IP")
    .option("--json", "the topology model as JSON")
    .option("--dot", "Graphviz DOT (render with dot -Tsvg)")
    .option("--mermaid", "a Mermaid flowchart")
    .option("--ovn", "the OVN logical network: switches, routers, ports → chassis, tunnels, and its findings")
    .action(async (inputs, opts) => {
      if ([opts.json, opts.dot, opts.mermaid].filter(Boolean).length > 1)
        throw new UsageError("--json, --dot and --mermaid are exclusive");
      const hosts = await loadInputs(inputs, {});
      if (opts.ovn) return ovnTopo(hosts, opts);
      const topo = buildTopology(hosts);
      const paths = opts.vm === undefined ? topo.paths : selectPaths(topo, opts.vm);
      if (opts.vm !== undefined && paths.length === 0) throw new UsageError(`no VM port matches ${opts.vm}`);
      if (opts.json)
        out(
          toJson({ hosts: topo.hosts, paths, findings: topo.findings }, (_k, v) =>
            v instanceof Set ? [...v] : v,
          ),
        );
      else if (opts.dot) out(topoDot(paths));
      else if (opts.mermaid) out(topoMermaid(paths));
      else for (const l of topoText(topo, paths)) out(l);
      if (errorCount(hosts) > 0 || topo.findings.some((f) => f.severity === "error"))
        process.exitCode = EXIT.failure;
    });
}
