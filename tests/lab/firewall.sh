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
# The scenarios `bullseye` and `trixie` are hosts whose whole userland is that Debian release
# (nft 0.9.8, OpenSSH 8.4 and OpenSSL 1.1.1; nft 1.1, OpenSSH 10 with lastlog2 and OpenSSL 3.5):
# a tree made once with `debootstrap --variant=minbase` from the Debian archive and kept in
# $CAPDO_RELEASES (/var/tmp/capdo-releases/SUITE-HASH, one per package list; later runs reuse
# it), run in the host namespace as an overlay over the tree in a mount namespace of its own.
# The release's nft loads tests/lab/firewall/release.nft and writes the JSON that is captured.
# Its sshd is the listener of port 22, its own `openssl s_server` that of port 443 (bullseye's
# offering TLS 1.0–1.3, trixie's with the release's defaults), whose versions this machine's
# `openssl s_client` writes to OUTDIR/SCENARIO/tls.tsv (the oracle). When CAPDO names a capdo
# binary, `capdo scan` from the controller's address collects the host's facts over SSH into
# OUTDIR/SCENARIO/facts.json; the inventory declares tcp/443, so the collector probes its TLS
# versions with the release's own s_client.
#
# Needs root, python3, nft, iptables, and the managers' Debian packages (ufw, firewalld, ferm,
# ipset, fail2ban, debootstrap: see tests/lab/packages.tsv). One run at a time (fixed namespace
# names; a lock).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${2:?usage: firewall.sh capture OUTDIR [SCENARIO…]}
[ "${1:-}" = capture ] || { echo "usage: firewall.sh capture OUTDIR [SCENARIO…]" >&2; exit 2; }
shift 2
ALL="ufw-deny ufw-allow ufw-fail2ban firewalld ferm rhel7-legacy nft-l4proto-set nft-workstation none docker-style bullseye trixie"
RELEASES=${CAPDO_RELEASES:-/var/tmp/capdo-releases}
MIRROR=${CAPDO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CAPDO=${CAPDO:-}
# The release host's sshd, holding its mount namespace (a PID), while one is up.
REL_PID=
# The release host's openssl s_server on tcp/443 (a PID), while one is up.
TLS_PID=
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
# Other worktrees run this test too: wait for their run (up to 10 minutes) rather than fail.
flock -w 600 9 || { echo "firewall.sh: another run held /run/capdo-firewall-lab.lock for 10 minutes" >&2; exit 2; }

teardown() {
    set +e
    [ -z "$TLS_PID" ] || { kill -9 "$TLS_PID" 2>/dev/null; wait "$TLS_PID" 2>/dev/null; TLS_PID=; }
    [ -z "$REL_PID" ] || { kill -9 "$REL_PID" 2>/dev/null; wait "$REL_PID" 2>/dev/null; REL_PID=; }
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

# A Debian release's whole userland: made once with debootstrap (about 4 minutes) and kept, one
# tree per package list (SUITE-HASH): a branch whose list differs (another worktree's run, which
# waits for the lock) keeps its own tree instead of remaking this one each run. REL_TREE names it.
REL_TREE=
release_tree() {
    local suite=$1 t
    local pk=openssh-server,nftables,iptables,ipset,iproute2,procps,passwd,login,openssl
    # trixie records logins with lastlog2 (util-linux's; the PAM module writes its database).
    [ "$suite" != trixie ] || pk=$pk,lastlog2,libpam-lastlog2
    t=$RELEASES/$suite-$(printf %s "$pk" | sha256sum | cut -c1-12)
    REL_TREE=$t
    # .capdo-complete is written last: a tree without it was interrupted.
    if [ "$(cat "$t/.capdo-complete" 2>/dev/null)" != "$pk" ]; then
        mkdir -p "$RELEASES"
        rm -rf "$t.tmp"
        echo "firewall.sh: debootstrap $suite into $t (once; later runs reuse it)" >&2
        debootstrap --variant=minbase --include="$pk" "$suite" "$t.tmp" "$MIRROR" >"$t.log" 2>&1 ||
            { tail -n 20 "$t.log" >&2; echo "firewall.sh: debootstrap $suite failed" >&2; exit 1; }
        echo "$pk" >"$t.tmp/.capdo-complete"
        rm -rf "$t"
        mv "$t.tmp" "$t"
    fi
}

# Start the release host: in the host namespace, a mount namespace whose root is an overlay of
# the release's tree (the cache is never written), with /dev, /proc and fresh /run and /tmp;
# the release's nft loads release.nft, then its sshd runs in the foreground (PID REL_PID), root
# logging in with $SCAN/id_ed25519.
release_up() {
    local suite=$1
    release_tree "$suite"
    ip netns exec $H unshare -m --propagation private sh -c '
        set -e
        t=$1 scan=$2 rules=$3
        mount -t tmpfs capdo-rel /mnt
        mkdir /mnt/up /mnt/work /mnt/root
        mount -t overlay overlay -o "lowerdir=$t,upperdir=/mnt/up,workdir=/mnt/work" /mnt/root
        mount --rbind /dev /mnt/root/dev
        mount -t proc proc /mnt/root/proc
        mount -t tmpfs capdo-rel-run /mnt/root/run
        mount -t tmpfs capdo-rel-tmp /mnt/root/tmp
        mkdir -p /mnt/root/run/sshd /mnt/root/root/.ssh
        cp "$scan/id_ed25519.pub" /mnt/root/root/.ssh/authorized_keys
        cp "$rules" /mnt/root/etc/capdo-release.nft
        exec chroot /mnt/root sh -c "nft -f /etc/capdo-release.nft && ssh-keygen -A >/dev/null && exec /usr/sbin/sshd -D -e 2>/var/log/capdo-sshd.log"
    ' sh "$REL_TREE" "$SCAN" "$HERE/firewall/release.nft" &
    REL_PID=$!
    for _ in $(seq 100); do
        ip netns exec $H ss -Htln 2>/dev/null | grep -q ':22 ' && return 0
        kill -0 "$REL_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "firewall.sh: the $suite host did not start" >&2
    exit 1
}

# A command of the release's userland, in the running release host.
in_release() {
    nsenter -t "$REL_PID" -n -m -r -w "$@"
}

# The release's own `openssl s_server` on tcp/443 (PID TLS_PID) with a self-signed certificate
# its own `openssl req` made under its /tmp: one socket for IPv4 and IPv6 (`-accept 443` binds
# `::` with IPV6_V6ONLY off, as listen.py's sockets, so the packets to 443 and the scan's
# `exposure.listeners` see the same listener shape as every other port). bullseye's offers TLS
# 1.0–1.3 (its command line overrides the MinProtocol=TLSv1.2 and SECLEVEL=2 of its
# openssl.cnf); trixie's keeps the release's defaults.
tls_up() {
    local suite=$1 args=
    [ "$suite" != bullseye ] || args='-min_protocol TLSv1 -cipher DEFAULT@SECLEVEL=0'
    in_release openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=capdo-$suite" \
        -keyout /tmp/tls-key.pem -out /tmp/tls-cert.pem >/dev/null 2>&1 ||
        { echo "firewall.sh: $suite's openssl req failed" >&2; exit 1; }
    # nsenter execs s_server: TLS_PID is the server's own PID. -www: it never reads stdin.
    # shellcheck disable=SC2086
    nsenter -t "$REL_PID" -n -m -r -w openssl s_server -quiet -www -accept 443 \
        -cert /tmp/tls-cert.pem -key /tmp/tls-key.pem $args </dev/null >/dev/null 2>&1 &
    TLS_PID=$!
    for _ in $(seq 100); do
        ip netns exec $H ss -Htln 2>/dev/null | grep -q ' \*:443 ' && return 0
        kill -0 "$TLS_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "firewall.sh: $suite's openssl s_server is not listening on *:443 (IPv4 and IPv6): $(ip netns exec $H ss -Htln | grep ':443 ')" >&2
    exit 1
}

# The oracle of the TLS service: THIS machine's openssl s_client (not the release's), from the
# host's network namespace, one handshake per version: OUT/SCENARIO/tls.tsv, `VERSION<TAB>
# accepted|refused`.
tls_oracle() {
    local d=$1 v o
    for v in tls1:TLSv1.0 tls1_1:TLSv1.1 tls1_2:TLSv1.2 tls1_3:TLSv1.3; do
        o=$(ip netns exec $H timeout -k 1 10 openssl s_client -brief -connect 127.0.0.1:443 \
            "-${v%%:*}" -cipher 'DEFAULT@SECLEVEL=0' </dev/null 2>&1 || true)
        case $o in
        *"CONNECTION ESTABLISHED"*) printf '%s\taccepted\n' "${v#*:}" ;;
        *) printf '%s\trefused\n' "${v#*:}" ;;
        esac
    done >"$d/tls.tsv"
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
    bullseye | trixie)
        release_up "$1"
        tls_up "$1"
        ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
}

