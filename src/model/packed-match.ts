/**
 * A flow dump's matches, packed. A 100k-flow dump's matches were ~4 objects a flow: the match, its list
 * of fields and, for each field read for the first time (a MAC, an address: most flows have one), a
 * MatchField, its FieldValue and a bigint; every one of them copied twice by V8's young-generation
 * collector while the dump loads. Here a dump's distinct `name=value` tokens are words in one typed
 * array (its MatchStore), a match is the range of its tokens in a second one, and a flow's match is one
 * small object (PackedMatch). Its fields are made as MatchField objects only when read (a trace or a
 * listing reads a few flows'; the classifier reads none: it compiles from the words).
 */
import type { LineError } from "../util/diagnostic.js";
import { SpanCache } from "../util/span-cache.js";
import { allOnes, FIELD, type FieldDef, lowWord, wordBits } from "./fields.js";
import { type FlowKey, K, KSIZE } from "./layout.js";
import {
  applyFieldInto,
  applyPatch,
  applyShorthand,
  FieldGatherer,
  type FieldPatch,
  isLineError,
  type Match,
  type MatchField,
  type MatchResult,
  matchOf,
  type PortResolver,
  parseToken,
  patchOf,
  walked,
  walkMatch,
} from "./match.js";

/** A token's head word: its name's index in its store, shifted past these flags. */
const MASKED = 1;
/** A token kept as its MatchField (a port name, which is text, not words): the next word indexes it. */
const REF = 2;
const FLAG_BITS = 2;

/** How a field's words go into a flow key, as writeField puts them (see FieldLayout). */
const ONE_WORD = 0;
const WHOLE_WORDS = 1;
const TWO_WORDS = 2;
/** Any other layout (dl_vlan and dl_vlan_pcp through vlan_tci, shifted multi-word fields): a patch. */
const PATCHED = 3;

/**
 * Where a field lies in a flow key, worked out once per field name of a store: the classifier's build
 * writes a packed token's words with plain number operations, no bigint and no patch per token.
 */
interface FieldLayout {
  kind: number;
  /** 32-bit words the value (and the mask) take in a token. */
  words: number;
  /** ONE_WORD: the key word and the field's shift in it; WHOLE_WORDS, TWO_WORDS: the first key word. */
  at: number;
  shift: number;
  /** ONE_WORD: the bits the field owns in its word; TWO_WORDS: in its high word. */
  owned: number;
  /** ONE_WORD: the field's full mask (the mask of a token written without one). */
  full: number;
}

function layoutOf(f: FieldDef): FieldLayout {
  const words = Math.ceil(f.bits / 32);
  const inShift = f.shift & 31;
  const base = { kind: PATCHED, words, at: 0, shift: 0, owned: 0, full: 0 };
  if (f === FIELD.dl_vlan || f === FIELD.dl_vlan_pcp) return base;
  if (inShift + f.bits <= 32)
    return {
      ...base,
      kind: ONE_WORD,
      at: lowWord(f),
      shift: inShift,
      owned: wordBits(f),
      full: 2 ** f.bits - 1,
    };
  if (inShift === 0 && f.bits % 32 === 0) return { ...base, kind: WHOLE_WORDS, at: lowWord(f) - words + 1 };
  if (KSIZE[f.slot] === 2 && f.shift === 0 && f.bits > 32)
    return {
      ...base,
      kind: TWO_WORDS,
      at: K[f.slot],
      owned: f.bits >= 64 ? 0xffffffff : 2 ** (f.bits - 32) - 1,
    };
  return base;
}

/** v's low 32 × n bits as n words at out[at...], most significant first. */
function putWords(out: Uint32Array, at: number, n: number, v: bigint): void {
  if (n === 1) {
    out[at] = Number(v);
    return;
  }
  for (let i = n - 1, rest = v; i >= 0; i--, rest >>= 32n) out[at + i] = Number(BigInt.asUintN(32, rest));
}

/** The n words at words[at...], most significant first, as one number. */
function wordsValue(words: Uint32Array, at: number, n: number): bigint {
  if (n === 1) return BigInt(words[at]);
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 32n) | BigInt(words[at + i]);
  return v;
}

/** The fields of an empty match, shared (as parseMatch's): never modified. */
const NO_FIELDS: MatchField[] = [];

