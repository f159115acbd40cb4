/**
 * A connection tracker for replay: what the datapath's conntrack would answer to `ct()` for each frame,
 * so that frame N+1 sees the connection frame N committed. Modelled on Linux conntrack as Neutron's
 * kernel datapath uses it:
 * - connections are keyed by zone and the original direction's 5-tuple (ICMP echo by addresses, the
 *   request and reply types paired), and exist only once committed (`ct(commit)`);
 * - a frame of a committed connection is +est once a reply was seen, +new before (as Linux's
 *   IP_CT_NEW), and +est+rpl in the reply direction;
 * - without a connection: TCP SYN, or a bare ACK (nf_conntrack_tcp_loose picks up mid-stream
 *   connections, which captures started late need), is +new; SYN-ACK, RST and FIN are +inv, as the TCP
 *   state machine rejects them; other IP protocols are +new; non-IP frames are +inv.
 * Not modelled: +rel (ICMP errors, FTP helpers), NAT address rewriting, timeouts.
 */
import { CS, type FlowKey, K } from "../model/layout.js";

export interface CtAnswer {
  /** ct_state after ct(): always +trk. */
  state: number;
  mark: number;
  label: Uint32Array;
}

interface Connection {
  replySeen: boolean;
  mark: number;
  label: Uint32Array;
}

const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_FIN = 0x01;
const TCP_ACK = 0x10;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

function isIp(flow: FlowKey): boolean {
  return flow[K.dlType] === 0x0800 || flow[K.dlType] === 0x86dd;
}

function addrWords(flow: FlowKey, v4: number, v6: number): string {
  if (flow[K.dlType] === 0x0800) return flow[v4].toString(16);
  return Array.from(flow.subarray(v6, v6 + 4), (w) => w.toString(16)).join(":");
}

/** The tuple of a frame in its own direction and reversed, as strings keyed with the zone. */
function tuples(zone: number, flow: FlowKey): [string, string] {
  const src = addrWords(flow, K.nwSrc, K.ipv6Src);
  const dst = addrWords(flow, K.nwDst, K.ipv6Dst);
  const proto = flow[K.nwProto];
  let sp = flow[K.tpSrc];
  let dp = flow[K.tpDst];
  const icmp = (proto === 1 && flow[K.dlType] === 0x0800) || (proto === 58 && flow[K.dlType] === 0x86dd);
  if (icmp) {
    // The flow key holds ICMP type/code in tp_src/tp_dst; echo request and reply are one connection.
    const t = sp;
    if (proto === 1) sp = t === ICMP_ECHO_REPLY ? ICMP_ECHO_REQUEST : t;
    else sp = t === ICMP6_ECHO_REPLY ? ICMP6_ECHO_REQUEST : t;
    dp = 0;
    return [`${zone}|${proto}|${src}|${dst}|${sp}`, `${zone}|${proto}|${dst}|${src}|${sp}`];
  }
  return [`${zone}|${proto}|${src}|${dst}|${sp}|${dp}`, `${zone}|${proto}|${dst}|${src}|${dp}|${sp}`];
}

export class ConntrackTable {
  private conns = new Map<string, Connection>();
  /** Bumped on every change, so caches of translations that depend on conntrack can be dropped. */
  version = 0;
  /** While a tentative run is open (begin()): how to undo each change it made, in order. */
  private undo: Array<() => void> | undefined;

  /**
   * Opens a tentative run: the per-pass megaflow cache runs a cached pass's ct() actions before it
   * knows that the frame's later passes are cached too; rollback() undoes them when they are not, so
   * the translation that follows runs them once, as it would have.
   */
  begin(): void {
    this.undo = [];
  }

  /** Keeps the tentative run's changes. */
  commit(): void {
    this.undo = undefined;
  }

  /** Undoes the tentative run's changes, latest first. */
  rollback(): void {
    const undo = this.undo ?? [];
    this.undo = undefined;
    for (let i = undo.length - 1; i >= 0; i--) undo[i]();
    this.version++;
  }

  get size(): number {
    return this.conns.size;
  }

  /**
   * What ct(zone=…) answers for this frame, and (with commit) the connection it leaves. `mark` and
   * `label` are the values the ct() exec list set, when it set them.
   */
  execute(zone: number, flow: FlowKey, commit: boolean, mark?: number, label?: Uint32Array): CtAnswer {
    const none = new Uint32Array(4);
    if (!isIp(flow)) return { state: CS.trk | CS.inv, mark: 0, label: none };
    const [orig, reply] = tuples(zone, flow);
    const forward = this.conns.get(orig);
    const backward = forward ? undefined : this.conns.get(reply);
    let state: number;
    let conn = forward ?? backward;
    if (forward) state = CS.trk | (forward.replySeen ? CS.est : CS.new);
    else if (backward) {
      state = CS.trk | CS.est | CS.rpl;
      if (!backward.replySeen) {
        backward.replySeen = true;
        this.undo?.push(() => {
          backward.replySeen = false;
        });
        this.version++;
      }
    } else state = CS.trk | (this.opensConnection(flow) ? CS.new : CS.inv);
    if (commit && !(state & CS.inv)) {
      if (!conn) {
        conn = { replySeen: false, mark: 0, label: new Uint32Array(4) };
        this.conns.set(orig, conn);
        this.undo?.push(() => this.conns.delete(orig));
        this.version++;
      }
      if (mark !== undefined && conn.mark !== mark) {
        const c = conn;
        const old = c.mark;
        this.undo?.push(() => {
          c.mark = old;
        });
        c.mark = mark;
        this.version++;
      }
      if (label) {
        const c = conn;
        const old = c.label.slice();
        this.undo?.push(() => c.label.set(old));
        c.label.set(label);
        this.version++;
      }
    }
    return { state, mark: conn?.mark ?? 0, label: conn ? conn.label.slice() : none };
  }

  private opensConnection(flow: FlowKey): boolean {
    const proto = flow[K.nwProto];
    if (proto === 6) {
      const f = flow[K.tcpFlags];
      if (f & (TCP_RST | TCP_FIN)) return false;
      if (f & TCP_SYN) return !(f & TCP_ACK);
      return true;
    }
    if (proto === 1 && flow[K.dlType] === 0x0800) return flow[K.tpSrc] !== ICMP_ECHO_REPLY;
    if (proto === 58) return flow[K.tpSrc] !== ICMP6_ECHO_REPLY;
    return true;
  }
}
