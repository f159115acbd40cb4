/**
 * NORMAL's MAC learning table of one bridge (OVS's mac_learning): entries as `fdb/show` listed them,
 * then as replayed packets teach it, indexed by VLAN and MAC so that a lookup costs the same with the
 * thousands of entries a busy host's fdb holds as with a handful. MACs are 48-bit numbers (exact in a
 * double), as read straight from a flow key's two words.
 */
import type { FlowKey } from "../model/layout.js";
import { switchStateChanged } from "./switch-state.js";

export interface MacEntry {
  port: number;
  vlan: number;
  mac: number;
  /** Line of the fdb/show dump it came from; 0 when a replayed packet taught it. */
  line: number;
}

/** How many recent answers a table remembers (a power of two). */
const RECENT_SLOTS = 8;

export class MacTable {
  /** In insertion order: the dump's entries, then learned ones. */
  readonly entries: MacEntry[] = [];
  private readonly byVlan = new Map<number, Map<number, MacEntry>>();
  /**
   * The last answers, by MAC and VLAN, in a few direct-mapped slots: NORMAL asks twice a packet (its
   * source to learn, its destination to forward) and a capture's packets mostly repeat the same few
   * pairs, where two Map gets keyed by a 48-bit number (boxed for the Map) cost more than these reads.
   * An entry only ever changes its port in place, so a remembered entry stays right; a remembered
   * absence is forgotten when an entry is added (add clears every slot).
   */
  private readonly recentMac = new Float64Array(RECENT_SLOTS).fill(-1);
  private readonly recentVlan = new Int32Array(RECENT_SLOTS);
  private readonly recentEntry: Array<MacEntry | undefined> = new Array(RECENT_SLOTS).fill(undefined);

  find(mac: number, vlan: number): MacEntry | undefined {
    const slot = (mac ^ vlan) & (RECENT_SLOTS - 1);
    if (this.recentMac[slot] === mac && this.recentVlan[slot] === vlan) return this.recentEntry[slot];
    const entry = this.byVlan.get(vlan)?.get(mac);
    this.recentMac[slot] = mac;
    this.recentVlan[slot] = vlan;
    this.recentEntry[slot] = entry;
    return entry;
  }

  /** Adds an entry; a MAC already known on that VLAN keeps its first entry, as the dump lists it. */
  add(entry: MacEntry): void {
    let macs = this.byVlan.get(entry.vlan);
    if (!macs) {
      macs = new Map();
      this.byVlan.set(entry.vlan, macs);
    }
    if (macs.has(entry.mac)) return;
    macs.set(entry.mac, entry);
    this.recentMac.fill(-1);
    this.entries.push(entry);
  }

  /**
   * What NORMAL does with a packet's source: returns whether the table changed (a replay's cache depends
   * on the table: see switch-state.ts).
   */
  learn(mac: number, vlan: number, port: number): boolean {
    const known = this.find(mac, vlan);
    if (known?.port === port) return false;
    if (known) known.port = port;
    else this.add({ port, vlan, mac, line: 0 });
    switchStateChanged();
    return true;
  }
}

/** A MAC field of a flow key (K.dlDst, K.dlSrc) as a number: its high 16 bits, then its low 32. */
export function macAt(key: FlowKey, slot: number): number {
  return (key[slot] & 0xffff) * 0x1_0000_0000 + key[slot + 1];
}

export const isMulticastMac = (mac: number): boolean => Math.floor(mac / 0x100_0000_0000) % 2 === 1;

/** 01:80:c2:00:00:0X, the IEEE reserved range NORMAL never forwards. */
export const isReservedMac = (mac: number): boolean => Math.floor(mac / 16) === 0x0180_c200_000;
