/**
 * The path record the replay makes as a frame crosses ports, bridges and hosts; the explain stage and
 * the presenters read it.
 */

/** One hop of a frame's path: a port it entered or left, on a bridge (OVS or Linux) of a host. */
export interface Hop {
  host: string;
  /** The bridge ("br-int", "qbr1a2b3c4d-5e"); absent for a hop outside any bridge (the VM, the wire). */
  bridge?: string;
  port: string;
  kind: "in" | "out" | "patch" | "tunnel-out" | "tunnel-in" | "veth" | "drop" | "firewall";
  /** The local VLAN on br-int, the VNI/key in a tunnel: what identifies the network at this hop. */
  segment?: string;
  /** kind "firewall": the chain that decided and the verdict (ACCEPT, DROP, REJECT, depends, undecidable). */
  chain?: string;
  verdict?: string;
}
