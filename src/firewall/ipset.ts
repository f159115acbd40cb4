/**
 * ipsets as `ipset list`/`ipset save` show them, and membership as xt_set tests it: hash:net, hash:ip,
 * hash:ip,port, hash:net,port and list:set. A set that is not in the dumps has unknown membership.
 */
import { type Family, type FwPacket, PROTO } from "./packet.js";
import type { SetLookup } from "./rule.js";
import { type Cidr, parseCidr } from "./values.js";

export interface IpsetMember {
  net?: Cidr;
  /** For …,port types: the protocol and port. */
  proto?: number;
  port?: number;
  /** For list:set: the member set. */
  set?: string;
  text: string;
}

export interface Ipset {
  name: string;
  type: string;
  family: Family;
  members: IpsetMember[];
  file: string;
  line: number;
}

export const IPSET_TYPES = new Set(["hash:net", "hash:ip", "hash:ip,port", "hash:net,port", "list:set"]);

/** Reads one member of a set of `type` (`10.0.0.0/24`, `10.0.0.5,tcp:80`, `other-set`). */
export function parseMember(text: string, type: string, family: Family): IpsetMember | string {
  if (type === "list:set") return { set: text, text };
  const [addr, portPart] = text.split(",", 2);
  const net = parseCidr(addr, family);
  if (typeof net === "string") return net;
  if (!type.endsWith(",port")) return { net, text };
  const m = /^(?:(\w+):)?(\d+)$/.exec(portPart ?? "");
  if (!m) return `not PROTO:PORT: ${portPart ?? "(missing)"}`;
  const proto = m[1] === undefined ? PROTO.tcp : (PROTO as Record<string, number>)[m[1]];
  if (proto === undefined) return `not a protocol: ${m[1]}`;
  return { net, proto, port: Number(m[2]), text };
}

export class IpsetTable implements SetLookup {
  readonly sets = new Map<string, Ipset>();

  add(s: Ipset): void {
    this.sets.set(s.name, s);
  }

  has(name: string, p: FwPacket, dirs: ReadonlyArray<"src" | "dst">, depth = 0): boolean | undefined {
    const s = this.sets.get(name);
    if (!s || depth > 8) return undefined;
    if (s.type === "list:set") {
      let unknown = false;
      for (const m of s.members) {
        const r = this.has(m.set ?? "", p, dirs, depth + 1);
        if (r) return true;
        if (r === undefined) unknown = true;
      }
      return unknown ? undefined : false;
    }
    if (p.family !== s.family) return false;
    const addr = dirs[0] === "dst" ? p.dst : p.src;
    const portDir = dirs[1] ?? dirs[0];
    const port = portDir === "dst" ? p.dport : p.sport;
    return s.members.some(
      (m) =>
        m.net !== undefined &&
        (addr & m.net.mask) === m.net.addr &&
        (m.port === undefined || (m.proto === p.proto && m.port === port)),
    );
  }
}

/** When no ipset dump is given: every set's membership is unknown. */
export const NO_SETS: SetLookup = { has: () => undefined };
