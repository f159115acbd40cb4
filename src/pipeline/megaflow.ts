/**
 * The megaflow cache of a replay, as OVS's datapath flow cache works: a translation is cached under
 * the bits of the flow key it depended on, so every later frame that agrees on those bits reuses it with
 * one lookup. The bits are (1) the masks of every classifier subtable probed (OVS's own rule: a lookup
 * result depends on nothing else), and (2) the fields the executed actions read: NORMAL's MACs, VLAN and
 * in_port; the old value of a header field an action rewrites (the datapath set depends on it); the
 * sources of move/learn; the TTL of dec_ttl. Translations through ct() or through actions whose inputs
 * are the whole packet (hashing, groups, controller) are not cached. Entries are kept per ingress port
 * and dropped when the switch state they read changes (MAC table, learned flows).
 */
import type { Action, LearnSpec } from "../model/actions/index.js";
import type { FieldDef } from "../model/fields.js";
import { FLOW_WORDS, type FlowKey, K, KSIZE, type LayoutName, OFPP, ownFlowKey } from "../model/layout.js";

/** Slots an action may write without the datapath caring about the old value (metadata, not headers). */
const METADATA_SLOTS: ReadonlySet<LayoutName> = new Set<LayoutName>([
  "regs",
  "metadata",
  "tunId",
  "tunSrc",
  "tunDst",
  "tunFlags",
  "tunTos",
  "tunTtl",
  "inPort",
  "skbPriority",
  "actsetOutput",
  "pktMark",
]);

function maskSlot(mask: FlowKey, slot: LayoutName): void {
  const off = K[slot];
  mask.fill(0xffffffff, off, off + KSIZE[slot]);
}

function maskField(mask: FlowKey, f: FieldDef): void {
  maskSlot(mask, f.slot);
}

function maskWritten(mask: FlowKey, f: FieldDef): void {
  if (!METADATA_SLOTS.has(f.slot)) maskField(mask, f);
}

const NORMAL_SLOTS: readonly LayoutName[] = ["inPort", "dlSrc", "dlDst", "vlanTci", "vlanTpid"];

function maskLearnSpec(mask: FlowKey, s: LearnSpec): void {
  if (s.kind === "matchField" || s.kind === "loadField" || s.kind === "output") maskField(mask, s.src.field);
}

/**
 * Adds to `mask` the fields `actions` read; false when the translation cannot be cached at all.
 */
export function maskActionReads(mask: FlowKey, actions: readonly Action[]): boolean {
  for (const a of actions) {
    switch (a.type) {
      case "output":
      case "outputTrunc":
      case "enqueue": {
        if (a.port.number === OFPP.normal) for (const s of NORMAL_SLOTS) maskSlot(mask, s);
        else maskSlot(mask, "inPort");
        break;
      }
      case "setField":
        maskWritten(mask, a.field);
        break;
      case "load":
        maskWritten(mask, a.dst.field);
        break;
      case "move":
        maskField(mask, a.src.field);
        maskWritten(mask, a.dst.field);
        break;
      case "stackPush":
        maskField(mask, a.src.field);
        break;
      case "stackPop":
        maskWritten(mask, a.dst.field);
        break;
      case "outputReg":
        maskField(mask, a.src.field);
        break;
      case "setVlanVid":
      case "setVlanPcp":
      case "stripVlan":
      case "pushVlan":
        maskSlot(mask, "vlanTci");
        maskSlot(mask, "vlanTpid");
        break;
      case "setEthSrc":
        maskSlot(mask, "dlSrc");
        break;
      case "setEthDst":
        maskSlot(mask, "dlDst");
        break;
      case "setIpv4Src":
        maskSlot(mask, "nwSrc");
        break;
      case "setIpv4Dst":
        maskSlot(mask, "nwDst");
        break;
      case "setIpDscp":
      case "setIpEcn":
        maskSlot(mask, "nwTos");
        break;
      case "setIpTtl":
      case "decTtl":
        maskSlot(mask, "nwTtl");
        maskSlot(mask, "dlType");
        break;
      case "setL4Src":
        maskSlot(mask, "tpSrc");
        break;
      case "setL4Dst":
        maskSlot(mask, "tpDst");
        break;
      case "learn":
        for (const s of a.specs) maskLearnSpec(mask, s);
        break;
      case "clone":
      case "writeActions":
        if (!maskActionReads(mask, a.actions)) return false;
        break;
      case "resubmit":
        if (a.ct) return false;
        maskSlot(mask, "inPort");
        break;
      case "ct":
      case "nat":
      case "group":
      case "bundle":
      case "multipath":
      case "controller":
      case "checkPktLarger":
      case "sample":
      case "pushMpls":
      case "popMpls":
      case "setMplsLabel":
      case "setMplsTc":
      case "setMplsTtl":
      case "decMplsTtl":
      case "unknown":
        return false;
      default:
        break;
    }
  }
  return true;
}

interface Entry<V> {
  value: FlowKey;
  result: V;
}

interface MaskTable<V> {
  mask: FlowKey;
  words: Uint32Array;
  entries: Map<number, Array<Entry<V>>>;
}

function hashMasked(key: FlowKey, words: Uint32Array, mask: FlowKey): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h = Math.imul(h ^ (key[w] & mask[w]), 0x01000193) >>> 0;
  }
  return h;
}

/** One ingress port's cache: a few masks (subtables), each a hash of masked keys, as OVS's dpcls. */
export class MegaflowCache<V> {
  private tables: Array<MaskTable<V>> = [];
  private byMask = new Map<string, MaskTable<V>>();
  size = 0;

  lookup(key: FlowKey): V | undefined {
    for (const t of this.tables) {
      const bucket = t.entries.get(hashMasked(key, t.words, t.mask));
      if (!bucket) continue;
      for (const e of bucket) {
        let same = true;
        for (let i = 0; i < t.words.length; i++) {
          const w = t.words[i];
          if ((key[w] & t.mask[w]) >>> 0 !== e.value[w]) {
            same = false;
            break;
          }
        }
        if (same) return e.result;
      }
    }
    return undefined;
  }

  insert(key: FlowKey, mask: FlowKey, result: V): void {
    const id = mask.join(",");
    let t = this.byMask.get(id);
    if (!t) {
      const words: number[] = [];
      for (let i = 0; i < FLOW_WORDS; i++) if (mask[i] !== 0) words.push(i);
      t = { mask: mask.slice(), words: Uint32Array.from(words), entries: new Map() };
      this.byMask.set(id, t);
      this.tables.push(t);
    }
    const value = ownFlowKey();
    for (const w of t.words) value[w] = (key[w] & t.mask[w]) >>> 0;
    const h = hashMasked(key, t.words, t.mask);
    const bucket = t.entries.get(h);
    if (bucket) bucket.push({ value, result });
    else t.entries.set(h, [{ value, result }]);
    this.size++;
  }

  clear(): void {
    this.tables = [];
    this.byMask.clear();
    this.size = 0;
  }
}
