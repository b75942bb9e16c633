#!/bin/bash
# Firewall truth: rulesets written by the real managers, and real packets through them.
#
#   tests/lab/firewall.sh capture OUTDIR [SCENARIO…]
#
# For each scenario: a host namespace (fwp-h) and a client namespace (fwp-c) joined by a veth
# pair; the scenario's firewall manager (ufw, firewalld, ferm, iptables-legacy-restore, nft -f)
# runs inside the host namespace with a private /etc (so nothing touches this machine's
# configuration or rules); then OUTDIR/SCENARIO/ receives what capdo's collector would read
# (`nft -j list ruleset`, iptables-nft-save, ip6tables-nft-save, the legacy saves, `ipset save`,
# each with its exit status) and `packets.tsv`: a real TCP connect from each client source to
# each listening port over IPv4 and IPv6, with the kernel's answer (accept: connected; drop: no
# answer within the wait; reject: refused or unreachable).
#
# Needs root, python3, nft, iptables, and the managers' Debian packages (ufw, firewalld, ferm,
# ipset, fail2ban: see tests/lab/packages.tsv). One run at a time (fixed namespace names; a lock).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${2:?usage: firewall.sh capture OUTDIR [SCENARIO…]}
[ "${1:-}" = capture ] || { echo "usage: firewall.sh capture OUTDIR [SCENARIO…]" >&2; exit 2; }
shift 2
ALL="ufw-deny ufw-allow ufw-fail2ban firewalld ferm rhel7-legacy nft-l4proto-set nft-workstation none docker-style"
SCENARIOS=${*:-$ALL}

H=fwp-h
C=fwp-c
HOST4=10.231.0.10
HOST6=fd00:231::10
# Sources: the management zone (declared), an undeclared address in the lab network, the
# controller, and an address in no declared network.
SRC4="10.231.9.5 10.231.5.7 10.231.0.1 203.0.113.9"
SRC6="fd00:231:9::5 fd00:231:5::7 fd00:231::1 2001:db8:ff::9"
PORTS="22 80 443 2222 3306 5432 8080 9100 40000"

exec 9>/run/capdo-firewall-lab.lock
flock -n 9 || { echo "firewall.sh: another run holds /run/capdo-firewall-lab.lock" >&2; exit 2; }

teardown() {
    set +e
    for ns in $H $C; do
        if ip netns list | grep -qw "$ns"; then
            for p in $(ip netns pids "$ns"); do kill -9 "$p"; done
            ip netns del "$ns"
        fi
    done
}
trap teardown EXIT

up() {
    teardown
    set -e
    ip netns add $H
    ip netns add $C
    ip link add fwp0 type veth peer name fwp1
    ip link set fwp0 netns $H name eth0
    ip link set fwp1 netns $C name eth0
    ip -n $H link set lo up
    ip -n $C link set lo up
    ip -n $H addr add $HOST4/16 dev eth0
    ip -n $H addr add $HOST6/64 dev eth0 nodad
    for a in $SRC4; do ip -n $C addr add "$a/32" dev eth0; done
    for a in $SRC6; do ip -n $C addr add "$a/128" dev eth0 nodad; done
    ip -n $H link set eth0 up
    ip -n $C link set eth0 up
    ip -n $H route add default dev eth0
    # Rejects answer with ICMP errors, which the kernel rate-limits: a burst of probes would see
    # some rejects as drops.
    ip netns exec $H sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000
    ip -n $H -6 route add default dev eth0
    ip -n $C route add default dev eth0
    ip -n $C -6 route add default dev eth0
}

# Run a command in the host namespace with a private copy of /etc and tmpfs /run, /var/log.
in_host() {
    ip netns exec $H unshare -m --propagation private sh -c '
        set -e
        mount -t tmpfs capdo-fw /mnt
        cp -a /etc /mnt/etc
        mount --bind /mnt/etc /etc
        mount -t tmpfs capdo-fw-run /run
        mount -t tmpfs capdo-fw-log /var/log
        mkdir -p /run/lock
        '"$1"
}

