import type { Command } from "@commander-js/extra-typings";
import { ovnSummaryLines } from "../../present/ovn-summary.js";
import { showView } from "../../present/show-view.js";
import { escapeText } from "../../util/escape.js";
import { formatDiagnostic } from "../../util/format-diagnostic.js";
import { EXIT, out } from "../io.js";
import { errorCount, loadInputs, toJson } from "./hosts.js";

export function registerShow(program: Command): void {
  program
    .command("show")
    .description("what was loaded from a host: bridges, ports, flows per table, files, unparsed lines")
    .argument("<host...>", "sosreport directory or archive (.tar.xz/.tar.gz), or a directory of dumps")
    .option("--bridge <br>", "the bridge of per-bridge dump files that do not name one")
    .option("-v, --verbose", "list every file not used (by default: counted by directory, extension and why)")
    .option("--json", "JSON instead of text")
    .action(async (inputs, opts) => {
      const hosts = await loadInputs(inputs, opts.bridge === undefined ? {} : { bridge: opts.bridge });
      const view = showView(hosts);
      if (opts.json) out(toJson({ hosts: view }));
      else
        for (const [i, h] of view.entries()) {
          out(`host ${escapeText(h.host)}  (${escapeText(h.source)})`);
          if (h.datapaths.length) out(`  datapaths: ${h.datapaths.map(escapeText).join(", ")}`);
          for (const b of h.bridges) {
            const tables = b.flowsPerTable.map(([t, n]) => `${t}:${n}`).join(" ");
            out(
              `  bridge ${escapeText(b.name)}${b.failMode ? ` (fail_mode ${escapeText(b.failMode)})` : ""}`,
            );
            out(
              `    flows: ${b.flows}${tables ? `  [table:count ${tables}]` : ""}${b.flowsFile ? `  from ${escapeText(b.flowsFile)}` : ""}`,
            );
            for (const p of b.ports)
              out(
                `    port ${p.ofport ?? "LOCAL"}: ${escapeText(p.name)}${p.type ? ` (${escapeText(p.type)})` : ""}${p.details ? `  ${escapeText(p.details)}` : ""}`,
              );
          }
          if (h.linuxBridges.length)
            out(
              `  linux bridges: ${h.linuxBridges.map((b) => `${escapeText(b.name)} [${b.interfaces.map(escapeText).join(" ")}]`).join(", ")}`,
            );
          if (h.firewall) {
            for (const f of h.firewall.families)
              out(
                `  firewall ${f.family}: ${f.rules} rules from ${escapeText(f.files)}${f.source === "save" ? "" : ` (${f.source}: lossy)`}`,
              );
            out(
              `  firewall state: ${h.firewall.ipsets === null ? "no ipsets dumped" : `${h.firewall.ipsets} ipsets`}, ${h.firewall.conntrackEntries} conntrack entries`,
            );
            for (const l of h.firewall.lost) out(`    cannot tell: ${escapeText(l)}`);
          }
          for (const l of ovnSummaryLines(hosts[i])) out(`  ${l}`);
          out(
            `  files: ${h.files.read} read (${h.files.byContent} recognised by content), ${h.files.unused.length} not used`,
          );
          if (opts.verbose)
            for (const u of h.files.unused) out(`    not used: ${escapeText(u.file)}: ${escapeText(u.note)}`);
          else
            for (const k of h.files.unusedByKind)
              out(
                `    not used: ${String(k.count).padStart(4)} ${escapeText(k.pattern)}: ${escapeText(k.note)}`,
              );
          out(`  problems: ${h.diagnostics.length === 0 ? "none" : h.diagnostics.length}`);
          for (const d of h.diagnostics) out(formatDiagnostic(d).replace(/^/gm, "    "));
        }
      if (errorCount(hosts) > 0) process.exitCode = EXIT.failure;
    });
}
