import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { parseMatch } from "../../model/match.js";
import { flowsView } from "../../present/flows-view.js";
import { escapeText } from "../../util/escape.js";
import { EXIT, err, out, UsageError } from "../io.js";
import { errorCount, loadInputs, toJson } from "./hosts.js";

function parseTable(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 254) throw new InvalidArgumentError("expected a table number 0-254");
  return Number(v);
}

export function registerFlows(program: Command): void {
  program
    .command("flows")
    .description("the OpenFlow flows of a host (sosreport, archive or dump directory), by bridge and table")
    .argument("<host...>", "sosreport directory or archive (.tar.xz/.tar.gz), or a directory of dumps")
    .option("--bridge <br>", "only this bridge (also names the bridge of dump files that do not say)")
    .option("--table <n>", "only this table", parseTable)
    .option("--filter <match>", "only flows a packet with these fields could match, e.g. 'tun_id=0x64'")
    .option("--json", "JSON instead of text")
    .action(async (inputs, opts) => {
      let filter: ReturnType<typeof parseMatch> | undefined;
      if (opts.filter !== undefined) {
        filter = parseMatch(opts.filter);
        if (!filter.ok)
          throw new UsageError(`--filter: column ${filter.error.column}: ${filter.error.message}`);
      }
      const hosts = await loadInputs(inputs, opts.bridge === undefined ? {} : { bridge: opts.bridge });
      const view = flowsView(hosts, {
        ...(opts.bridge !== undefined ? { bridge: opts.bridge } : {}),
        ...(opts.table !== undefined ? { table: opts.table } : {}),
        ...(filter?.ok ? { filter: filter.value } : {}),
      });
      if (opts.bridge !== undefined && view.every((h) => h.bridges.length === 0))
        throw new UsageError(`no bridge ${opts.bridge} in ${inputs.join(", ")}`);
      if (opts.json) out(toJson({ hosts: view }));
      else
        for (const h of view) {
          out(`host ${escapeText(h.host)}  (${escapeText(h.source)})`);
          for (const b of h.bridges) {
            const shown = b.tables.reduce((n, t) => n + t.flows.length, 0);
            const from = b.file ? `, from ${escapeText(b.file)} (OpenFlow ${b.ofVersion})` : "";
            out(`  bridge ${escapeText(b.bridge)}: ${shown} of ${b.total} flows${from}`);
            if (b.note) out(`    (${escapeText(b.note)})`);
            for (const t of b.tables) {
              out(`    table ${t.table}:`);
              for (const f of t.flows) {
                const stats = f.nPackets !== undefined ? `n_packets=${f.nPackets}, ` : "";
                const match = f.match === "" ? "" : `${escapeText(f.match)} `;
                out(`      ${stats}cookie=${f.cookie}, ${match}actions=${escapeText(f.actions)}`);
              }
            }
          }
        }
      const errors = errorCount(hosts);
      if (errors > 0) {
        err(`ovspath: ${errors} line(s) could not be parsed; \`ovspath show\` lists them`);
        process.exitCode = EXIT.failure;
      }
    });
}
