#!/usr/bin/env python3
"""Runs inside the recorder's network namespace (see record-firewall.sh): installs a Neutron-shaped
iptables_hybrid ruleset, sends each frame once, and records the kernel's verdict on it.

Outputs, in OUT: tap<id>.pcap / qvo<id>.pcap (both sides of each qbr bridge, as tcpdump would see them:
every frame sent or delivered there, in time order) and frames.json (per frame: where it was sent,
where it should arrive, whether the kernel delivered it, and the iptables-save lines whose packet
counters moved while it crossed). In WORK: the final iptables-save -c / ip6tables-save -c.
"""
import json
import queue
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time

OUT, WORK = sys.argv[1], sys.argv[2]
# "lab": four ports with every kind of group; "demo": the demo host's vm1 (SSH only) and vm2 (open).
MODE = sys.argv[3] if len(sys.argv) > 3 else "lab"

# The ports: Neutron names devices and chains after the first 11 / 10 characters of the port id. Roles:
# ssh (SSH and ICMP from a CIDR), remote (PostgreSQL from a remote group's ipset), stateless (CT
# --notrack, explicit rules both ways), off (port security disabled), open (everything in).
if MODE == "lab":
    PORTS = {
        "A": dict(id="5f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", mac="fa:16:3e:aa:bb:01", ip="10.0.0.5", ip6="fd00::5",
                  zone=4097, role="ssh", icmp_from="10.0.0.0/24"),
        "B": dict(id="7a2b3c4d-1111-4222-8333-944455556677", mac="fa:16:3e:aa:bb:02", ip="10.0.0.6", ip6="fd00::6",
                  zone=4098, role="remote"),
        "C": dict(id="9c0d1e2f-2222-4333-8444-a55566667788", mac="fa:16:3e:aa:bb:03", ip="10.0.0.8", ip6="fd00::8",
                  zone=None, role="stateless"),
        "D": dict(id="b1c2d3e4-3333-4444-8555-b66677778899", mac="fa:16:3e:aa:bb:04", ip="10.0.0.9", ip6="fd00::9",
                  zone=4100, role="off"),
    }
else:
    PORTS = {
        "A": dict(id="8c2d4e6f-1a3b-4c5d-9e7f-0123456789a1", mac="fa:16:3e:11:a1:01", ip="192.168.100.11",
                  ip6="fd00:100::11", zone=4097, role="ssh", icmp_from="192.168.100.0/24"),
        "B": dict(id="9d3e5f70-2b4c-4d6e-8f90-1234567890a2", mac="fa:16:3e:11:a1:02", ip="192.168.100.12",
                  ip6="fd00:100::12", zone=4098, role="open"),
        # The demo host's other VMs: open groups, so that every hybrid port has its chains.
        "C": dict(id="ae4f6071-3c5d-4e7f-9a01-2345678901b1", mac="fa:16:3e:11:b1:01", ip="192.168.200.11",
                  ip6="fd00:200::11", zone=4099, role="open"),
        "D": dict(id="bf507182-4d6e-4f80-ab12-3456789012a3", mac="fa:16:3e:11:a1:03", ip="192.168.100.13",
                  ip6="fd00:100::13", zone=4100, role="open"),
        "E": dict(id="c0618293-5e7f-4091-bc23-4567890123d1", mac="fa:16:3e:11:d0:01", ip="192.168.100.14",
                  ip6="fd00:100::14", zone=4101, role="open"),
    }
SG_PORTS = [p for p in PORTS if PORTS[p]["role"] != "off"]
OFF_PORTS = [p for p in PORTS if PORTS[p]["role"] == "off"]
SG_WEB = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
IPSET4 = ("NIPv4" + SG_WEB)[:29]
IPSET6 = ("NIPv6" + SG_WEB)[:29]
W = "neutron-openvswi-"


def dev(p):
    return PORTS[p]["id"][:11]


def ch(kind, p):
    return W + kind + PORTS[p]["id"][:10]


def lladdr(mac):
    b = bytes.fromhex(mac.replace(":", ""))
    eui = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:]
    return "fe80::" + ":".join(eui[i:i + 2].hex().lstrip("0") or "0" for i in range(0, 8, 2))


