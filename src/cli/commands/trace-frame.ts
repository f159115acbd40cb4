/**
 * `trace --frame CAPTURE#N`: the frame's bytes, and for a tunnel frame addressed to a loaded host's
 * tunnel endpoint, the inner frame as that host's tunnel port receives it (tun_id/tun_src/tun_dst, the
 * tunnel port as in_port), as `replay` takes it. `--outer` keeps the outer packet.
 */
import { openCapture, recordData } from "../../capture/index.js";
import { type TunnelInfo, tunnelOf } from "../../decode/flowkey.js";
import { type FlowKey, K, TUN_FLAG_KEY } from "../../model/layout.js";
import { flowFromPacket, type SimHost } from "../../pipeline/index.js";
import { hostWithLocalIp, tunnelPortFor } from "../../pipeline/ingress.js";
import { ipText } from "../../pipeline/ip-text.js";
import { UsageError } from "../io.js";

export function frameBytes(spec: string): { bytes: Uint8Array; linktype: number } {
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
export interface Decapsulated {
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
export function tunnelFlow(meta: FlowKey, d: Decapsulated, inPort: number | undefined): FlowKey {
  const flow = flowFromPacket(meta, d.inner);
  flow[K.tunId] = 0;
  flow[K.tunId + 1] = d.tunnel.id;
  flow[K.tunSrc] = d.tunnel.src;
  flow[K.tunDst] = d.tunnel.dst;
  flow[K.tunTos] = d.tunnel.tos;
  flow[K.tunTtl] = d.tunnel.ttl;
  // The receiving port says the id came from the header (VXLAN, Geneve, GRE with its key bit).
  flow[K.tunFlags] = d.tunnel.hasKey || d.tunnel.kind !== "gre" ? TUN_FLAG_KEY : 0;
  flow[K.inPort] = inPort ?? 0;
  return flow;
}

export function decapsulatedNote(d: Decapsulated): string {
  const t = d.tunnel;
  return `Decapsulated: ${t.kind} ${t.id} from ${ipText(t.src)} to ${ipText(t.dst)}, entering ${d.host.name} ${d.bridge} at ${d.port} (--outer traces the outer packet)`;
}

/** Decapsulates a captured frame when it is a tunnel frame for a loaded host (`--host` must name that one). */
export function decapsulateFor(
  switches: readonly SimHost[],
  captured: { bytes: Uint8Array; linktype: number },
  wanted: string | undefined,
): Decapsulated | undefined {
  const d = decapsulate(switches, captured.bytes, captured.linktype);
  if (d && wanted !== undefined && wanted !== d.host.name)
    throw new UsageError(
      `the frame is a tunnel frame for ${d.host.name}, not ${wanted} (--outer traces it as it is)`,
    );
  return d;
}

/** What --json says was decapsulated. */
export function decapsulatedJson(d: Decapsulated): unknown {
  const t = d.tunnel;
  return {
    host: d.host.name,
    bridge: d.bridge,
    port: d.port,
    tunnel: { kind: t.kind, id: t.id, src: ipText(t.src), dst: ipText(t.dst) },
  };
}