scenario() {
    case $1 in
    ufw-deny)
        in_host '
            ufw --force reset >/dev/null
            ufw default deny incoming >/dev/null
            ufw allow from 10.231.9.0/24 to any port 22 proto tcp >/dev/null
            ufw allow from fd00:231:9::/64 to any port 22 proto tcp >/dev/null
            ufw allow 80/tcp >/dev/null
            ufw allow 443 >/dev/null
            ufw allow from 10.231.5.0/24 to any port 5432 proto tcp >/dev/null
            ufw deny from 10.231.5.7 to any port 80 proto tcp >/dev/null
            ufw insert 1 deny from 10.231.5.7 to any port 80 proto tcp >/dev/null 2>&1 || true
            ufw --force enable >/dev/null'
        ;;
    ufw-allow)
        in_host '
            ufw --force reset >/dev/null
            ufw default allow incoming >/dev/null
            ufw deny 5432/tcp >/dev/null
            ufw deny from 203.0.113.0/24 >/dev/null
            ufw --force enable >/dev/null'
        ;;
    ufw-fail2ban)
        in_host '
            ufw --force reset >/dev/null
            ufw default deny incoming >/dev/null
            ufw allow 22/tcp >/dev/null
            ufw allow 80/tcp >/dev/null
            ufw --force enable >/dev/null
            mkdir -p /run/fail2ban /etc/fail2ban/jail.d
            : > /var/log/auth.log
            printf "[DEFAULT]\nbanaction = iptables-multiport\nbanaction_allports = iptables-allports\nbackend = polling\n[sshd]\nenabled = true\nlogpath = /var/log/auth.log\n[recidive]\nenabled = true\nlogpath = /var/log/auth.log\n" > /etc/fail2ban/jail.d/zz-capdo.local
            rm -f /etc/fail2ban/jail.d/defaults-debian.conf
            fail2ban-client -x start >/dev/null
            for i in $(seq 50); do fail2ban-client status sshd >/dev/null 2>&1 && break; sleep 0.2; done
            sleep 1
            fail2ban-client set sshd banip 10.231.5.7 >/dev/null
            fail2ban-client set sshd banip fd00:231:5::7 >/dev/null
            fail2ban-client set recidive banip 203.0.113.9 >/dev/null
            sleep 1
            # Leave the chains in place: stop the server without its actionstop.
            kill -9 $(cat /run/fail2ban/fail2ban.pid)'
        ;;
    firewalld)
        in_host '
            sed -i "s/^CleanupOnExit=.*/CleanupOnExit=no/" /etc/firewalld/firewalld.conf
            mkdir -p /run/dbus
            dbus-daemon --system --fork --nopidfile
            firewalld --nofork --nopid >/dev/null 2>&1 &
            for i in $(seq 100); do firewall-cmd --state >/dev/null 2>&1 && break; sleep 0.2; done
            firewall-cmd --state >/dev/null
            firewall-cmd --zone=public --change-interface=eth0 >/dev/null
            firewall-cmd --zone=public --add-service=http >/dev/null
            firewall-cmd --zone=public --add-rich-rule="rule family=ipv4 source address=10.231.9.0/24 port port=5432 protocol=tcp accept" >/dev/null
            firewall-cmd --zone=public --add-rich-rule="rule family=ipv6 source address=fd00:231:9::/64 port port=5432 protocol=tcp accept" >/dev/null
            firewall-cmd --zone=public --add-forward-port=port=8080:proto=tcp:toport=80 >/dev/null
            firewall-cmd --zone=trusted --add-source=10.231.0.1/32 >/dev/null
            firewall-cmd --zone=public --add-rich-rule="rule family=ipv4 source address=10.231.5.7 reject" >/dev/null
            kill $(pidof -x firewalld) 2>/dev/null || pkill -f "^/usr/bin/python3 /usr/sbin/firewalld" || true
            sleep 1'
        ;;
    ferm)
        in_host '
            cat >> /etc/ferm/ferm.conf <<EOF
domain (ip ip6) table filter chain INPUT {
    saddr (10.231.9.0/24) proto tcp dport (5432 9100) ACCEPT;
    proto tcp dport (80 443) ACCEPT;
}
EOF
            ferm /etc/ferm/ferm.conf'
        ;;
    rhel7-legacy)
        ip netns exec $H iptables-legacy-restore < "$HERE/firewall/rhel7-iptables"
        ip netns exec $H ip6tables-legacy-restore < "$HERE/firewall/rhel7-ip6tables"
        ;;
    nft-l4proto-set)
        ip netns exec $H nft -f "$HERE/firewall/l4proto-set.nft"
        ;;
    nft-workstation)
        ip netns exec $H nft -f /usr/share/doc/nftables/examples/workstation.nft
        ip netns exec $H nft add rule inet filter input position 0 tcp dport '{ 22, 80 }' ct state new accept 2>/dev/null ||
            ip netns exec $H nft insert rule inet filter input tcp dport '{ 22, 80 }' ct state new accept
        ;;
    none) ;;
    docker-style)
        ip netns exec $H iptables-nft-restore < "$HERE/firewall/docker-iptables"
        ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
}

capture() {
    local d=$1
    mkdir -p "$d"
    sec() { # name, command…
        local name=$1; shift
        set +e
        ip netns exec $H "$@" > "$d/$name" 2>&1
        echo $? > "$d/$name.rc"
        set -e
    }
    sec nft.json nft -j list ruleset
    sec nft.txt nft list ruleset
    sec iptables-save iptables-nft-save
    sec ip6tables-save ip6tables-nft-save
    sec iptables-legacy-save iptables-legacy-save
    sec ip6tables-legacy-save ip6tables-legacy-save
    sec ipset-save ipset save
    # Dates and versions in the save headers change each run; they carry no rule.
    sed -i 's/ on [A-Z][a-z][a-z] [A-Z][a-z][a-z] .*$//' "$d"/*-save
}

probe() {
    local d=$1
    ip netns exec $H /usr/bin/python3 "$HERE/firewall/listen.py" $PORTS &
    local lpid=$!
    for i in $(seq 50); do
        ip netns exec $H ss -Htln | grep -q ':40000 ' && break
        sleep 0.1
    done
    ip netns exec $C /usr/bin/python3 "$HERE/firewall/probe.py" "$HOST4" "$HOST6" "$SRC4" "$SRC6" "$PORTS" > "$d/packets.tsv"
    kill "$lpid"
    wait "$lpid" 2>/dev/null || true
}

mkdir -p "$OUT"
for s in $SCENARIOS; do
    up
    scenario "$s"
    capture "$OUT/$s"
    probe "$OUT/$s"
    echo "$s: $(grep -c accept "$OUT/$s/packets.tsv") accepted, $(grep -c drop "$OUT/$s/packets.tsv") dropped, $(grep -c reject "$OUT/$s/packets.tsv") rejected" >&2
done