def ruleset(v6):
    """The filter and raw tables as Neutron's iptables firewall writes them (iptables-restore input)."""
    icmp = "-p ipv6-icmp -m icmp6 --icmpv6-type" if v6 else "-p icmp -m icmp --icmp-type"
    any_src = "::/0" if v6 else "0.0.0.0/0"
    f = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    chains = ["neutron-filter-top", W + "FORWARD", W + "INPUT", W + "OUTPUT", W + "local", W + "sg-chain", W + "sg-fallback"]
    for p in SG_PORTS:
        chains += [ch("i", p), ch("o", p), ch("s", p)]
    f += [f":{c} - [0:0]" for c in chains]
    r = [
        "-A INPUT -j neutron-filter-top",
        f"-A INPUT -j {W}INPUT",
        "-A FORWARD -j neutron-filter-top",
        f"-A FORWARD -j {W}FORWARD",
        "-A OUTPUT -j neutron-filter-top",
        f"-A OUTPUT -j {W}OUTPUT",
        f"-A neutron-filter-top -j {W}local",
    ]
    # Port D has port security off: everything to and from it is accepted before the SG chains.
    for p in OFF_PORTS:
        for d in ("out", "in"):
            r.append(f"-A {W}FORWARD -m physdev --physdev-{d} tap{dev(p)} --physdev-is-bridged "
                     f"-m comment --comment \"Accept all packets when port security is disabled.\" -j ACCEPT")
    for p in SG_PORTS:
        for d in ("out", "in"):
            r.append(f"-A {W}FORWARD -m physdev --physdev-{d} tap{dev(p)} --physdev-is-bridged -m comment "
                     f"--comment \"Direct traffic from the VM interface to the security group chain.\" -j {W}sg-chain")
    for p in SG_PORTS:
        r.append(f"-A {W}INPUT -m physdev --physdev-in tap{dev(p)} --physdev-is-bridged -m comment "
                 f"--comment \"Direct incoming traffic from VM to the security group chain.\" -j {ch('o', p)}")
    for p in SG_PORTS:
        r.append(f"-A {W}sg-chain -m physdev --physdev-out tap{dev(p)} --physdev-is-bridged "
                 f"-m comment --comment \"Jump to the VM specific chain.\" -j {ch('i', p)}")
        r.append(f"-A {W}sg-chain -m physdev --physdev-in tap{dev(p)} --physdev-is-bridged "
                 f"-m comment --comment \"Jump to the VM specific chain.\" -j {ch('o', p)}")
    r.append(f"-A {W}sg-chain -j ACCEPT")
    r.append(f"-A {W}sg-fallback -m comment --comment \"Default drop rule for unmatched traffic.\" -j DROP")
    known = ("-m state --state RELATED,ESTABLISHED -m comment --comment "
             "\"Direct packets associated with a known session to the RETURN chain.\" -j RETURN")
    invalid = ("-m state --state INVALID -m comment --comment \"Drop packets that appear related to an "
               "existing connection (e.g. TCP ACK/FIN) but do not have an entry in conntrack.\" -j DROP")
    fallback = f"-m comment --comment \"Send unmatched traffic to the fallback chain.\" -j {W}sg-fallback"
    for p in SG_PORTS:
        port = PORTS[p]
        i, o, s = ch("i", p), ch("o", p), ch("s", p)
        addr = port["ip6"] if v6 else port["ip"]
        stateful = port["zone"] is not None
        # Ingress.
        if stateful:
            r.append(f"-A {i} {known}")
        if v6:
            r.append(f"-A {i} -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j RETURN")
            for t in (135, 136):
                r.append(f"-A {i} -p ipv6-icmp -m icmp6 --icmpv6-type {t} -j RETURN")
        else:
            r.append(f"-A {i} -d {addr}/32 -p udp -m udp --sport 67 --dport 68 -j RETURN")
            r.append(f"-A {i} -d 255.255.255.255/32 -p udp -m udp --sport 67 --dport 68 -j RETURN")
        role = port["role"]
        if role == "ssh":
            r.append(f"-A {i} -p tcp -m tcp --dport 22 -j RETURN")
            if not v6:
                r.append(f"-A {i} -s {port['icmp_from']} -p icmp -j RETURN")
        if role == "open":
            r.append(f"-A {i} -j RETURN")
        if role == "remote":
            r.append(f"-A {i} -p tcp -m tcp --dport 5432 -m set --match-set {IPSET6 if v6 else IPSET4} src -j RETURN")
        if role == "stateless":
            r.append(f"-A {i} -p udp -m udp --dport 53 -j RETURN")
            r.append(f"-A {i} -p tcp -m tcp --sport 80 -j RETURN")
        if stateful:
            r.append(f"-A {i} {invalid}")
        r.append(f"-A {i} {fallback}")
        # Egress: DHCP first, then anti-spoofing, then the group's egress rules.
        if v6:
            for t in (131, 135, 143):
                r.append(f"-A {o} -s ::/128 -d ff02::/16 -p ipv6-icmp -m icmp6 --icmpv6-type {t} "
                         "-m comment --comment \"Allow IPv6 ICMP traffic.\" -j RETURN")
            r.append(f"-A {o} -s ::/128 -d ff02::1:2/128 -p udp -m udp --sport 546 --dport 547 "
                     "-m comment --comment \"Allow DHCP client traffic.\" -j RETURN")
        else:
            r.append(f"-A {o} -s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 "
                     "-m comment --comment \"Allow DHCP client traffic.\" -j RETURN")
        r.append(f"-A {o} -j {s}")
        if v6:
            r.append(f"-A {o} -p ipv6-icmp -m icmp6 --icmpv6-type 134 "
                     "-m comment --comment \"Drop IPv6 Router Advts from VM Instance.\" -j DROP")
            r.append(f"-A {o} -p ipv6-icmp -m comment --comment \"Allow IPv6 ICMP traffic.\" -j RETURN")
            r.append(f"-A {o} -p udp -m udp --sport 546 --dport 547 -m comment --comment \"Allow DHCP client traffic.\" -j RETURN")
            r.append(f"-A {o} -p udp -m udp --sport 547 --dport 546 -m comment --comment \"Prevent DHCP Spoofing by VM.\" -j DROP")
        else:
            r.append(f"-A {o} -p udp -m udp --sport 68 --dport 67 -m comment --comment \"Allow DHCP client traffic.\" -j RETURN")
            r.append(f"-A {o} -p udp -m udp --sport 67 --dport 68 -m comment --comment \"Prevent DHCP Spoofing by VM.\" -j DROP")
        if stateful:
            r.append(f"-A {o} {known}")
            r.append(f"-A {o} -j RETURN")
            r.append(f"-A {o} {invalid}")
        else:
            r.append(f"-A {o} -p udp -m udp --sport 53 -j RETURN")
            r.append(f"-A {o} -p tcp -m tcp --dport 80 -j RETURN")
        r.append(f"-A {o} {fallback}")
        mac = port["mac"].upper()
        srcs = [addr] + ([lladdr(port["mac"])] if v6 else [])
        for a in srcs:
            r.append(f"-A {s} -s {a}/{128 if v6 else 32} -m mac --mac-source {mac} "
                     "-m comment --comment \"Allow traffic from defined IP/MAC pairs.\" -j RETURN")
        r.append(f"-A {s} -m comment --comment \"Drop traffic without an IP/MAC allow rule.\" -j DROP")
    f += r + ["COMMIT"]
    raw = ["*raw", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", f":{W}OUTPUT - [0:0]", f":{W}PREROUTING - [0:0]",
           f"-A PREROUTING -j {W}PREROUTING", f"-A OUTPUT -j {W}OUTPUT"]
    for p in PORTS:
        port, d = PORTS[p], dev(p)
        what = f"-j CT --zone {port['zone']}" if port["zone"] else "-j CT --notrack"
        # Neutron names the port by its device (the whole port id) in both comments.
        cm = f"-m comment --comment \"Set zone for {port['id']}\"" if port["zone"] else \
            f"-m comment --comment \"Make {port['id']} stateless\""
        raw.append(f"-A {W}PREROUTING -m physdev --physdev-in qvb{d} {cm} {what}")
        raw.append(f"-A {W}PREROUTING -i qvb{d} {cm} {what}")
        raw.append(f"-A {W}PREROUTING -m physdev --physdev-in tap{d} {cm} {what}")
    raw.append("COMMIT")
    return "\n".join(f + raw) + "\n"


