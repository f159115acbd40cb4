/** Actions that send the packet somewhere or change where processing goes next. */
import { lineError } from "../../util/diagnostic.js";
import { OFPP } from "../layout.js";
import { type MegaflowMask, readsNothing, readsSlots, SET_LAST, uncacheable } from "./facts.js";
import { formatPort, formatSubfield, isError, type PortRef, parsePort, parseSubfield } from "./refs.js";
import { type ActionSpec, noArg, numberArg, requireArg } from "./spec.js";
import { keyValue, splitTopLevel } from "./syntax.js";
import type { ActionOf } from "./types.js";

/** Ports below this are physical/logical ports and print as `output:N`; the rest print bare. */
const OFPP_MAX = 0xff00;

/** What NORMAL reads: the MAC learning switch looks at the input port, the MACs and the VLAN. */
const normalReads = readsSlots("inPort", "dlSrc", "dlDst", "vlanTci", "vlanTpid");

/** An output to a port depends on the input port (no output back to it); NORMAL on more. */
function readsPort(a: { port: PortRef }, mask: MegaflowMask): boolean {
  return a.port.number === OFPP.normal ? normalReads(a, mask) : mask.slot("inPort");
}

const RESERVED_OUTPUT = ["in_port", "normal", "flood", "all", "local", "table", "none"];

export const output: ActionSpec<"output"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsPort,
  keywords: ["output", ...RESERVED_OUTPUT],
  parse(input) {
    if (input.keyword.toLowerCase() !== "output") {
      const port = parsePort({ text: input.keyword, column: input.whole.column });
      return isError(port) ? port : { type: "output", port };
    }
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const port = parsePort(arg);
    if (isError(port)) return port;
    if (port.number === OFPP.controller) return { type: "output", port, maxLen: 0 };
    return { type: "output", port };
  },
  format(a) {
    const n = a.port.number;
    if (n === undefined || n < OFPP_MAX) return `output:${formatPort(a.port)}`;
    return n === OFPP.controller ? `CONTROLLER:${a.maxLen ?? 0}` : formatPort(a.port);
  },
};

export const outputReg: ActionSpec<"outputReg"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: (a, mask) => mask.field(a.src.field),
  keywords: [],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const src = parseSubfield(arg);
    return isError(src) ? src : { type: "outputReg", src };
  },
  format: (a) => `output:${formatSubfield(a.src)}`,
};

export const outputTrunc: ActionSpec<"outputTrunc"> = {
  actionSetOrder: SET_LAST,
  reversible: false,
  megaflow: readsPort,
  keywords: [],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = splitTopLevel(arg.text, arg.column);
    if ("error" in parts) return lineError(parts.error, parts.message);
    let port: PortRef | undefined;
    let maxLen: number | undefined;
    for (const p of parts) {
      const { key, value } = keyValue(p);
      if (value === undefined)
        return lineError(p.column, `output(...): expected port= or max_len=, got "${p.text}"`);
      if (key === "port") {
        const r = parsePort(value);
        if (isError(r)) return r;
        port = r;
      } else if (key === "max_len") {
        if (!/^\d+$/.test(value.text))
          return lineError(value.column, "max_len: expected a number", "max_len");
        maxLen = Number(value.text);
      } else return lineError(p.column, `output(...): unknown parameter "${key}"`, key);
    }
    if (port === undefined || maxLen === undefined)
      return lineError(arg.column, "output(...) needs both port= and max_len=");
    return { type: "outputTrunc", port, maxLen };
  },
  format: (a) => `output(port=${formatPort(a.port)},max_len=${a.maxLen})`,
};

export const controller: ActionSpec<"controller"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["controller"],
  parse(input) {
    const base: ActionOf<"controller"> = { type: "controller", compact: true, pause: false };
    if (input.form === "bare") return { ...base, maxLen: 65535 };
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    if (input.form === "colon") {
      if (!/^\d+$/.test(arg.text))
        return lineError(arg.column, "CONTROLLER:N: expected a length", "controller");
      return { ...base, maxLen: Number(arg.text) };
    }
    const parts = splitTopLevel(arg.text, arg.column);
    if ("error" in parts) return lineError(parts.error, parts.message);
    const a: ActionOf<"controller"> = { ...base, compact: false };
    for (const p of parts) {
      const { key, value } = keyValue(p);
      const num = (): number | undefined =>
        value && /^\d+$/.test(value.text) ? Number(value.text) : undefined;
      if (key === "pause" && value === undefined) a.pause = true;
      else if (key === "reason" && value) a.reason = value.text;
      else if (key === "userdata" && value) a.userdata = value.text;
      else if (key === "max_len" && num() !== undefined) a.maxLen = num();
      else if (key === "id" && num() !== undefined) a.id = num();
      else if (key === "meter_id" && num() !== undefined) a.meterId = num();
      else return lineError(p.column, `controller(...): cannot parse "${p.text}"`, key);
    }
    return a;
  },
  format(a) {
    const plain =
      (a.reason === undefined || a.reason === "action") &&
      !a.id &&
      !a.userdata &&
      !a.pause &&
      a.meterId === undefined;
    if (plain) return `CONTROLLER:${a.maxLen ?? 65535}`;
    const parts: string[] = [];
    if (a.reason !== undefined && a.reason !== "action") parts.push(`reason=${a.reason}`);
    if (a.maxLen !== undefined && a.maxLen !== 65535) parts.push(`max_len=${a.maxLen}`);
    if (a.id) parts.push(`id=${a.id}`);
    if (a.userdata) parts.push(`userdata=${a.userdata}`);
    if (a.pause) parts.push("pause");
    if (a.meterId !== undefined) parts.push(`meter_id=${a.meterId}`);
    return `controller(${parts.join(",")})`;
  },
};

