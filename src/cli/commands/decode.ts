import type { Command } from "@commander-js/extra-typings";
import { type CaptureRecord, formatTimestamp, openCapture } from "../../capture/index.js";
import {
  decodeFrame,
  formatLayerTree,
  registerUdpPort,
  schemaLayers,
  summarizeFrame,
} from "../../decode/index.js";
import type { frameRecord } from "../../explain/filter-fields.js";
import type { DisplayFilter } from "../../model/display-filter.js";
import { escapeText } from "../../util/escape.js";
import { formatDiagnostic } from "../../util/format-diagnostic.js";
import { EXIT, err, out, UsageError } from "../io.js";
import { compileFilterOption, listFilterFields, parseCount, parsePort } from "./options.js";

/** Seconds relative to the first frame, as tshark's default time column. */
function relativeTime(rec: CaptureRecord, first: { sec: number; nsec: number } | null): string {
  if (!rec.hasTimestamp || !first) return "-";
  const ns = (rec.tsSec - first.sec) * 1e9 + (rec.tsNsec - first.nsec);
  return (ns / 1e9).toFixed(6);
}

export function registerDecode(program: Command): void {
  program
    .command("decode")
    .description("decode every frame of a pcap/pcapng capture, tunnels included (outer → inner)")
    .argument("<capture>", "pcap or pcapng file (format sniffed from its magic number)")
    .option("-V, --verbose", "a layer tree per frame, like tshark -V")
    .option("--jsonl", "JSON Lines in the capture corpus schema (one object per frame)")
    .option(
      "--filter <expr>",
      "only frames matching a display filter (Wireshark's syntax and field names: 'ip.src == 10.0.0.11 && vxlan.vni == 100', '!arp', 'tcp.port == 22'); frame numbers stay the capture's; '?' lists the fields",
    )
    .option("--count <n>", "stop after N frames (printed ones, with --filter)", parseCount)
    .option("--from <n>", "start at frame N (1-based)", parseCount)
    .option(
      "--vxlan-port <port>",
      "also decode UDP PORT as VXLAN (repeatable or comma-separated; 4789 and 8472 are VXLAN by default)",
      parsePort,
    )
    .option(
      "--geneve-port <port>",
      "also decode UDP PORT as Geneve (repeatable or comma-separated; 6081 by default)",
      parsePort,
    )
    .action(async (capture, opts) => {
      // The filter fields (and the flow model and pipeline behind their verdict fields) load only for
      // --filter: a plain decode starts without them.
      const fields = opts.filter === undefined ? undefined : await import("../../explain/filter-fields.js");
      if (
        fields &&
        listFilterFields(
          opts.filter,
          fields.FRAME_FIELDS.filter((f) => !fields.isVerdictField(f.name)),
        )
      )
        return;
      for (const p of opts.vxlanPort ?? []) registerUdpPort(p, "vxlan");
      for (const p of opts.genevePort ?? []) registerUdpPort(p, "geneve");
      const filter =
        opts.filter === undefined || !fields
          ? undefined
          : compileFilterOption(
              opts.filter,
              (f) => (fields.isVerdictField(f) ? undefined : fields.frameFieldType(f)),
              (f) =>
                fields.isVerdictField(f)
                  ? "a replay verdict field: use it with `ovspath replay --filter`"
                  : undefined,
            );
      const { filter: _text, ...rest } = opts;
      const status = runDecode(capture, {
        ...rest,
        ...(filter && fields ? { filter, frameRecord: fields.frameRecord } : {}),
      });
      if (status !== EXIT.ok) process.exitCode = status;
    });
}

export interface DecodeRunOptions {
  verbose?: boolean;
  jsonl?: boolean;
  count?: number;
  from?: number;
  /** Only frames this display filter matches are printed (and counted by `count`). */
  filter?: DisplayFilter;
  /** The frame's fields for the filter (explain/filter-fields.ts, loaded only with a filter). */
  frameRecord?: typeof frameRecord;
}

/** Decodes one capture to stdout; returns the exit status (1 when the capture is damaged). */
export function runDecode(capture: string, opts: DecodeRunOptions): number {
  const opened = openCapture(capture);
  if (!opened.ok) throw new UsageError(formatDiagnostic(opened.error));
  const reader = opened.value;
  const from = opts.from ?? 1;
  const count = opts.count ?? Number.POSITIVE_INFINITY;
  let printed = 0;
  let first: { sec: number; nsec: number } | null = null;
  try {
    for (
      let rec = printed < count ? reader.next() : null;
      rec;
      rec = printed < count ? reader.next() : null
    ) {
      if (!first && rec.hasTimestamp) first = { sec: rec.tsSec, nsec: rec.tsNsec };
      if (rec.frame < from) continue;
      const data = rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
      const frame = decodeFrame(data, rec.linktype, { wireLength: rec.len });
      if (opts.filter && opts.frameRecord) {
        const ifName = reader.interfaces[rec.interfaceId]?.name;
        const time = Number(relativeTime(rec, first));
        const info = {
          number: rec.frame,
          length: rec.len,
          captured: rec.caplen,
          ...(Number.isNaN(time) ? {} : { time }),
          ...(ifName !== undefined ? { interface: ifName } : {}),
        };
        if (!opts.filter.matches(opts.frameRecord(info, frame))) continue;
      }
      printed++;
      if (opts.jsonl) {
        out(
          JSON.stringify({
            frame: rec.frame,
            caplen: rec.caplen,
            len: rec.len,
            ts: formatTimestamp(rec),
            layers: schemaLayers(frame),
            ...(frame.stop ? { stop: frame.stop } : {}),
            ...(rec.truncated ? { truncated: true } : {}),
            ...(reader.interfaces[rec.interfaceId]?.name !== undefined
              ? { ifName: reader.interfaces[rec.interfaceId].name }
              : {}),
            ...(rec.comment !== undefined ? { comment: rec.comment } : {}),
          }),
        );
        continue;
      }
      const stop = frame.stop ? ` [${escapeText(frame.stop)}]` : "";
      const cut = rec.truncated ? " [truncated]" : "";
      out(
        `${String(rec.frame).padStart(6)} ${relativeTime(rec, first).padStart(11)} ${summarizeFrame(frame)}${stop}${cut}`,
      );
      if (opts.verbose) {
        const iface = reader.interfaces[rec.interfaceId];
        out(
          `Frame ${rec.frame}: ${rec.len} bytes on wire, ${rec.caplen} bytes captured${iface?.name ? ` on ${escapeText(iface.name)}` : ""}`,
        );
        if (rec.comment !== undefined) out(`    Comment: ${escapeText(rec.comment)}`);
        for (const line of formatLayerTree(frame)) out(line);
        out("");
      }
    }
  } finally {
    reader.close();
  }
  for (const d of reader.diagnostics) err(formatDiagnostic(d));
  return reader.diagnostics.some((d) => d.severity === "error") ? EXIT.failure : EXIT.ok;
}