capture() {
    local d=$1
    mkdir -p "$d"
    sec() { # name, command… (on a release host, the release's own command)
        local name=$1; shift
        set +e
        if [ -n "$REL_PID" ]; then
            in_release "$@" > "$d/$name" 2>&1
        else
            ip netns exec $H "$@" > "$d/$name" 2>&1
        fi
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
    local d=$1 ports=$PORTS
    # On a release host its own sshd is the listener of port 22, its own s_server of 443.
    [ -z "$REL_PID" ] || { ports=${PORTS#22 }; ports=${ports/443 /}; }
    ip netns exec $H /usr/bin/python3 "$HERE/firewall/listen.py" $ports &
    local lpid=$!
    for i in $(seq 50); do
        ip netns exec $H ss -Htln | grep -q ':40000 ' && break
        sleep 0.1
    done
    ip netns exec $C /usr/bin/python3 "$HERE/firewall/probe.py" "$HOST4" "$HOST6" "$SRC4" "$SRC6" "$PORTS" > "$d/packets.tsv"
    [ -z "$REL_PID" ] || tls_oracle "$d"
    [ -z "$REL_PID" ] || [ -z "$CAPDO" ] || scan "$d"
    kill "$lpid"
    wait "$lpid" 2>/dev/null || true
}

# capdo scans the release host over SSH from the client namespace (its first address,
# 10.231.9.5, is management), with every listener up: OUT/SCENARIO/facts.json.
scan() {
    local d=$1 key
    key=$(in_release cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2)
    printf '%s %s\n' 10.231.0.10 "$key" fd00:231::10 "$key" >"$SCAN/known_hosts"
    cat >"$SCAN/inventory.toml" <<EOF
[organization]
name = "firewall.sh"
regime = "nd85"

[defaults.ssh]
user = "root"
port = 22
identity = "id_ed25519"
known_hosts = "known_hosts"

[datacenters.lab]
name = "lab"

[networks.lab-net]
datacenter = "lab"
zone = "server"
cidr = ["10.231.0.0/16", "fd00:231::/48"]

[servers.release]
network = "lab-net"
address = ["10.231.0.10", "fd00:231::10"]
ipv6 = true
services = ["tcp/443"]
EOF
    set +e
    ip netns exec $C "$CAPDO" -i "$SCAN/inventory.toml" scan --facts-out "$d/facts.json" >"$d/scan.log" 2>&1
    echo $? >"$d/scan.rc"
    set -e
}

mkdir -p "$OUT"
SCAN=$(mktemp -d)
trap 'teardown; rm -rf "$SCAN"' EXIT
ssh-keygen -q -t ed25519 -N '' -f "$SCAN/id_ed25519"
for s in $SCENARIOS; do
    up
    scenario "$s"
    capture "$OUT/$s"
    probe "$OUT/$s"
    echo "$s: $(grep -c accept "$OUT/$s/packets.tsv") accepted, $(grep -c drop "$OUT/$s/packets.tsv") dropped, $(grep -c reject "$OUT/$s/packets.tsv") rejected" >&2
done
