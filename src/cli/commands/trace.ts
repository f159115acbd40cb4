import type { Command } from "@commander-js/extra-typings";
import { firewallsOf } from "../../dumps/netfilter/firewall.js";
import { crossingJson, crossingLines, traceCrossings } from "../../explain/firewall-trace.js";
import { floodOrderNote } from "../../explain/flood-note.js";
import { meterNotes } from "../../explain/meter-note.js";
import { OFPP } from "../../model/layout.js";
import { ovnTraceText } from "../../ovn/trace-view.js";
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
import { notModelled } from "../../pipeline/not-modelled.js";
import { escapeKeepingLayout, escapeText } from "../../util/escape.js";
import { EXIT, err, out, UsageError } from "../io.js";
import { loadInputs, toJson } from "./hosts.js";
import { ovnIndex, ovnTraceJson } from "./ovn.js";
import {
  type Decapsulated,
  decapsulatedJson,
  decapsulatedNote,
  decapsulateFor,
  frameBytes,
  tunnelFlow,
} from "./trace-frame.js";

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

function traceJson(r: TraceResult, sw: SimHost, decap?: Decapsulated): unknown {
  const flood = floodOrderNote(r);
  const notes = [...(flood ? [flood] : []), ...meterNotes(r, sw)];
  return {
    ...(decap ? { decapsulated: decapsulatedJson(decap) } : {}),
    ...(notes.length > 0 ? { notes } : {}),
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
      slowPath: p.slowPath,
      outputs: p.outputs.map(({ flow: _flow, simPort: _port, ...o }) => o),
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
    .argument(
      "[packet]",
      "the packet as hex; the flow then gives only its metadata, as OVS takes it: in_port, tun_*, ct_*, pkt_mark, skb_priority, recirc_id, dp_hash (registers and metadata start at 0)",
    )
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
    .option(
      "--dp-hash <hash>",
      "follow a dp_hash select group's recirculation with this hash (OVS's trace stops there), e.g. 0x5",
    )
    .option("--json", "steps, outputs, verdict and datapath actions as JSON")
    .option(
      "--ovn [central]",
      "OVN: each step's logical flow and northbound object (ACL, port, load balancer...), found by cookie in the OVN databases of the loaded hosts or of the CENTRAL sosreport",
    )
    .action(async (input, bridgeArg, flowText, packetHex, opts) => {
      if (opts.tunnels !== undefined && opts.tunnels !== "kernel" && opts.tunnels !== "native")
        throw new UsageError(`--tunnels takes kernel or native, got "${opts.tunnels}"`);
      if (packetHex !== undefined && opts.frame !== undefined)
        throw new UsageError("give a packet or --frame, not both");
      const hosts = await loadInputs([input], {});
      const switches = switchesOf(hosts, opts.tunnels ? { tunnels: opts.tunnels } : {});
      const captured = opts.frame === undefined ? undefined : frameBytes(opts.frame);
      const decap = captured && !opts.outer ? decapsulateFor(switches, captured, opts.host) : undefined;
      // The tunnel port's bridge is where a decapsulated frame enters, whatever bridge was named.
      const bridge = decap?.bridge ?? bridgeArg;
      const sw = decap?.host ?? pickHost(switches, bridge, opts.host);
      const br = sw.bridges.get(bridge);
      const resolve = (name: string) => br?.byName.get(name)?.ofport;
      const parsed = parseTraceFlow(flowText, resolve);
      if (!parsed.ok && parsed.notModelled !== undefined) {
        // A flow OVS takes, of a feature ovspath cannot trace: said by name, exit 1 (not a usage error).
        err(`ovspath: ${escapeText(flowText)}: ${parsed.message} (column ${parsed.column})`);
        process.exitCode = EXIT.failure;
        return;
      }
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
      } else if (captured) packet = decap?.inner ?? captured.bytes;
      if (packet)
        flow = decap
          ? tunnelFlow(flow, decap, br?.byName.get(decap.port)?.ofport)
          : flowFromPacket(flow, packet);
      if (decap && !opts.json) out(escapeKeepingLayout(decapsulatedNote(decap)));
      const ctNext = opts.ctNext.map((s) => {
        const v = ctStateValue(s);
        if (typeof v === "string") throw new UsageError(`--ct-next ${s}: ${v}`);
        return v;
      });
      let dpHash: number | undefined;
      if (opts.dpHash !== undefined) {
        if (
          !/^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(opts.dpHash) ||
          Number(opts.dpHash) === 0 ||
          Number(opts.dpHash) > 0xffffffff
        )
          throw new UsageError(`--dp-hash takes a nonzero 32-bit number, got "${opts.dpHash}"`);
        dpHash = Number(opts.dpHash);
      }
      const result = trace({
        host: sw,
        bridge,
        flow,
        withPacket: packet !== undefined,
        ...(packet !== undefined ? { packetLength: packet.length } : {}),
        ctNext,
        ...(dpHash !== undefined ? { dpHash } : {}),
      });
      // The hybrid plug's iptables (security groups) before the pipeline and after each output to a qvo.
      const fw = traceCrossings(firewallsOf(hosts), sw, result, flow, packet);
      const crossings = [...fw.before, ...fw.after];
      const name = (n: number) => (n === OFPP.local ? "LOCAL" : String(n));
      const text = formatTrace(result, name);
      const host = hosts.find((h) => h.name === sw.name);
      const missing = host ? notModelled(host, sw, result) : [];
      const ovn = opts.ovn === undefined ? undefined : await ovnIndex(hosts, opts.ovn);
      if (opts.json) {
        const j = traceJson(result, sw, decap) as { steps: Array<Record<string, unknown>> } & Record<
          string,
          unknown
        >;
        if (ovn) {
          const extra = ovnTraceJson(result, ovn, hosts);
          j.steps.forEach((s, i) => {
            s.ovn = extra.steps[i];
          });
          if (extra.ovnDrop) j.ovnDrop = extra.ovnDrop;
          j.ovnZones = extra.ovnZones;
        }
        out(
          toJson({
            ...j,
            notModelled: missing,
            ...(crossings.length ? { firewall: crossings.map(crossingJson) } : {}),
          }),
        );
      } else {
        for (const c of fw.before) out(escapeKeepingLayout(crossingLines(c).slice(1).join("\n")));
        if (fw.before.length) out("");
        out(escapeKeepingLayout(ovn ? ovnTraceText(text, result, ovn, hosts) : text).replace(/\n$/, ""));
        for (const c of fw.after) out(escapeKeepingLayout(crossingLines(c).join("\n")));
        if (missing.length > 0)
          out(`\nNot modelled by ovspath: ${escapeText(missing.join(", "))}: OVS's answer may differ.`);
      }
      const dropped = crossings.some((c) => c.result.verdict.kind === "drop");
      const delivered = fw.after.length === 0 || fw.after.some((c) => c.result.verdict.kind !== "drop");
      process.exitCode =
        missing.length === 0 &&
        (result.verdict === "output" || result.verdict === "controller") &&
        !(dropped && (fw.before.some((c) => c.result.verdict.kind === "drop") || !delivered))
          ? EXIT.ok
          : EXIT.failure;
      const floodNote = opts.json ? undefined : floodOrderNote(result);
      if (floodNote) out(`\n${floodNote}`);
      if (!opts.json) for (const n of meterNotes(result, sw)) out(`\n${escapeText(n)}`);
    });
}
