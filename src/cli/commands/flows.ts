import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import type { FlowEntry } from "../../dumps/flows.js";
import type { Host } from "../../dumps/host/load.js";
import { FLOW_FIELDS, flowFieldType, flowRecord } from "../../explain/filter-fields.js";
import type { DisplayFilter, FilterRecord, FilterScalar } from "../../model/display-filter.js";
import { lookupField } from "../../model/fields.js";
import { parseMatch } from "../../model/match.js";
import { flowsView, type HostFlows } from "../../present/flows-view.js";
import { escapeText } from "../../util/escape.js";
import { EXIT, err, out, UsageError } from "../io.js";
import { errorCount, loadInputs, toJson } from "./hosts.js";
import { compileFilterOption, listFilterFields } from "./options.js";

/**
 * `flows --filter X` takes X as a display filter when it holds a display-filter operator or keyword
 * (`==`, `!=`, `<`, `>`, `~`, `!`, `&&`, `||`, `^^`, or the words and, or, xor, not, contains,
 * matches, in); otherwise as an OVS match (`tun_id=0x64`), as before.
 */
export function isDisplayFilterText(text: string): boolean {
  return (
    /==|!=|[<>!~]|&&|\|\||\^\^/.test(text) ||
    /(^|\s)(and|or|xor|not|contains|matches|in)(\s|\{|\(|$)/i.test(text)
  );
}

/** A flow's record, with port fields (in_port...) answering to both the number and the name. */
function namedFlowRecord(
  host: string,
  bridge: string,
  flow: FlowEntry,
  names: ReadonlyMap<number, string>,
): FilterRecord {
  const base = flowRecord(host, bridge, flow);
  return {
    values(field) {
      const vs = base.values(field);
      if (!vs || lookupField(field)?.format !== "port") return vs;
      const out: FilterScalar[] = [...vs];
      for (const v of vs) {
        const n = Number(v);
        const name = Number.isInteger(n) ? names.get(n) : undefined;
        if (name !== undefined) out.push(name);
        for (const [num, nm] of names) if (nm === v) out.push(num);
      }
      return out;
    },
  };
}

/** Keeps the flows of a view the display filter matches (tables left empty go). */
function applyDisplayFilter(view: HostFlows[], hosts: readonly Host[], filter: DisplayFilter): void {
  for (const [i, hv] of view.entries()) {
    const host = hosts[i];
    for (const bv of hv.bridges) {
      const b = host.bridges.find((x) => x.name === bv.bridge);
      const byLine = new Map<string, FlowEntry>();
      for (const f of b?.flows?.value.flows ?? []) byLine.set(`${f.file}\u0000${f.line}`, f);
      for (const t of bv.tables) {
        t.flows = t.flows.filter((row) => {
          const f = byLine.get(`${row.file}\u0000${row.line}`);
          return (
            f !== undefined &&
            filter.matches(namedFlowRecord(hv.host, bv.bridge, f, b?.portNames ?? new Map()))
          );
        });
      }
      bv.tables = bv.tables.filter((t) => t.flows.length > 0);
    }
  }
}

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
    .option(
      "--filter <expr>",
      "an OVS match: only flows a packet with these fields could match ('tun_id=0x64', 'in_port=\"qvo1\"'); or, when EXPR holds a display-filter operator or keyword (== != < > ~ ! && || ^^ and or xor not contains matches in), a display filter over each flow's fields ('table == 4 && n_packets > 0', 'tun_id == 0x64', 'actions contains \"output\"', 'dl_vlan in {1 2}'); '?' lists the fields",
    )
    .option("--json", "JSON instead of text")
    .action(async (inputs, opts) => {
      if (listFilterFields(opts.filter, FLOW_FIELDS)) return;
      let filter: ReturnType<typeof parseMatch> | undefined;
      let display: DisplayFilter | undefined;
      if (opts.filter !== undefined && isDisplayFilterText(opts.filter)) {
        display = compileFilterOption(opts.filter, flowFieldType);
      } else if (opts.filter !== undefined) {
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
      if (display) applyDisplayFilter(view, hosts, display);
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
        err(`ovspath: error: ${errors} line(s) could not be parsed; \`ovspath show\` lists them`);
        process.exitCode = EXIT.failure;
      }
    });
}