def sh(*args, stdin=None):
    return subprocess.run(args, input=stdin, check=True, capture_output=True, text=True).stdout


sh("ipset", "create", IPSET4, "hash:net", "family", "inet")
sh("ipset", "create", IPSET6, "hash:net", "family", "inet6")
for a in ("10.0.0.5", "10.0.0.7"):
    sh("ipset", "add", IPSET4, a)
sh("ipset", "add", IPSET6, "fd00::5")
sh("iptables-restore", stdin=ruleset(False))
sh("ip6tables-restore", stdin=ruleset(True))

# ---- the kernel's rule trace ----------------------------------------------------------------------------
# A chain hooked before raw PREROUTING (priority -300) sets nftrace on every frame; br_netfilter runs the
# ip/ip6 hooks for bridged frames, so `nft monitor trace` reports each rule a frame matched (its verdict:
# continue, jump, return, accept, drop) and each built-in chain's policy, in the kernel's order. The
# table is removed before anything is listed: the rules' handles stay as they are.
TRACE_TABLE = "ovspath_trace"
sh("nft", "-f", "-", stdin=f"table inet {TRACE_TABLE} {{\n chain pre {{\n  type filter hook prerouting priority -350\n"
                            "  meta nftrace set 1\n }\n}\n")
monitor = subprocess.Popen(["nft", "-a", "monitor", "trace"], stdout=subprocess.PIPE, text=True, bufsize=1)
trace_lines = queue.Queue()
threading.Thread(target=lambda: [trace_lines.put(l.rstrip("\n")) for l in monitor.stdout], daemon=True).start()
time.sleep(0.3)