export const enqueue: ActionSpec<"enqueue"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsPort,
  keywords: ["enqueue"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const sep = input.form === "paren" ? arg.text.lastIndexOf(",") : arg.text.lastIndexOf(":");
    if (sep < 0) return lineError(arg.column, "enqueue: expected PORT:QUEUE", "enqueue");
    const port = parsePort({ text: arg.text.slice(0, sep), column: arg.column });
    if (isError(port)) return port;
    const q = arg.text.slice(sep + 1);
    if (!/^\d+$/.test(q))
      return lineError(arg.column + sep + 1, "enqueue: expected a queue number", "enqueue");
    return { type: "enqueue", port, queue: Number(q) };
  },
  format: (a) => `enqueue:${formatPort(a.port)}:${a.queue}`,
};

export const resubmit: ActionSpec<"resubmit"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: (a, mask) => !a.ct && mask.slot("inPort"),
  keywords: ["resubmit"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    if (input.form === "colon") {
      const port = parsePort(arg);
      return isError(port) ? port : { type: "resubmit", port, ct: false, compact: true };
    }
    const parts = splitTopLevel(arg.text, arg.column);
    if ("error" in parts) return lineError(parts.error, parts.message);
    if (parts.length < 2 || parts.length > 3)
      return lineError(arg.column, "resubmit(PORT,TABLE[,ct]): expected 2 or 3 arguments", "resubmit");
    const a: ActionOf<"resubmit"> = { type: "resubmit", ct: false, compact: false };
    if (parts[0].text !== "") {
      const port = parsePort(parts[0]);
      if (isError(port)) return port;
      if (port.number !== OFPP.inPort) a.port = port;
    }
    if (parts[1].text !== "") {
      if (!/^\d+$/.test(parts[1].text) || Number(parts[1].text) > 254)
        return lineError(parts[1].column, "resubmit: expected a table number 0-254", "resubmit");
      a.table = Number(parts[1].text);
    }
    if (parts.length === 3) {
      if (parts[2].text !== "ct")
        return lineError(parts[2].column, 'resubmit: the third argument can only be "ct"');
      a.ct = true;
    }
    if (a.port === undefined && a.table === undefined)
      return lineError(arg.column, "resubmit: at least one of port and table is required", "resubmit");
    return a;
  },
  format(a) {
    if (a.port !== undefined && a.table === undefined && !a.ct) return `resubmit:${formatPort(a.port)}`;
    const port = a.port === undefined ? "" : formatPort(a.port);
    return `resubmit(${port},${a.table ?? ""}${a.ct ? ",ct" : ""})`;
  },
};

export const gotoTable: ActionSpec<"gotoTable"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["goto_table"],
  parse(input) {
    const t = numberArg(input, 8);
    return isError(t) ? t : { type: "gotoTable", table: t };
  },
  format: (a) => `goto_table:${a.table}`,
};

export const group: ActionSpec<"group"> = {
  actionSetOrder: 23,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["group"],
  parse(input) {
    const id = numberArg(input, 32);
    return isError(id) ? id : { type: "group", id };
  },
  format: (a) => `group:${a.id}`,
};

export const meter: ActionSpec<"meter"> = {
  actionSetOrder: SET_LAST,
  reversible: false,
  megaflow: readsNothing,
  keywords: ["meter"],
  parse(input) {
    const id = numberArg(input, 32);
    return isError(id) ? id : { type: "meter", id };
  },
  format: (a) => `meter:${a.id}`,
};

export const exit: ActionSpec<"exit"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["exit"],
  parse: (i) => noArg("exit", i),
  format: () => "exit",
};
