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

import type { MegaflowMask } from "../model/actions/facts.js";
import { ACTIONS, type Action, type ActionType } from "../model/actions/index.js";
import type { ActionSpec } from "../model/actions/spec.js";
import type { FieldDef } from "../model/fields.js";
import { type FlowKey, K, KSIZE, type LayoutName } from "../model/layout.js";
import { MaskTable } from "./megaflow-table.js";

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

/**
 * The megaflow mask of one translation, as the action table's facts write to it (the per-pass cache
 * extends it: pass-cache.ts).
 */
export class MaskWriter implements MegaflowMask {
  constructor(readonly mask: FlowKey) {}

  slot(name: LayoutName): true {
    const off = K[name];
    this.mask.fill(0xffffffff, off, off + KSIZE[name]);
    return true;
  }

  field(f: FieldDef): true {
    return this.slot(f.slot);
  }

  written(f: FieldDef): true {
    return METADATA_SLOTS.has(f.slot) || this.field(f);
  }

  actions(list: readonly Action[]): boolean {
    for (const a of list) if (!(ACTIONS[a.type] as ActionSpec<ActionType>).megaflow(a, this)) return false;
    return true;
  }
}

/**
 * Adds to `mask` the fields `actions` read (each action's `megaflow` fact); false when the translation
 * cannot be cached at all.
 */
export function maskActionReads(mask: FlowKey, actions: readonly Action[]): boolean {
  return new MaskWriter(mask).actions(actions);
}

/** One ingress port's cache: a few masks (subtables), each a hash of masked keys, as OVS's dpcls. */
export class MegaflowCache<V> {
  private tables: Array<MaskTable<V>> = [];
  private byMask = new Map<string, MaskTable<V>>();
  size = 0;

  lookup(key: FlowKey): V | undefined {
    for (const t of this.tables) {
      const found = t.find(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  insert(key: FlowKey, mask: FlowKey, result: V): void {
    const id = mask.join(",");
    let t = this.byMask.get(id);
    if (!t) {
      t = new MaskTable(mask);
      this.byMask.set(id, t);
      this.tables.push(t);
    }
    t.add(key, result);
    this.size++;
  }

  clear(): void {
    this.tables = [];
    this.byMask.clear();
    this.size = 0;
  }
}