def take_trace():
    """The trace lines that arrived for the frame just sent (the monitor goes quiet after it)."""
    got = []
    while True:
        try:
            got.append(trace_lines.get(timeout=0.1))
        except queue.Empty:
            return got


TRACE_RE = re.compile(r"^trace id (\w+) (ip6?|inet) (\S+) (\S+) (?:rule .* # handle (\d+) \(verdict ([^)]*)\)"
                      r"|policy (\w+)|verdict (\w+)|packet: .*)\s*$")


def parse_trace(lines):
    """The kernel's trace events of one frame: (trace id, family, table, chain, handle or None, verdict)."""
    events = []
    for line in lines:
        m = TRACE_RE.match(line)
        if not m:
            raise SystemExit(f"unexpected nft trace line: {line}")
        tid, fam, table, chain, handle, rule_verdict, policy, chain_verdict = m.groups()
        if table == TRACE_TABLE or (handle is None and policy is None and chain_verdict is None):
            continue  # our own trace chain, and the "packet:" header of each chain
        verdict = rule_verdict or (f"policy {policy}" if policy else chain_verdict)
        events.append((tid, "ipv6" if fam == "ip6" else "ipv4", table, chain, handle, verdict))
    return events


# ---- frames -------------------------------------------------------------------------------------------
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(m):
    return bytes.fromhex(m.replace(":", ""))


def ip4(a):
    return socket.inet_pton(socket.AF_INET, a)


def ip6(a):
    return socket.inet_pton(socket.AF_INET6, a)


def l4(proto, src, dst, sport=0, dport=0, flags="S", itype=8, icode=0, v6=False, seq=1000, ack=0):
    if proto == "tcp":
        fl = sum({"F": 1, "S": 2, "R": 4, "P": 8, "A": 16}[c] for c in flags)
        h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, fl, 64240, 0, 0)
        n = 6
    elif proto == "udp":
        h = struct.pack("!HHHH", sport, dport, 8 + 4, 0) + b"ping"
        n = 17
    else:
        h = struct.pack("!BBHHH", itype, icode, 0, 7, 1) + b"ping"
        n = 58 if v6 else 1
    if v6:
        pseudo = ip6(src) + ip6(dst) + struct.pack("!IxxxB", len(h), n)
    else:
        pseudo = ip4(src) + ip4(dst) + struct.pack("!xBH", n, len(h))
    c = csum((pseudo if (proto != "icmp" or v6) else b"") + h)
    off = {"tcp": 16, "udp": 6}.get(proto, 2)
    return n, h[:off] + struct.pack("!H", c) + h[off + 2:]


def frame(smac, dmac, proto, src, dst, **kw):
    v6 = ":" in src
    n, payload = l4(proto, src, dst, v6=v6, **kw)
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(payload), n, 255 if proto == "icmp" else 64) + ip6(src) + ip6(dst)
        return mac(dmac) + mac(smac) + b"\x86\xdd" + ip + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, n, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return mac(dmac) + mac(smac) + b"\x08\x00" + hdr + payload


