/**
 * The firewall's model, in netfilter's own shape: tables of chains of rules, each rule a list of
 * matches (each made by one entry of the match table) and one target (one entry of the target table).
 */
import type { Family, FwPacket } from "./packet.js";

/** Conntrack's view of a packet, as `-m state`/`-m conntrack --ctstate` test it. */
export type CtState = "NEW" | "ESTABLISHED" | "RELATED" | "INVALID" | "UNTRACKED";

/** The netfilter hooks a bridged frame crosses (br_netfilter), in order. */
export type Hook = "PREROUTING" | "FORWARD" | "POSTROUTING";

/** Where the frame is: Linux sees a bridged frame arriving and leaving on the bridge itself. */
export interface Devices {
  /** The bridge (qbr…): both -i and -o for a bridged frame. */
  bridge: string;
  /** The bridge port it came in on (tap… or qvb…). */
  physIn: string;
  /** The bridge port it leaves by; unknown before the bridge decides (PREROUTING). */
  physOut: string;
}

/** What an ipset lookup gives: member or not, or unknown when the dumps do not hold that set. */
export interface SetLookup {
  /** undefined: the set is not in the dumps. */
  has(name: string, pkt: FwPacket, dirs: ReadonlyArray<"src" | "dst">): boolean | undefined;
}

export interface MatchEnv {
  hook: Hook;
  devices: Devices;
  ct: CtState;
  sets: SetLookup;
}

/** A match that cannot be decided from the dumps: the reason, and the set when membership is unknown. */
export interface Unknown {
  unknown: string;
  set?: string;
}

export type MatchResult = boolean | Unknown;

export interface Match {
  /** The extension (`tcp`, `physdev`…); "" for the built-in -s/-d/-i/-o/-p/-f. */
  module: string;
  /** As iptables-save prints it. */
  text: string;
  test(p: FwPacket, env: MatchEnv): MatchResult;
  /** Why it did not match this packet, in words ("tcp dport 22, frame has dport 80"). */
  miss(p: FwPacket, env: MatchEnv): string;
  /** The bridge port it requires, when it is a plain `--physdev-in/-out DEV` (the per-port index). */
  physdev?: { dir: "in" | "out"; dev: string };
}

export type Target =
  | { kind: "verdict"; verdict: "ACCEPT" | "DROP" | "REJECT"; text: string }
  | { kind: "return"; text: string }
  | { kind: "jump"; chain: string; goto: boolean; text: string }
  | { kind: "ct"; zone: number | null; notrack: boolean; text: string }
  | { kind: "mark"; value: number; mask: number; text: string }
  /** Targets that do not decide: LOG, TRACE, NFLOG, a rule with no target (a counter). */
  | { kind: "continue"; text: string }
  | { kind: "unknown"; name: string; text: string };

export interface Counters {
  packets: number;
  bytes: number;
}

export interface Rule {
  family: Family;
  table: string;
  chain: string;
  /** 0-based position in its chain. */
  index: number;
  file: string;
  line: number;
  /** The rule as `iptables-save` prints it, counters left out: `-A chain ... -j target`. */
  text: string;
  matches: Match[];
  target: Target;
  counters?: Counters;
}

export interface Chain {
  name: string;
  /** Built-in chains have a policy; user chains do not. */
  policy: "ACCEPT" | "DROP" | null;
  counters?: Counters;
  rules: Rule[];
  line: number;
}

export interface Table {
  name: string;
  chains: Map<string, Chain>;
}

export interface Ruleset {
  family: Family;
  file: string;
  /** How the rules were read: an iptables-save dump is exact; listings lose details (see `lost`). */
  source: "save" | "listing" | "nft";
  tables: Map<string, Table>;
  /** What the source could not tell (empty for iptables-save). */
  lost: string[];
}
