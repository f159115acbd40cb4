/**
 * `ovs-vsctl show`: the database's tree, nested by 4-space indents — Manager, Bridge (Controller,
 * fail_mode, datapath_type), Port (tag, trunks, bond settings), Interface (type, options, error) —
 * and ovs_version. A system port has no `type:` line; its type is "".
 */
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";
import { asMap, type OvsdbValue, parseOvsdbValue } from "./ovsdb-value.js";

export interface VsctlInterface {
  name: string;
  type: string;
  options: Map<string, string>;
  error?: string;
  other: Map<string, OvsdbValue>;
  line: number;
}

export interface VsctlPort {
  name: string;
  tag?: number;
  trunks: number[];
  interfaces: VsctlInterface[];
  other: Map<string, OvsdbValue>;
  line: number;
}

export interface VsctlController {
  target: string;
  isConnected?: boolean;
  other: Map<string, OvsdbValue>;
}

export interface VsctlBridge {
  name: string;
  controllers: VsctlController[];
  failMode?: string;
  datapathType?: string;
  ports: VsctlPort[];
  other: Map<string, OvsdbValue>;
  line: number;
}

export interface VsctlShow {
  uuid?: string;
  managers: VsctlController[];
  bridges: VsctlBridge[];
  ovsVersion?: string;
}

const NAMED = /^(Manager|Bridge|Port|Interface|Controller) (.+)$/;
const KEY = /^([a-z_][a-z0-9_]*): (.*)$/;

const stringMap = (v: OvsdbValue): Map<string, string> =>
  new Map([...asMap(v)].map(([k, x]) => [k, typeof x === "string" ? x : String(x)]));

export function parseVsctlShow(text: string, file: string): Parsed<VsctlShow> {
  const sink = new DiagnosticSink(file);
  const show: VsctlShow = { managers: [], bridges: [] };
  let bridge: VsctlBridge | undefined;
  let port: VsctlPort | undefined;
  let iface: VsctlInterface | undefined;
  let controller: VsctlController | undefined;
  const nameOf = (l: DumpLine, raw: string, column: number): string | undefined => {
    const v = parseOvsdbValue(raw);
    if (v.ok && typeof v.value === "string") return v.value;
    sink.error(l, column, "expected a name");
    return undefined;
  };
  for (const [i, l] of dumpLines(text).entries()) {
    const indent = l.text.length - l.text.trimStart().length;
    const body = l.text.slice(indent);
    const level = indent / 4;
    if (i === 0 && indent === 0 && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(body)) {
      show.uuid = body;
      continue;
    }
    const named = NAMED.exec(body);
    const kv = KEY.exec(body);
    const expected: Record<string, number> = { Manager: 1, Bridge: 1, Controller: 2, Port: 2, Interface: 3 };
    if (named && Number.isInteger(level) && expected[named[1]] === level) {
      const name = nameOf(l, named[2], indent + named[1].length + 2);
      if (name === undefined) continue;
      if (named[1] === "Manager") {
        controller = { target: name, other: new Map() };
        show.managers.push(controller);
        bridge = undefined;
      } else if (named[1] === "Bridge") {
        bridge = { name, controllers: [], ports: [], other: new Map(), line: l.line };
        show.bridges.push(bridge);
        controller = port = iface = undefined;
      } else if (named[1] === "Controller" && bridge) {
        controller = { target: name, other: new Map() };
        bridge.controllers.push(controller);
        port = iface = undefined;
      } else if (named[1] === "Port" && bridge) {
        port = { name, trunks: [], interfaces: [], other: new Map(), line: l.line };
        bridge.ports.push(port);
        controller = iface = undefined;
      } else if (named[1] === "Interface" && port) {
        iface = { name, type: "", options: new Map(), other: new Map(), line: l.line };
        port.interfaces.push(iface);
      } else sink.error(l, indent + 1, `${named[1]} outside of its parent`);
      continue;
    }
    if (kv && level === 1 && kv[1] === "ovs_version") {
      const v = parseOvsdbValue(kv[2]);
      show.ovsVersion = v.ok ? String(v.value) : kv[2];
      continue;
    }
    if (!kv || !Number.isInteger(level)) {
      sink.unparsed(l, "ovs-vsctl show output");
      continue;
    }
    const v = parseOvsdbValue(kv[2]);
    if (!v.ok) {
      sink.error(l, indent + kv[1].length + 3 + v.offset, `${kv[1]}: ${v.message}`, kv[1]);
      continue;
    }
    const [key, value] = [kv[1], v.value];
    if (level === 4 && iface) {
      if (key === "type") iface.type = String(value);
      else if (key === "options") iface.options = stringMap(value);
      else if (key === "error") iface.error = String(value);
      else iface.other.set(key, value);
    } else if (level === 3 && port) {
      if (key === "tag" && typeof value === "number") port.tag = value;
      else if (key === "trunks") port.trunks = (Array.isArray(value) ? value : [value]).map(Number);
      else port.other.set(key, value);
    } else if (level === 3 && controller) {
      if (key === "is_connected") controller.isConnected = value === true;
      else controller.other.set(key, value);
    } else if (level === 2 && bridge) {
      if (key === "fail_mode") bridge.failMode = String(value);
      else if (key === "datapath_type") bridge.datapathType = String(value);
      else bridge.other.set(key, value);
    } else if (level === 2 && controller && !bridge) {
      if (key === "is_connected") controller.isConnected = value === true;
      else controller.other.set(key, value);
    } else sink.error(l, indent + 1, `"${key}" at a nesting level where it does not belong`, key);
  }
  return { value: show, diagnostics: sink.diagnostics };
}

export function looksLikeVsctlShow(head: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f-]{27}\n {4}(Manager|Bridge|ovs_version)/.test(head);
}