def arp(smac, sip, tip):
    body = struct.pack("!HHBBH", 1, 0x800, 6, 4, 1) + mac(smac) + ip4(sip) + b"\0" * 6 + ip4(tip)
    return mac("ff:ff:ff:ff:ff:ff") + mac(smac) + b"\x08\x06" + body


CLIENT = "fa:16:3e:00:00:64"
A = PORTS["A"]


def to(p, proto, src, **kw):
    """A frame br-int delivers toward port p's VM (ingress: sent at qvo, expected at the VM)."""
    dst = kw.pop("dst", PORTS[p]["ip6"] if ":" in src else PORTS[p]["ip"])
    return ("in", p, frame(kw.pop("smac", CLIENT), PORTS[p]["mac"], proto, src, dst, **kw))


def fro(p, proto, dst, **kw):
    """A frame port p's VM sends (egress: sent at the VM end of the tap, expected at qvo)."""
    src = kw.pop("src", PORTS[p]["ip6"] if ":" in dst else PORTS[p]["ip"])
    return ("out", p, frame(kw.pop("smac", PORTS[p]["mac"]), kw.pop("dmac", CLIENT), proto, src, dst, **kw))


def across(a, b, proto, **kw):
    """A frame port a's VM sends to port b's VM through both bridges (br-int is a Linux bridge here)."""
    pa, pb = PORTS[a], PORTS[b]
    return ("across", (a, b), frame(pa["mac"], pb["mac"], proto, pa["ip"], pb["ip"], **kw))


DEMO_FRAMES = [
    ("vm2 opens SSH to vm1", across("B", "A", "tcp", sport=50022, dport=22, flags="S")),
    ("vm2 tries HTTP on vm1", across("B", "A", "tcp", sport=50080, dport=80, flags="S")),
    ("vm2 pings vm1", across("B", "A", "icmp", itype=8)),
    ("vm2 tries HTTP on vm1 again", across("B", "A", "tcp", sport=50081, dport=80, flags="S")),
]

