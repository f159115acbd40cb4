/**
 * Every OpenFlow action ovspath knows, as a discriminated union on `type`. The parse and format of each
 * live in one table (table.ts); the pipeline's executor is a second table keyed by the same `type`, so
 * the compiler refuses an action that can be parsed but not executed.
 */

import type { FieldValue } from "../field-value.js";
import type { FieldDef } from "../fields.js";
import type { PortRef, Subfield } from "./refs.js";

export type Action =
  /** `output:N`, and the reserved ports printed bare: IN_PORT, NORMAL, FLOOD, ALL, LOCAL, CONTROLLER:N. */
  | { type: "output"; port: PortRef; maxLen?: number }
  | { type: "outputReg"; src: Subfield }
  | { type: "outputTrunc"; port: PortRef; maxLen: number }
  | {
      type: "controller";
      /** `CONTROLLER:N` (true) or `controller(...)`. */
      compact: boolean;
      reason?: string;
      maxLen?: number;
      id?: number;
      userdata?: string;
      pause: boolean;
      meterId?: number;
    }
  | { type: "enqueue"; port: PortRef; queue: number }
  | { type: "resubmit"; port?: PortRef; table?: number; ct: boolean; compact: boolean }
  | { type: "gotoTable"; table: number }
  | { type: "group"; id: number }
  | { type: "meter"; id: number }
  | {
      type: "setField";
      field: FieldDef;
      value: FieldValue /** The meta-flow name it prints as. */;
      name: string;
    }
  | { type: "load"; dst: Subfield; value: bigint }
  | { type: "move"; src: Subfield; dst: Subfield }
  /** mod_vlan_vid pushes a tag when there is none; set_vlan_vid (OF1.1+) does not. */
  | { type: "setVlanVid"; vid: number; pushIfNeeded: boolean }
  | { type: "setVlanPcp"; pcp: number; pushIfNeeded: boolean }
  | { type: "stripVlan"; spelling: "strip_vlan" | "pop_vlan" }
  | { type: "pushVlan"; ethertype: number }
  | { type: "setEthSrc"; mac: bigint }
  | { type: "setEthDst"; mac: bigint }
  | { type: "setIpv4Src"; addr: bigint }
  | { type: "setIpv4Dst"; addr: bigint }
  | { type: "setIpDscp"; tos: number }
  | { type: "setIpEcn"; ecn: number }
  | { type: "setIpTtl"; ttl: number }
  | { type: "setL4Src"; port: number }
  | { type: "setL4Dst"; port: number }
  | { type: "setTunnel"; id: bigint; wide: boolean }
  | { type: "decTtl"; controllerIds?: number[] }
  | { type: "setQueue"; queue: number }
  | { type: "popQueue" }
  | { type: "pushMpls"; ethertype: number }
  | { type: "popMpls"; ethertype: number }
  | { type: "setMplsLabel"; label: number }
  | { type: "setMplsTc"; tc: number }
  | { type: "setMplsTtl"; ttl: number }
  | { type: "decMplsTtl" }
  | { type: "stackPush"; src: Subfield }
  | { type: "stackPop"; dst: Subfield }
  | { type: "note"; hex: string }
  | { type: "exit" }
  | { type: "clearActions" }
  | { type: "writeActions"; actions: Action[] }
  | { type: "writeMetadata"; value: bigint; mask?: bigint }
  | { type: "clone"; actions: Action[] }
  | CtAction
  | NatAction
  | { type: "ctClear" }
  | { type: "deleteField"; field: FieldDef }
  | { type: "conjunction"; id: number; clause: number; nClauses: number }
  | LearnAction
  | { type: "finTimeout"; idleTimeout?: number; hardTimeout?: number }
  | {
      type: "multipath";
      fields: string;
      basis: number;
      algorithm: string;
      maxLink: number;
      arg: number;
      dst: Subfield;
    }
  | {
      type: "bundle";
      load: boolean;
      fields: string;
      basis: number;
      algorithm: string;
      ofport: string;
      dst?: Subfield;
      members: PortRef[];
    }
  | {
      type: "sample";
      probability: number;
      collectorSetId: number;
      obsDomain: number | Subfield;
      obsPoint: number | Subfield;
      samplingPort?: PortRef;
      direction?: "ingress" | "egress";
    }
  | { type: "checkPktLarger"; length: number; dst: Subfield }
  /** An action this table does not model: kept verbatim so nothing the user gave is lost. */
  | { type: "unknown"; text: string };

export interface CtAction {
  type: "ct";
  commit: boolean;
  force: boolean;
  table?: number;
  zone?: number | Subfield;
  nat?: NatAction;
  exec: Action[];
  alg?: number;
}

export interface NatAction {
  type: "nat";
  kind?: "src" | "dst";
  /** Address range as written (`10.0.0.1-10.0.0.5`, `[fe80::1]`), and the port range. */
  addrMin?: string;
  addrMax?: string;
  portMin?: number;
  portMax?: number;
  persistent: boolean;
  hash: boolean;
  random: boolean;
}

export type LearnSpec =
  /** Match the whole field on an immediate value: `dl_type=0x800`. */
  | { kind: "matchImmediate"; dst: Subfield; value: bigint; whole: boolean }
  /** Match the packet's value of `src` in `dst`: `NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]`, `NXM_OF_VLAN_TCI[0..11]`. */
  | { kind: "matchField"; dst: Subfield; src: Subfield }
  | { kind: "loadImmediate"; dst: Subfield; value: bigint }
  | { kind: "loadField"; dst: Subfield; src: Subfield }
  | { kind: "output"; src: Subfield };

export interface LearnAction {
  type: "learn";
  table: number;
  idleTimeout?: number;
  hardTimeout?: number;
  finIdleTimeout?: number;
  finHardTimeout?: number;
  priority?: number;
  sendFlowRem: boolean;
  deleteLearned: boolean;
  cookie: bigint;
  limit?: number;
  resultDst?: Subfield;
  specs: LearnSpec[];
}

export type ActionType = Action["type"];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
