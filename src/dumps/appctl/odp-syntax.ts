/**
 * The datapath's `name(args)` syntax (lib/odp-util.c), used by datapath flow keys and actions:
 * `in_port(3),eth(src=a,dst=b),tunnel(tun_id=0x1,flags(-df+key)),set(ipv4(ttl=63)),2`. Parsed into a
 * tree of nodes; `k=v` arguments stay text (values may be `value/mask`).
 */
export interface OdpNode {
  /** `eth`, `set`, `recirc`, or a bare word (`2`, `drop`, `qvo1`) with no args. */
  name: string;
  /** `k=v` pairs, and positional args (nested nodes or bare words). */
  fields: Record<string, string>;
  children: OdpNode[];
  /** True when written with parentheses. */
  call: boolean;
  text: string;
}

export type OdpResult = { ok: true; value: OdpNode[] } | { ok: false; offset: number; message: string };

/** Splits at commas outside parentheses. */
function split(text: string): Array<{ text: string; at: number }> | number {
  const out: Array<{ text: string; at: number }> = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      if (--depth < 0) return i;
    } else if (c === "," && depth === 0) {
      out.push({ text: text.slice(start, i), at: start });
      start = i + 1;
    }
  }
  if (depth !== 0) return text.length;
  out.push({ text: text.slice(start), at: start });
  return out;
}

function node(text: string, at: number): OdpNode | { offset: number; message: string } {
  const open = text.indexOf("(");
  if (open < 0 || (text.indexOf("=") >= 0 && text.indexOf("=") < open)) {
    return { name: text, fields: {}, children: [], call: false, text };
  }
  if (!text.endsWith(")"))
    return { offset: at + text.length, message: `expected ")" at the end of "${text}"` };
  const name = text.slice(0, open);
  const inner = text.slice(open + 1, -1);
  const n: OdpNode = { name, fields: {}, children: [], call: true, text };
  if (inner === "") return n;
  const parts = split(inner);
  if (typeof parts === "number") return { offset: at + open + 1 + parts, message: "unbalanced parentheses" };
  for (const p of parts) {
    const eq = p.text.indexOf("=");
    const paren = p.text.indexOf("(");
    if (eq > 0 && (paren < 0 || eq < paren)) n.fields[p.text.slice(0, eq)] = p.text.slice(eq + 1);
    else {
      const child = node(p.text, at + open + 1 + p.at);
      if ("offset" in child) return child;
      n.children.push(child);
    }
  }
  return n;
}

/** Parses a comma-separated list of nodes. */
export function parseOdp(text: string): OdpResult {
  const parts = split(text);
  if (typeof parts === "number") return { ok: false, offset: parts, message: "unbalanced parentheses" };
  const out: OdpNode[] = [];
  for (const p of parts) {
    if (p.text === "") continue;
    const n = node(p.text, p.at);
    if ("offset" in n) return { ok: false, offset: n.offset, message: n.message };
    out.push(n);
  }
  return { ok: true, value: out };
}