LAB_FRAMES = [
    ("ssh handshake: SYN to an SSH-allowed port", to("A", "tcp", "10.0.0.100", sport=40000, dport=22, flags="S")),
    ("ssh handshake: the VM's SYN/ACK", fro("A", "tcp", "10.0.0.100", sport=22, dport=40000, flags="SA", seq=5000, ack=1001)),
    ("ssh handshake: the client's ACK", to("A", "tcp", "10.0.0.100", sport=40000, dport=22, flags="A", seq=1001, ack=5001)),
    ("HTTP to an SSH-only port", to("A", "tcp", "10.0.0.100", sport=40010, dport=80, flags="S")),
    ("lone ACK to port 22 (NEW with tcp_loose)", to("A", "tcp", "10.0.0.102", sport=40020, dport=22, flags="A", seq=7, ack=9)),
    ("lone ACK to port 80", to("A", "tcp", "10.0.0.102", sport=40021, dport=80, flags="A", seq=7, ack=9)),
    ("lone SYN/ACK (INVALID)", to("A", "tcp", "10.0.0.103", sport=22, dport=40002, flags="SA", seq=7, ack=9)),
    ("lone FIN/ACK (INVALID)", to("A", "tcp", "10.0.0.104", sport=40003, dport=22, flags="FA", seq=7, ack=9)),
    ("spoofed source address from the VM", fro("A", "tcp", "10.0.0.100", src="10.0.0.99", sport=22, dport=40000, flags="S")),
    ("spoofed source MAC from the VM", fro("A", "tcp", "10.0.0.100", smac="fa:16:3e:aa:bb:99", sport=22, dport=40000, flags="S")),
    ("ping from a CIDR the group allows", to("A", "icmp", "10.0.0.100", itype=8)),
    ("the VM's echo reply", fro("A", "icmp", "10.0.0.100", itype=0)),
    ("ping from outside the allowed CIDR", to("A", "icmp", "192.168.1.1", itype=8)),
    ("DHCP discover from the VM", fro("A", "udp", "255.255.255.255", src="0.0.0.0", dmac="ff:ff:ff:ff:ff:ff", sport=68, dport=67)),
    ("DHCP offer sent by the VM (spoofing)", fro("A", "udp", "10.0.0.100", sport=67, dport=68)),
    ("DHCP offer to the VM", to("A", "udp", "10.0.0.2", sport=67, dport=68)),
    ("ARP request from the VM (not IP)", ("out", "A", arp(A["mac"], A["ip"], "10.0.0.100"))),
    ("IPv6 neighbour solicitation to the VM", to("A", "icmp", "fe80::1", dst="fd00::5", itype=135)),
    ("IPv6 neighbour advertisement from the VM", fro("A", "icmp", "fe80::1", src="fd00::5", itype=136)),
    ("IPv6 router advertisement from the VM", fro("A", "icmp", "ff02::1", src=lladdr(A["mac"]), dmac="33:33:00:00:00:01", itype=134)),
    ("IPv6 SSH SYN to the VM", to("A", "tcp", "fd00::100", sport=41000, dport=22, flags="S")),
    ("IPv6 HTTP SYN to the VM", to("A", "tcp", "fd00::100", sport=41001, dport=80, flags="S")),
    ("IPv6 spoofed source from the VM", fro("A", "tcp", "fd00::100", src="fd00::99", sport=22, dport=41000, flags="S")),
    ("postgres from a remote-group member", to("B", "tcp", "10.0.0.5", sport=42000, dport=5432, flags="S")),
    ("postgres from another remote-group member", to("B", "tcp", "10.0.0.7", sport=42001, dport=5432, flags="S")),
    ("postgres from a non-member", to("B", "tcp", "10.0.0.100", sport=42002, dport=5432, flags="S")),
    ("IPv6 postgres from a remote-group member", to("B", "tcp", "fd00::5", sport=42003, dport=5432, flags="S")),
    ("the db VM replies to a member", fro("B", "tcp", "10.0.0.5", sport=5432, dport=42000, flags="SA", seq=5, ack=1001)),
    ("stateless port: DNS query in", to("C", "udp", "10.0.0.100", sport=5353, dport=53)),
    ("stateless port: DNS answer out", fro("C", "udp", "10.0.0.100", sport=53, dport=5353)),
    ("stateless port: UDP to port 54", to("C", "udp", "10.0.0.100", sport=5353, dport=54)),
    ("stateless port: HTTP request out", fro("C", "tcp", "10.0.0.100", sport=43000, dport=80, flags="S")),
    ("stateless port: HTTP reply in", to("C", "tcp", "10.0.0.100", sport=80, dport=43000, flags="SA", seq=1, ack=1001)),
    ("stateless port: SSH out (no egress rule)", fro("C", "tcp", "10.0.0.100", sport=43001, dport=22, flags="S")),
    ("port security off: HTTP in", to("D", "tcp", "10.0.0.100", sport=44000, dport=80, flags="S")),
    ("port security off: spoofed source out", fro("D", "tcp", "10.0.0.100", src="10.9.9.9", sport=80, dport=44000, flags="SA")),
] if MODE == "lab" else []
FRAMES = LAB_FRAMES if MODE == "lab" else DEMO_FRAMES


def ends(direction, p):
    """Where a frame is sent and where it should arrive: the VM end of a tap, or a qvo."""
    if direction == "out":
        return f"vm{dev(p)}", f"qvo{dev(p)}", p
    if direction == "in":
        return f"qvo{dev(p)}", f"vm{dev(p)}", p
    return f"vm{dev(p[0])}", f"vm{dev(p[1])}", p[0]


# ---- sending, capturing, counting ---------------------------------------------------------------------
def counters():
    """(family, table, chain, index in chain or -1 for the policy) → packets, from iptables-save -c."""
    out = {}
    for fam, cmd in (("ipv4", "iptables-save"), ("ipv6", "ip6tables-save")):
        table, seen = "", {}
        for line in sh(cmd, "-c").splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith(":"):
                name, _, rest = line[1:].partition(" ")
                if not rest.startswith("-"):
                    out[(fam, table, name, -1)] = int(rest.split("[")[1].split(":")[0])
            elif line.startswith("["):
                pk = int(line[1:].split(":")[0])
                chain = line.split(" -A ")[1].split(" ")[0]
                n = seen.get((table, chain), 0)
                seen[(table, chain)] = n + 1
                out[(fam, table, chain, n)] = pk
    return out


devs = [f"{side}{dev(p)}" for p in PORTS for side in ("vm", "qvo")]


