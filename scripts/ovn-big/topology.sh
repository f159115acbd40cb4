# A big OVN chassis for the bench (scripts/bench/ovn.ts), a topology file for the OVN lab builder
# (build-ovn-lab --topology), run by scripts/record-ovn-big.sh: SWITCHES logical switches behind one
# router, each with two VMs on hv1 and one on hv2; Neutron-style security groups (the drop group, an
# allow group) and ADDRESSES addresses in each of SETS address sets allowed by an ACL each, so that
# ovn-controller compiles tens of thousands of OpenFlow flows on hv1's br-int (every local switch gets
# its copy of each address set's flows). The builder defines nb, ptrace, otrace, inject, lsp_mac...;
# TIMING (set by the recorder) is where the timings of the scripted ofproto/trace and ovn-detrace go.
SWITCHES=${OVN_BIG_SWITCHES:-50}
SETS=${OVN_BIG_SETS:-2}
ADDRESSES=${OVN_BIG_ADDRESSES:-160}
CHASSIS="hv1:192.168.0.11 hv2:192.168.0.12"
UNDERLAY_PREFIX=24
VMS=""
for i in $(seq "$SWITCHES"); do VMS="$VMS hv1:vm${i}a hv1:vm${i}b hv2:vm${i}c"; done

big_mac() { printf 'fa:16:3e:%02x:%02x:%02x' $(($1 / 256)) $(($1 % 256)) "$2"; }

topology() {
  local c=(--may-exist lr-add lr0) i v ip mac all=""
  for i in $(seq "$SWITCHES"); do
    c+=(-- ls-add "ls$i" -- set logical_switch "ls$i" "other_config:subnet=10.1.$i.0/24")
    c+=(-- lrp-add lr0 "lr0-ls$i" "$(big_mac "$i" 1)" "10.1.$i.1/24")
    c+=(-- lsp-add "ls$i" "ls$i-lr0" -- lsp-set-type "ls$i-lr0" router -- lsp-set-addresses "ls$i-lr0" router
        -- lsp-set-options "ls$i-lr0" "router-port=lr0-ls$i")
    for v in a:11 b:12 c:13; do
      mac=$(big_mac "$i" "${v#*:}") ip="10.1.$i.${v#*:}"
      c+=(-- lsp-add "ls$i" "vm$i${v%%:*}" -- lsp-set-addresses "vm$i${v%%:*}" "$mac $ip"
          -- lsp-set-port-security "vm$i${v%%:*}" "$mac $ip")
      all="$all vm$i${v%%:*}"
    done
  done
  nb "${c[@]}"
  # shellcheck disable=SC2086 # the port names hold no spaces
  nb pg-add pg_drop $all -- pg-add pg_web $all
  local s j addrs
  for s in $(seq "$SETS"); do
    addrs=""
    for j in $(seq "$ADDRESSES"); do addrs="$addrs\"172.$((15 + s)).$((j / 250)).$((j % 250 + 1))\","; done
    nb create Address_Set "name=as_big$s" "addresses=[${addrs%,}]" >/dev/null
  done
  nb acl-add pg_drop from-lport 1001 'inport == @pg_drop && ip' drop
  nb acl-add pg_drop to-lport 1001 'outport == @pg_drop && ip' drop
  nb acl-add pg_web from-lport 1002 'inport == @pg_web && ip4' allow-related
  nb acl-add pg_web to-lport 1002 'outport == @pg_web && ip4 && ip4.src == $pg_web_ip4' allow-related
  nb acl-add pg_web to-lport 1002 'outport == @pg_web && ip4 && icmp4' allow-related
  for s in $(seq "$SETS"); do
    nb acl-add pg_web to-lport 1002 "outport == @pg_web && ip4 && ip4.src == \$as_big$s && tcp && tcp.dst == $((8000 + s))" allow-related
  done
}

