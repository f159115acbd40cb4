import type { Command } from "@commander-js/extra-typings";

/**
 * The examples each verb's --help ends with: [command line, what it does]. Kept in one table (not in
 * each verb's module) so that a test can check every option they use exists, and every verb has some.
 */
export const EXAMPLES: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  decode: [
    ["ovspath decode vm1.pcap", "one line per frame, tunnels decoded outer → inner"],
    ["ovspath decode -V --count 1 --from 12 vm1.pcap", "the layer tree of frame 12, like tshark -V"],
    ["ovspath decode --filter 'vxlan.vni == 100 && icmp' underlay.pcapng", "only matching frames"],
    ["ovspath decode --vxlan-port 4790 --jsonl underlay.pcap", "JSON Lines, UDP 4790 read as VXLAN"],
  ],
  demo: [
    ["ovspath demo", "the TUI on the bundled Neutron host and capture (text when not on a terminal)"],
    ["ovspath demo --text", "the text report: topology, replay, decode, then the OVN pair"],
    ["ovspath demo --ovn", "the TUI on the OVN pair: an HTTP frame dropped on hv2, named by its ACL"],
  ],
  flows: [
    ["ovspath flows sosreport-compute1/", "every bridge's flows, table by table"],
    ["ovspath flows --bridge br-tun --table 4 sosreport-compute1.tar.xz", "one table of one bridge"],
    ["ovspath flows --filter 'tun_id=0x64' sosreport-compute1/", "the flows a packet of VNI 100 could match"],
    ["ovspath flows --filter 'n_packets > 0 && table == 0' --json dumps/", "a display filter, as JSON"],
  ],
  replay: [
    ["ovspath replay vm1.pcap sosreport-compute1/", "where each frame went, and why each drop happened"],
    [
      "ovspath replay --at compute1:qvo1a2b3c4d-5e vm1.pcap sosreport-compute1/ sosreport-compute2/",
      "frames entering at a VM port, followed across the tunnel to the second host",
    ],
    ["ovspath replay --filter 'drop' -v vm1.pcap sosreport-compute1/", "only the drops, each explained"],
    ["ovspath replay --json --frames 1-100 vm1.pcap sosreport-compute1.tar.xz", "the first 100, as JSON"],
    [
      "ovspath replay --threads 1 big.pcap sosreport-compute1/ > out.txt",
      "a big capture on one core (from 32 MB a second one decodes, where there is one)",
    ],
  ],
  show: [
    ["ovspath show sosreport-compute1/", "bridges, ports, flows per table, and any unparsed line"],
    ["ovspath show --json sosreport-compute1.tar.xz", "the same as JSON"],
  ],
  topo: [
    ["ovspath topo sosreport-compute1/ sosreport-network/", "every VM's path, hosts stitched by tunnels"],
    ["ovspath topo --vm fa:16:3e:11:a1:01 sosreport-compute1/", "one VM's path (by MAC, IP, port or uuid)"],
    ["ovspath topo --dot sosreports/ | dot -Tsvg > topo.svg", "a diagram of a directory of hosts"],
  ],
  trace: [
    [
      "ovspath trace sosreport-compute1/ br-int 'in_port=qvo1a2b3c4d-5e,icmp,nw_dst=10.0.0.6'",
      "ofproto/trace of a flow, from the dumps",
    ],
    [
      "ovspath trace --frame vm1.pcap#3 sosreport-compute1/ br-int in_port=qvo1a2b3c4d-5e",
      "the packet of frame 3 of a capture",
    ],
    [
      "ovspath trace --ct-next trk,est --json sosreport-compute1/ br-int 'in_port=1,tcp,tp_dst=22'",
      "after conntrack says established, as JSON",
    ],
  ],
  tui: [
    ["ovspath tui vm1.pcap sosreport-compute1/", "browse the frames, each with its path and trace"],
    ["ovspath tui --at compute1:qvo1a2b3c4d-5e vm1.pcap sosreport-compute1/", "frames entering at a port"],
    ["ovspath tui sosreport-compute1.tar.xz", "the host's flows only"],
    [
      "ovspath tui vm1.pcap sosreports/ --ovn sosreport-central/",
      "an OVN chassis: logical flows, ACLs and logical ports in the path and trace panes",
    ],
  ],
  completion: [
    ["source <(ovspath completion bash)", "completion in this bash session"],
    [
      "ovspath completion bash > ~/.local/share/bash-completion/completions/ovspath",
      "for every bash session",
    ],
    [
      "ovspath completion zsh > ~/.zfunc/_ovspath",
      "for zsh, with fpath+=(~/.zfunc) before compinit in ~/.zshrc",
    ],
  ],
};

/** The "Examples:" block of one verb's help, aligned, or "" for a verb without any. */
export function examplesHelp(verb: string): string {
  const rows = EXAMPLES[verb] ?? [];
  if (rows.length === 0) return "";
  return `\nExamples:\n${rows.map(([line, what]) => `  $ ${line}\n      ${what}`).join("\n")}\n`;
}

/** Appends each registered verb's examples to its --help. */
export function addExamples(program: Command): void {
  for (const cmd of program.commands) {
    const text = examplesHelp(cmd.name());
    if (text !== "") cmd.addHelpText("after", text);
  }
}