def packet_socket(d):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((d, 0))
    return s


# Separate sockets to send and to capture: a packet socket does not see the frames it sends itself.
socks = {d: packet_socket(d) for d in devs}
senders = {d: packet_socket(d) for d in devs}
captured = {d: [] for d in devs}


def drain(wait):
    got = []
    end = time.time() + wait
    while True:
        r, _, _ = select.select(list(socks.values()), [], [], max(0, end - time.time()))
        if not r:
            return got
        for d, s in socks.items():
            if s in r:
                data, addr = s.recvfrom(65535)
                captured[d].append((time.time(), data, addr[2]))
                got.append((d, addr[2], data))


drain(0.3)
for d in captured:
    captured[d].clear()
records = []
for n, (what, (direction, p, data)) in enumerate(FRAMES, 1):
    sent_on, want_on, p = ends(direction, p)
    before = counters()
    t = time.time()
    senders[sent_on].send(data)
    got = drain(0.15)
    traced = parse_trace(take_trace())
    after = counters()
    delivered = any(d == want_on and kind != socket.PACKET_OUTGOING and b == data for d, kind, b in got)
    moved = [dict(family=k[0], table=k[1], chain=k[2], index=k[3], packets=after[k] - before.get(k, 0))
             for k in after if after[k] != before.get(k, 0)]
    records.append(dict(frame=n, what=what, direction="ingress" if direction == "in" else "egress",
                        port=PORTS[p]["id"], sentOn=sent_on.replace("vm", "tap", 1) if direction != "in" else sent_on,
                        expectedOn=want_on.replace("vm", "tap", 1),
                        time=round(t, 6), delivered=delivered, moved=moved, trace=traced))


sh("nft", "delete", "table", "inet", TRACE_TABLE)
monitor.terminate()


def rule_positions():
    """(family, table, handle) → (chain, index in chain), from nft's listing of the iptables-nft tables."""
    out, fam, table, chain, n = {}, "", "", "", 0
    for line in sh("nft", "-a", "list", "ruleset").splitlines():
        w = line.split()
        if w[:1] == ["table"]:
            fam, table = ("ipv6" if w[1] == "ip6" else "ipv4"), w[2]
        elif w[:1] == ["chain"]:
            chain, n = w[1], 0
        elif "# handle " in line and not line.rstrip().endswith("{"):
            if w[0] == "type":
                continue
            out[(fam, table, line.rsplit("# handle ", 1)[1].strip())] = (chain, n)
            n += 1
    return out


# Each trace event named by the rule it is (chain and index, as iptables-save numbers rules; -1 for a
# chain's policy or end), with nft's handle kept as the evidence.
positions = rule_positions()
for r in records:
    steps = []
    for tid, fam, table, chain, handle, verdict in r["trace"]:
        index = -1
        if handle is not None:
            at, index = positions[(fam, table, handle)]
            assert at == chain, (at, chain)
        steps.append(dict(id=tid, family=fam, table=table, chain=chain, index=index, handle=handle and int(handle),
                          verdict=verdict))
    r["trace"] = steps


def file_of(d):
    return (d.replace("vm", "tap", 1) if d.startswith("vm") else d) + ".pcap"


captured_all = {d: sorted(v, key=lambda x: x[0]) for d, v in captured.items()}
# Where each sent frame is in its capture (the Wireshark frame number), for the tests to replay it.
for r, (_, (direction, p, data)) in zip(records, FRAMES):
    d = ends(direction, p)[0]
    r["capture"] = file_of(d)
    r["captureFrame"] = next(i for i, (ts, b, kind) in enumerate(captured_all[d], 1)
                             if kind == socket.PACKET_OUTGOING and b == data and ts >= r["time"] - 0.001)
for d, frames in captured_all.items():
    with open(f"{OUT}/{file_of(d)}", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, b, _ in frames:
            f.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(b), len(b)) + b)
with open(f"{OUT}/frames.json", "w") as f:
    json.dump(records, f, indent=1)
    f.write("\n")
with open(f"{WORK}/iptables-save", "w") as f:
    f.write(sh("iptables-save", "-c"))
with open(f"{WORK}/ip6tables-save", "w") as f:
    f.write(sh("ip6tables-save", "-c"))
print(f"{len(records)} frames, {sum(r['delivered'] for r in records)} delivered")
