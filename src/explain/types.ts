/**
 * What the explain stage says about one replayed frame: its verdict, the hops it took across bridges and
 * hosts, and for a drop where and why, with the flows that nearly matched. The CLI (`replay`, text and
 * JSON) and the TUI (verdict column, path, trace and drops panes) present these and nothing else.
 */
import type { Hop } from "../pipeline/hop.js";
import type { TraceResult } from "../pipeline/trace.js";

/** Made by the replay (src/pipeline), read here: re-exported for the stage's readers. */
export type { Hop };

export type VerdictKind =
  /** Output to a VM/router/DHCP port or a physical NIC of a loaded host. */
  | "delivered"
  /** Sent into a tunnel whose remote end is not a loaded host (or left the underlay NIC). */
  | "tunneled"
  | "dropped"
  | "controller"
  /** Translation stopped on a loop, the resubmit limits or an error (OVS drops these too). */
  | "loop"
  /** The frame could not be placed at an ingress port of any loaded host. */
  | "no-ingress";

/** Why a frame was dropped, as a class the drops summary can count. */
export type DropReason =
  | "table-miss"
  | "drop-flow"
  | "anti-spoofing"
  | "vlan-mismatch"
  | "unknown-tunnel-id"
  | "ct-invalid"
  | "ttl-expired"
  | "unknown-tunnel-peer"
  | "port-down"
  | "mtu-exceeded"
  | "normal-no-port"
  | "translation-error"
  /** The port's iptables rules on its qbr bridge (Neutron's iptables_hybrid firewall). */
  | "security-group";

/** A flow of the dropping table (or of the table that would have led elsewhere) that failed on few fields. */
export interface NearMiss {
  host: string;
  bridge: string;
  table: number;
  priority: number;
  cookie: string;
  file: string;
  line: number;
  /** The flow as dumped. */
  text: string;
  /** The fields that did not match: what the flow expects and what the frame has. */
  mismatches: Array<{ field: string; expected: string; actual: string }>;
  /**
   * The frame was never looked up in this table (a sibling tunnel table: GRE's 3 for a VXLAN drop in 4):
   * the flow shows what another path would have done, not what nearly matched.
   */
  notVisited?: true;
}

export interface DropExplanation {
  host: string;
  bridge: string;
  table?: number;
  reason: DropReason;
  /** For an unknown tunnel id: the ids the dropping table does map (hex, as ovs-ofctl prints tun_id). */
  tunnelIds?: string[];
  /** One sentence for people: "no flow in br-tun table 4 matches tun_id=0x65". */
  detail: string;
  /** The flow that dropped it, when a flow did (its dump file:line and cookie). */
  flow?: { file: string; line: number; cookie: string; text: string };
  nearMisses: NearMiss[];
  /** reason "security-group": the iptables table, chain and rule (as iptables-save prints it) that dropped it. */
  iptablesTable?: string;
  chain?: string;
  rule?: string;
  file?: string;
  line?: number;
  /** The Neutron port (its id, or the id prefix the device names carry) and the rules that nearly matched. */
  port?: string;
  firewallNearMisses?: Array<{ rule: string; file: string; line: number; failed: string[] }>;
}

export interface FrameVerdict {
  /** 1-based frame number in the capture. */
  frame: number;
  /** The best branch's kind (delivered over tunneled over controller over loop over dropped). */
  verdict: VerdictKind;
  /** Every end of the frame, in path order (empty for no-ingress). */
  branches: VerdictBranch[];
  /** Some branch was dropped (or looped) while another was delivered, tunneled or sent to the controller. */
  partial: boolean;
  /** The hops as a tree by fork (absent for no-ingress). */
  tree?: PathTree;
  /** One line: "delivered compute2:tap1a2b3c4d-5e", "dropped compute2 br-tun table 4 (unknown-tunnel-id)". */
  summary: string;
  /** Every hop of every branch, depth first (the tree flattened). */
  hops: Hop[];
  /** The first dropped branch's explanation (each branch carries its own in `branches`). */
  drop?: DropExplanation;
  /** The ofproto/trace of each host the frame crossed, in order. */
  traces: TraceResult[];
  /** Whether the answer came from the megaflow-style cache (no new translation). */
  cached: boolean;
}

/** Where one copy of the frame ended: every flood or tunnel fork is a branch of its own. */
export type BranchKind = Exclude<VerdictKind, "no-ingress">;

/**
 * One end of the frame's path. A new way to end (a firewall's drop, say) is a new BranchKind or a new
 * DropReason on `drop`: everything that counts branches (the drop summary, conversations, filters, exit
 * status) goes through `src/explain/branches.ts`.
 */
export interface VerdictBranch {
  kind: BranchKind;
  /** The host where this copy ended. */
  host: string;
  /** "compute1:qvo1a2b3c4d-5e", "dropped compute2 br-tun table 4 (unknown-tunnel-id)". */
  text: string;
  /** For a dropped (or looped) branch: where and why. */
  drop?: DropExplanation;
}

/** The path as a tree: the hops shared by every copy, then one fork per output of a flood or tunnel. */
export interface PathTree {
  hops: Hop[];
  forks: PathTree[];
}
