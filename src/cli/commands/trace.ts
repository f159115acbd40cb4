import type { Command } from "@commander-js/extra-typings";
import { openCapture, recordData } from "../../capture/index.js";
import { type TunnelInfo, tunnelOf } from "../../decode/flowkey.js";
import { floodOrderNote } from "../../explain/flood-note.js";
import { type FlowKey, K, OFPP, TUN_FLAG_KEY } from "../../model/layout.js";
import { ctStateValue } from "../../pipeline/ct-state.js";
import {
  flowFromPacket,
  formatTrace,
  parseHexPacket,
  parseTraceFlow,
  type SimHost,
  switchesOf,
  type TraceResult,
  trace,
  traceSteps,
} from "../../pipeline/index.js";
import { hostWithLocalIp, tunnelPortFor } from "../../pipeline/ingress.js";
import { ipText } from "../../pipeline/ip-text.js";
import { escapeKeepingLayout } from "../../util/escape.js";
import { EXIT, out, UsageError } from "../io.js";
import { loadInputs, toJson } from "./hosts.js";

function pickHost(switches: SimHost[], bridge: string, wanted?: string): SimHost {
  const candidates = switches.filter(
    (s) => (wanted === undefined || s.name === wanted) && s.bridges.has(bridge),
  );
  if (candidates.length === 0)
    throw new UsageError(
      wanted !== undefined
        ? `host ${wanted} has no bridge "${bridge}" (hosts: ${switches.map((s) => s.name).join(", ")})`
        : `no loaded host has a bridge "${bridge}"`,
    );
  if (candidates.length > 1)
    throw new UsageError(
      `bridge "${bridge}" exists on ${candidates.map((c) => c.name).join(", ")}: choose one with --host`,
    );
  return candidates[0];
}

function frameBytes(spec: string): { bytes: Uint8Array; linktype: number } {
  const m = /^(.*)#(\d+)$/.exec(spec);
  if (!m) throw new UsageError(`--frame takes CAPTURE#N (frame numbers start at 1), got "${spec}"`);
  const r = openCapture(m[1]);
  if (!r.ok) throw new UsageError(`${r.error.file}: ${r.error.message}`);
  const want = Number(m[2]);
  try {
    for (let n = 1, rec = r.value.next(); rec; n++, rec = r.value.next()) {
      if (n === want) return { bytes: recordData(rec).slice(), linktype: rec.linktype };
    }
  } finally {
    r.value.close();
  }
  throw new UsageError(`${m[1]}: has no frame ${want}`);
}

/** A captured tunnel frame addressed to a loaded host's tunnel endpoint: where it enters, decapsulated. */
interface Decapsulated {
  host: SimHost;
  bridge: string;
  port: string;
  tunnel: TunnelInfo;
  inner: Uint8Array;
}

function decapsulate(
  switches: readonly SimHost[],
  bytes: Uint8Array,
  linktype: number,
): Decapsulated | undefined {
  const t = tunnelOf(bytes, linktype);
  if (!t) return undefined;
  const host = hostWithLocalIp(switches, ipText(t.dst));
  const tp = host && tunnelPortFor(host, t.kind, ipText(t.src));
  if (!host || !tp) return undefined;
  return {
    host,
    bridge: tp.bridge.name,
    port: tp.port.name,
    tunnel: { ...t },
    inner: bytes.subarray(t.innerOffset),
  };
}

/** The inner frame's flow with the tunnel metadata the receiving port sets, as replay builds it. */
function tunnelFlow(meta: FlowKey, d: Decapsulated, inPort: number): FlowKey {
  const flow = flowFromPacket(meta, d.inner);
  flow[K.tunId] = 0;
  flow[K.tunId + 1] = d.tunnel.id;
  flow[K.tunSrc] = d.tunnel.src;
  flow[K.tunDst] = d.tunnel.dst;
  flow[K.tunTos] = d.tunnel.tos;
  flow[K.tunTtl] = d.tunnel.ttl;
  // The receiving port says the id came from the header (VXLAN, Geneve, GRE with its key bit).
  flow[K.tunFlags] = d.tunnel.hasKey || d.tunnel.kind !== "gre" ? TUN_FLAG_KEY : 0;
  flow[K.inPort] = inPort;
  return flow;
}

function decapsulatedNote(d: Decapsulated): string {
  const t = d.tunnel;
  return `Decapsulated: ${t.kind} ${t.id} from ${ipText(t.src)} to ${ipText(t.dst)}, entering ${d.host.name} ${d.bridge} at ${d.port} (--outer traces the outer packet)`;
}

function traceJson(r: TraceResult): unknown {
  return {
    host: r.host,
    bridge: r.bridge,
    verdict: r.verdict,
    steps: traceSteps(r).map((s) => ({
      ...s,
      cookie: s.cookie === undefined ? undefined : `0x${s.cookie.toString(16)}`,
    })),
    passes: r.passes.map((p) => ({
      recirc: p.recirc,
      datapathActions: p.datapathActions,
      error: p.error,
      outputs: p.outputs.map(({ flow: _flow, ...o }) => o),
      learned: p.learned,
    })),
  };
}