/** One dump's packed match tokens and the ranges of them its matches are. */
export class MatchStore {
  /** The tokens, each a head word (name index and flags), then its value's words, then its mask's. */
  private words = new Uint32Array(1024);
  private wordCount = 0;
  /** Each match's tokens, as their offsets in `words`, one range a match. */
  private pool = new Int32Array(1024);
  private poolCount = 0;
  /** The names tokens are written with, their fields and layouts, by name index. */
  private readonly names: string[] = [];
  private readonly defs: FieldDef[] = [];
  private readonly layouts: FieldLayout[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly refs: MatchField[] = [];
  /** Tokens already made into MatchField objects, by offset: the flows that share a token share it. */
  private readonly made = new Map<number, MatchField>();
  /** The field lists made so far, by where their match's range starts (an empty match has none). */
  private readonly madeLists = new Map<number, MatchField[]>();
  /** The patches of PATCHED tokens, by offset. */
  private readonly patches = new Map<number, FieldPatch>();

  /** Keeps a parsed field as a token; returns its offset. */
  add(f: MatchField): number {
    const index = this.nameOf(f.name, f.field);
    const at = this.wordCount;
    if (f.value.portName !== undefined) {
      this.reserve(2);
      this.words[at] = (index << FLAG_BITS) | REF;
      this.words[at + 1] = this.refs.length;
      this.refs.push(f);
      return at;
    }
    const n = this.layouts[index].words;
    const masked = f.value.mask !== allOnes(f.field.bits);
    this.reserve(1 + (masked ? 2 * n : n));
    this.words[at] = (index << FLAG_BITS) | (masked ? MASKED : 0);
    putWords(this.words, at + 1, n, f.value.value);
    if (masked) putWords(this.words, at + 1 + n, n, f.value.mask);
    return at;
  }

  /** The field of the token at `at`. */
  fieldAt(at: number): FieldDef {
    return this.defs[this.words[at] >>> FLAG_BITS];
  }

  /** The name the token at `at` was written with. */
  nameAt(at: number): string {
    return this.names[this.words[at] >>> FLAG_BITS];
  }

  /** Keeps a match's token offsets, tokens[0, n); returns where its range starts. */
  addMatch(tokens: readonly number[], n: number): number {
    if (this.poolCount + n > this.pool.length) this.pool = grown(this.pool, this.poolCount + n);
    const from = this.poolCount;
    for (let i = 0; i < n; i++) this.pool[from + i] = tokens[i];
    this.poolCount += n;
    return from;
  }

  /** Gives back the room kept for more: called once the dump is read. */
  seal(): void {
    this.words = this.words.slice(0, this.wordCount);
    this.pool = this.pool.slice(0, this.poolCount);
  }

  /**
   * The fields of the match of pool[from, + n), as MatchField objects: made on first read and kept here
   * (a slot for them in each match was 8 bytes of each flow of a large dump, read for few).
   */
  fieldsAt(from: number, n: number): MatchField[] {
    if (n === 0) return NO_FIELDS;
    let out = this.madeLists.get(from);
    if (out === undefined) {
      out = new Array<MatchField>(n);
      for (let i = 0; i < n; i++) out[i] = this.fieldOf(this.pool[from + i]);
      this.madeLists.set(from, out);
    }
    return out;
  }

  /** The fields of a packed match, or of its spread copy, which keeps its range. */
  fieldsOf(m: Match): MatchField[] {
    const range = m as Partial<PackedMatch>;
    return this.fieldsAt(range.from ?? 0, range.count ?? 0);
  }

  /** compileMatchInto for the tokens of pool[from, + n). */
  compileInto(
    from: number,
    n: number,
    resolvePort: PortResolver,
    mask: FlowKey,
    value: FlowKey,
  ): string | undefined {
    const w = this.words;
    for (let i = from; i < from + n; i++) {
      const at = this.pool[i];
      const head = w[at];
      if ((head & REF) !== 0) {
        const failed = applyFieldInto(this.refs[w[at + 1]], resolvePort, mask, value);
        if (failed !== undefined) return failed;
        continue;
      }
      const l = this.layouts[head >>> FLAG_BITS];
      const masked = (head & MASKED) !== 0;
      const k = l.at;
      switch (l.kind) {
        case ONE_WORD: {
          const mk = masked ? w[at + 2] : l.full;
          mask[k] = (mask[k] & ~l.owned) | ((mk << l.shift) & l.owned);
          value[k] = (value[k] & ~l.owned) | (((w[at + 1] & mk) << l.shift) & l.owned);
          break;
        }
        case WHOLE_WORDS:
          for (let j = 0; j < l.words; j++) {
            const mk = masked ? w[at + 1 + l.words + j] : 0xffffffff;
            mask[k + j] = mk;
            value[k + j] = w[at + 1 + j] & mk;
          }
          break;
        case TWO_WORDS: {
          const high = masked ? w[at + 3] : l.owned;
          const low = masked ? w[at + 4] : 0xffffffff;
          mask[k] = (mask[k] & ~l.owned) | (high & l.owned);
          value[k] = (value[k] & ~l.owned) | (w[at + 1] & high & l.owned);
          mask[k + 1] = low;
          value[k + 1] = w[at + 2] & low;
          break;
        }
        default:
          applyPatch(mask, value, this.patchAt(at));
      }
    }
    return undefined;
  }

  private patchAt(at: number): FieldPatch {
    let p = this.patches.get(at);
    if (p === undefined) {
      const f = this.fieldOf(at);
      p = patchOf(f.field, f.value.value, f.value.mask);
      this.patches.set(at, p);
    }
    return p;
  }

  /** The token at `at` as a MatchField, made once. */
  private fieldOf(at: number): MatchField {
    const head = this.words[at];
    if ((head & REF) !== 0) return this.refs[this.words[at + 1]];
    let f = this.made.get(at);
    if (f === undefined) {
      const index = head >>> FLAG_BITS;
      const field = this.defs[index];
      const n = this.layouts[index].words;
      const value = wordsValue(this.words, at + 1, n);
      const mask = (head & MASKED) !== 0 ? wordsValue(this.words, at + 1 + n, n) : allOnes(field.bits);
      f = { name: this.names[index], field, value: { value, mask } };
      this.made.set(at, f);
    }
    return f;
  }

  private nameOf(name: string, field: FieldDef): number {
    let index = this.nameIndex.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.defs.push(field);
      this.layouts.push(layoutOf(field));
      this.nameIndex.set(name, index);
    }
    return index;
  }

