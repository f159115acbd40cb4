/** Tunnel facts the topology and the pipeline share. */

/** The UDP port a tunnel type uses unless `options:dst_port` says otherwise (names its shared vport). */
export const TUNNEL_UDP_PORT: Readonly<Record<string, number>> = {
  vxlan: 4789,
  geneve: 6081,
  stt: 7471,
  gtpu: 2152,
};