export function registerTrace(program: Command): void {
  program
    .command("trace")
    .description(
      "ofproto/trace from the dumps: where a flow or packet goes through a host's bridges, and why",
    )
    .argument("<host>", "a sosreport directory or archive (or a directory of several: then use --host)")
    .argument("<bridge>", "the bridge the packet enters")
    .argument("<flow>", "as ofproto/trace takes it: in_port=NAME|N,FIELD=VALUE,... (unset fields are 0)")
    .argument("[packet]", "the packet as hex; the flow then gives only metadata (in_port, tun_*, regs)")
    .option("--host <name>", "which loaded host, when the input holds several")
    .option(
      "--frame <capture#n>",
      "take the packet from frame N of a pcap/pcapng capture; a tunnel frame addressed to a loaded host's tunnel endpoint is decapsulated and its inner frame traced from the tunnel port, with tun_id/tun_src/tun_dst, as replay does",
    )
    .option("--outer", "with --frame: trace a tunnel frame's outer packet as it is, not decapsulated")
    .option(
      "--ct-next <flags>",
      "ct_state for the next conntrack recirculation (repeatable), e.g. trk,est",
      (v, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      "--tunnels <style>",
      "kernel (set(tunnel(...))) or native (tnl_push); default: as the host's datapath does",
    )
    .option("--json", "steps, outputs, verdict and datapath actions as JSON")
    .action(async (input, bridge, flowText, packetHex, opts) => {
      if (opts.tunnels !== undefined && opts.tunnels !== "kernel" && opts.tunnels !== "native")
        throw new UsageError(`--tunnels takes kernel or native, got "${opts.tunnels}"`);
      if (packetHex !== undefined && opts.frame !== undefined)
        throw new UsageError("give a packet or --frame, not both");
      const hosts = await loadInputs([input], {});
      const switches = switchesOf(hosts, opts.tunnels ? { tunnels: opts.tunnels } : {});
      const captured = opts.frame === undefined ? undefined : frameBytes(opts.frame);
      const decap =
        captured && !opts.outer ? decapsulate(switches, captured.bytes, captured.linktype) : undefined;
      if (decap && opts.host !== undefined && opts.host !== decap.host.name)
        throw new UsageError(
          `frame ${opts.frame} is a tunnel frame for ${decap.host.name}, not ${opts.host} (--outer traces it as it is)`,
        );
      // The tunnel port's bridge is where a decapsulated frame enters, whatever bridge was named.
      const bridgeName = decap?.bridge ?? bridge;
      const sw = decap?.host ?? pickHost(switches, bridgeName, opts.host);
      const br = sw.bridges.get(bridgeName);
      const resolve = (name: string) => br?.byName.get(name)?.ofport;
      const parsed = parseTraceFlow(flowText, resolve);
      if (!parsed.ok)
        throw new UsageError(
          `Bad openflow flow syntax: ${flowText}: ${parsed.message} (column ${parsed.column})`,
        );
      let flow = parsed.flow;
      let packet: Uint8Array | undefined;
      if (packetHex !== undefined) {
        const p = parseHexPacket(packetHex);
        if (typeof p === "string") throw new UsageError(`packet: ${p}`);
        packet = p;
        flow = flowFromPacket(flow, packet);
      } else if (decap) {
        packet = decap.inner;
        flow = tunnelFlow(flow, decap, br?.byName.get(decap.port)?.ofport ?? 0);
      } else if (captured) {
        packet = captured.bytes;
        flow = flowFromPacket(flow, packet);
      }
      const ctNext = opts.ctNext.map((s) => {
        const v = ctStateValue(s);
        if (typeof v === "string") throw new UsageError(`--ct-next ${s}: ${v}`);
        return v;
      });
      const result = trace({ host: sw, bridge: bridgeName, flow, withPacket: packet !== undefined, ctNext });
      if (opts.json) {
        const t = decap?.tunnel;
        const decapsulated = decap &&
          t && {
            host: decap.host.name,
            bridge: decap.bridge,
            port: decap.port,
            tunnel: { kind: t.kind, id: t.id, src: ipText(t.src), dst: ipText(t.dst) },
          };
        const note = floodOrderNote(result);
        out(
          toJson({
            ...(traceJson(result) as object),
            ...(decapsulated ? { decapsulated } : {}),
            ...(note ? { notes: [note] } : {}),
          }),
        );
      } else {
        if (decap) out(escapeKeepingLayout(decapsulatedNote(decap)));
        const name = (n: number) => (n === OFPP.local ? "LOCAL" : String(n));
        out(escapeKeepingLayout(formatTrace(result, name)).replace(/\n$/, ""));
        const note = floodOrderNote(result);
        if (note) out(`\n${note}`);
      }
      process.exitCode =
        result.verdict === "output" || result.verdict === "controller" ? EXIT.ok : EXIT.failure;
    });
}