  private reserve(n: number): void {
    if (this.wordCount + n > this.words.length) this.words = grown(this.words, this.wordCount + n);
    this.wordCount += n;
  }
}

/** A copy of `a` with room for at least `need` elements (twice as many, so that growing stays linear). */
function grown<T extends Uint32Array | Int32Array>(a: T, need: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * A flow's match as its store's range of tokens. `fields` makes them MatchField objects on first read;
 * compileMatchInto compiles from the words (compileInto).
 */
export class PackedMatch implements Match {
  constructor(
    readonly store: MatchStore,
    readonly from: number,
    readonly count: number,
    readonly priority: number | undefined,
    readonly shorthand: string | undefined,
  ) {}

  get fields(): MatchField[] {
    return this.store.fieldsAt(this.from, this.count);
  }

  compileInto(resolvePort: PortResolver, mask: FlowKey, value: FlowKey): string | undefined {
    if (this.shorthand) applyShorthand(this.shorthand, mask, value);
    return this.store.compileInto(this.from, this.count, resolvePort, mask, value);
  }

  /** As JSON, the plain match it stands for (what parseMatch gives). */
  toJSON(): Match {
    return matchOf(this.priority, this.shorthand, this.fields);
  }
}

/**
 * The walk's sink for a store: a token read before is found by its span of the dump (as parseMatch finds
 * its MatchFields), a new one is parsed and kept as words.
 */
class PackedFields extends FieldGatherer {
  store: MatchStore | undefined = undefined;
  readonly tokens: number[] = [];

  token(text: string, at: number, eq: number, end: number, column: number): LineError | undefined {
    const store = this.store as MatchStore;
    let token = knownTokens.get(text, at, end);
    if (token === undefined) {
      const parsed = parseToken(text, at, eq, end, column);
      if (isLineError(parsed)) return parsed;
      token = store.add(parsed);
      knownTokens.set(text, at, end, token);
    }
    const twice = this.take(store.fieldAt(token), store.nameAt(token), column);
    if (twice !== undefined) return twice;
    this.tokens[this.n++] = token;
    return undefined;
  }
}

const packedFields = new PackedFields();
/**
 * The tokens of the store being filled, by their span of the dump: a firewall dump writes the same
 * `reg5=0x1a` or `ct_state=+new-est` on flow after flow, and those flows share one token. Emptied when
 * full (keeping the tokens of the flows just read) and when another store is filled.
 */
const knownTokens = new SpanCache<number>(16384);

/** parseMatchIn into `store`: the match of a dump's flow, packed. */
export function parsePackedMatchIn(
  text: string,
  from: number,
  to: number,
  base: number,
  store: MatchStore,
): MatchResult {
  if (packedFields.store !== store) {
    knownTokens.clear();
    packedFields.store = store;
  }
  const error = walkMatch(text, from, to, base, packedFields);
  if (error !== undefined) return { ok: false, error };
  const n = packedFields.n;
  const range = store.addMatch(packedFields.tokens, n);
  return { ok: true, value: new PackedMatch(store, range, n, walked.priority, walked.shorthand) };
}
