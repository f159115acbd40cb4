/**
 * `ovs-ofctl show BR` and `ovs-ofctl dump-ports-desc BR` (any OpenFlow version): the bridge's OpenFlow
 * ports — number ↔ name ↔ MAC, config and state words, speeds and feature lines. `show` also gives the
 * datapath id, table count, capabilities and (from the GET_CONFIG reply) fragment handling.
 */
import { DiagnosticSink, dumpLines, LineMatch, type Parsed } from "../parsed.js";

export interface OfPort {
  /** The OpenFlow port number; null for LOCAL (the bridge's own internal port). */
  ofport: number | null;
  name: string;
  mac: string;
  config: string[];
  state: string[];
  speedMbps?: { now: number; max: number };
  /** `current:`, `advertised:`, `supported:`, `peer:` feature words. */
  features: Record<string, string[]>;
  line: number;
}

export interface OfctlShow {
  /** "1.0" when the header names no version (ovs-ofctl's default). */
  ofVersion: string;
  dpid?: string;
  nTables?: number;
  nBuffers?: number;
  capabilities: string[];
  actions: string[];
  ports: OfPort[];
  fragHandling?: string;
  missSendLen?: number;
}

const REPLY =
  /^(OFPT_FEATURES_REPLY|OFPST_PORT_DESC reply|OFPT_GET_CONFIG_REPLY)(?: \(OF(1\.\d)\))? \(xid=0x[0-9a-f]+\):(.*)$/;
const PORT = /^ (\d+|LOCAL)\((.*)\): addr:([0-9a-f]{2}(?::[0-9a-f]{2}){5})$/;
const DETAIL = /^ {5}(config|state|current|advertised|supported|peer):( *)(.*)$/;
const SPEED = /^ {5}speed: (\d+) Mbps now, (\d+) Mbps max$/;

export function parseOfctlShow(text: string, file: string): Parsed<OfctlShow> {
  const sink = new DiagnosticSink(file);
  const show: OfctlShow = { ofVersion: "1.0", capabilities: [], actions: [], ports: [] };
  let port: OfPort | undefined;
  for (const l of dumpLines(text)) {
    const t = l.text;
    const lm = new LineMatch(t);
    if (lm.is(REPLY)) {
      port = undefined;
      if (lm.g(2)) show.ofVersion = lm.g(2);
      const rest = lm.g(3).trim();
      if (lm.g(1) === "OFPT_FEATURES_REPLY") {
        const dpid = /^dpid:([0-9a-f]{16})$/.exec(rest);
        if (dpid) show.dpid = dpid[1];
        else sink.error(l, t.indexOf(rest) + 1, "expected dpid:<16 hex digits>", "dpid");
      } else if (lm.g(1) === "OFPT_GET_CONFIG_REPLY") {
        const cfg = /^frags=(\S+) miss_send_len=(\d+)$/.exec(rest);
        if (cfg) {
          show.fragHandling = cfg[1];
          show.missSendLen = Number(cfg[2]);
        } else sink.error(l, t.indexOf(rest) + 1, "expected frags=... miss_send_len=N");
      }
      continue;
    }
    if (lm.is(/^n_tables:(\d+), n_buffers:(\d+)$/)) {
      show.nTables = Number(lm.g(1));
      show.nBuffers = Number(lm.g(2));
    } else if (lm.is(/^(capabilities|actions): ?(.*)$/)) {
      show[lm.g(1) as "capabilities" | "actions"] = lm
        .g(2)
        .split(" ")
        .filter((w) => w !== "");
    } else if (lm.is(PORT)) {
      port = {
        ofport: lm.g(1) === "LOCAL" ? null : Number(lm.g(1)),
        name: lm.g(2),
        mac: lm.g(3),
        config: [],
        state: [],
        features: {},
        line: l.line,
      };
      show.ports.push(port);
    } else if (port && lm.is(DETAIL)) {
      const words =
        lm.g(3) === "0"
          ? []
          : lm
              .g(3)
              .split(" ")
              .filter((w) => w !== "");
      const key = lm.g(1);
      if (key === "config" || key === "state") port[key] = words;
      else port.features[key] = words;
    } else if (port && lm.is(SPEED)) {
      port.speedMbps = { now: Number(lm.g(1)), max: Number(lm.g(2)) };
    } else {
      sink.unparsed(l, "ovs-ofctl show / dump-ports-desc output");
    }
  }
  return { value: show, diagnostics: sink.diagnostics };
}

export function looksLikeOfctlShow(head: string): boolean {
  return /^(OFPT_FEATURES_REPLY|OFPST_PORT_DESC reply)/m.test(head);
}
