/**
 * `ovs-ofctl -O OpenFlow1x dump-meters BR` (sos's openvswitch plugin runs it for each OpenFlow version
 * the bridge allows; any one lists every meter): each meter's id, unit and flags on one line (`meter=1 kbps burst stats bands=`), then one line per band
 * (`type=drop rate=10000 burst_size=1000`), as ofputil_format_meter_config prints them.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface MeterBand {
  /** `drop` or `dscp_remark` (OVS's datapaths implement drop only). */
  type: string;
  rate: number;
  burstSize?: number;
  precLevel?: number;
}

export interface MeterConfig {
  meterId: number;
  /** The rate unit: kilobits or packets per second. */
  unit: "kbps" | "pktps";
  burst: boolean;
  stats: boolean;
  bands: MeterBand[];
  line: number;
}

const HEADER = /^OFPST_METER_CONFIG reply(?: \(OF1\.\d\))? \(xid=0x[0-9a-f]+\):$/;
const METER = /^meter=(\d+)((?: (?:kbps|pktps|burst|stats))*) bands=$/;
const BAND_KEYS: Readonly<Record<string, keyof Omit<MeterBand, "type">>> = {
  rate: "rate",
  burst_size: "burstSize",
  prec_level: "precLevel",
};

/** One band line (`type=drop rate=10 burst_size=5`), or the column and message of what is wrong. */
function parseBand(text: string): MeterBand | { column: number; message: string; field: string } {
  const band: MeterBand = { type: "", rate: -1 };
  let column = 1;
  for (const word of text.split(" ")) {
    const [key, value] = word.split("=", 2);
    if (key === "type" && value) band.type = value;
    else if (BAND_KEYS[key] && /^\d+$/.test(value ?? "")) band[BAND_KEYS[key]] = Number(value);
    else return { column, message: `unexpected "${word}" in a meter band`, field: key };
    column += word.length + 1;
  }
  if (band.type === "" || band.rate < 0)
    return { column: 1, message: "a meter band needs type= and rate=", field: "type" };
  return band;
}

export function parseOfctlDumpMeters(text: string, file: string): Parsed<MeterConfig[]> {
  const sink = new DiagnosticSink(file);
  const out: MeterConfig[] = [];
  for (const l of dumpLines(text)) {
    if (HEADER.test(l.text)) continue;
    const m = METER.exec(l.text);
    if (m) {
      const flags = m[2].trim().split(" ");
      out.push({
        meterId: Number(m[1]),
        unit: flags.includes("pktps") ? "pktps" : "kbps",
        burst: flags.includes("burst"),
        stats: flags.includes("stats"),
        bands: [],
        line: l.line,
      });
      continue;
    }
    const current = out[out.length - 1];
    if (!l.text.startsWith("type=") || !current) {
      sink.unparsed(l, "ovs-ofctl dump-meters output");
      continue;
    }
    const band = parseBand(l.text);
    if ("message" in band) sink.error(l, band.column, band.message, band.field);
    else current.bands.push(band);
  }
  return { value: out, diagnostics: sink.diagnostics };
}

/** A meter as a person reads it: `drop above 10000 kbps (burst 1000)`. */
export function formatMeter(m: MeterConfig): string {
  const bands = m.bands.map(
    (b) =>
      `${b.type} above ${b.rate} ${m.unit}${b.burstSize !== undefined ? ` (burst ${b.burstSize})` : ""}${b.precLevel !== undefined ? ` prec_level ${b.precLevel}` : ""}`,
  );
  return bands.length > 0 ? bands.join(", ") : "no band";
}