# One case: the scripted ofproto/trace and ovn-detrace timed apart (milliseconds, wall clock), then
# recorded by the builder's ptrace (the trace and its detrace, as for every lab).
big_trace() { # HOST CATEGORY DESCRIPTION FLOW
  local h=$1 t0 t1 t2 f
  f=$(mktemp)
  t0=$(date +%s%N)
  appctl "$h" ofproto/trace br-int "$4" > "$f" 2>&1
  t1=$(date +%s%N)
  ovn-detrace --ovnsb="unix:$lab/central/ovnsb_db.sock" --ovnnb="unix:$lab/central/ovnnb_db.sock" \
    --ovsdb="unix:$lab/$h/db.sock" < "$f" > /dev/null 2>&1
  t2=$(date +%s%N)
  rm -f "$f"
  ptrace "$h" "$2" "$3" br-int "$4"
  printf '%03d-%s.txt\t%d\t%d\n' "$ntr" "$h" $(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000)) >> "$TIMING"
}

traces() {
  printf 'file\tofproto/trace ms\tovn-detrace ms\n' > "$TIMING"
  local i n=0 a b c eth
  for i in 1 7 13 19 25 31 37 43 49 "$SWITCHES"; do
    [ "$i" -le "$SWITCHES" ] || continue
    n=$((n + 1)); [ $n -le 10 ] || break
    a=$(lsp_mac "vm${i}a") b=$(lsp_mac "vm${i}b") c=$(lsp_mac "vm${i}c")
    eth="in_port=vm${i}a,dl_src=$a"
    big_trace hv1 same-switch "vm${i}a -> vm${i}b ICMP echo on ls$i, same chassis" \
      "$eth,dl_dst=$b,icmp,nw_src=10.1.$i.11,nw_dst=10.1.$i.12,nw_ttl=64,icmp_type=8,icmp_code=0"
    big_trace hv1 cross-chassis "vm${i}a -> vm${i}c TCP 80 SYN on ls$i, to hv2 over Geneve" \
      "$eth,dl_dst=$c,tcp,nw_src=10.1.$i.11,nw_dst=10.1.$i.13,nw_ttl=64,tp_src=40000,tp_dst=80,tcp_flags=0x002"
  done
  # Arriving over Geneve from hv2: address-set ACLs (allowed from as_big1, dropped from elsewhere).
  i=1 a=$(lsp_mac vm1a) c=$(lsp_mac vm1c)
  big_trace hv1 acl-allow "172.16.0.5 (in as_big1) -> vm1a TCP 8001 via hv2: allowed by the address set ACL" \
    "$(tun_in hv1 hv2 ls1 vm1c vm1a),dl_src=$c,dl_dst=$a,tcp,nw_src=172.16.0.5,nw_dst=10.1.1.11,nw_ttl=64,tp_src=40001,tp_dst=8001,tcp_flags=0x002"
  big_trace hv1 acl-drop "172.31.0.5 (in no set) -> vm1a TCP 8001 via hv2: dropped by pg_drop" \
    "$(tun_in hv1 hv2 ls1 vm1c vm1a),dl_src=$c,dl_dst=$a,tcp,nw_src=172.31.0.5,nw_dst=10.1.1.11,nw_ttl=64,tp_src=40002,tp_dst=8001,tcp_flags=0x002"
}

traffic() { # frames from vm1a: its rx pcap on hv1 is the bench's replay capture
  local a b c ip
  a=$(lsp_mac vm1a) b=$(lsp_mac vm1b) c=$(lsp_mac vm1c)
  ip="eth_type(0x0800),ipv4(src=10.1.1.11"
  inject hv1 vm1a "eth(src=$a,dst=$b),$ip,dst=10.1.1.12,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"
  inject hv1 vm1a "eth(src=$a,dst=$c),$ip,dst=10.1.1.13,proto=6,tos=0,ttl=64,frag=no),tcp(src=40000,dst=80),tcp_flags(syn)"
  inject hv1 vm1a "eth(src=$a,dst=$b),$ip,dst=10.1.1.12,proto=17,tos=0,ttl=64,frag=no),udp(src=5000,dst=53)"
}
