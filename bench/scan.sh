#!/usr/bin/env bash
# Scan benchmark: capdo against plain OpenSSH on the same lab, in the same run.
#
#   bench/scan.sh N [ROUNDS]     (as root; starts an N-host lab with tests/lab/lab.sh bench-up)
#
# Each round runs both, in alternating order, against every host of the lab:
#   openssh: `xargs -P 50 ssh …` with curve25519-sha256: one connection and one exec per host,
#            the same collector command and input capdo sends;
#   capdo:   `capdo scan -j 50 --facts-out …` (release build), which also parses every host's
#            output and writes the facts file.
# Measured per run: wall time, and the client's CPU (user+sys): capdo's process, or every
# process of the xargs tree (ssh and the sh that feeds it). Prints each run, the medians and
# the ratio, and appends a Markdown row to bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:?usage: bench/scan.sh N [ROUNDS]}
ROUNDS=${2:-5}
PAR=${PAR:-50}
LAB=$(mktemp -d /tmp/capdo-bench.XXXXXX)
cleanup() { tests/lab/lab.sh down "$LAB" >/dev/null 2>&1 || true; rm -rf "$LAB"; }
trap cleanup EXIT

cargo build --release --quiet
CAPDO=$PWD/target/release/capdo
t0=$(date +%s%N)
tests/lab/lab.sh bench-up "$LAB" "$N" >/dev/null 2>"$LAB/up.log"
echo "lab of $N hosts up in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2

# The exact command capdo sends: sh -c '<collector>' with every ' escaped.
script=$(cat src/collect/collector.sh)
q=${script//\'/\'\\\'\'}
printf "sh -c '%s'" "$q" > "$LAB/command"
cut -f2 "$LAB/hosts.tsv" > "$LAB/ips"

cat > "$LAB/openssh.sh" <<SH
#!/bin/sh
xargs -P $PAR -I{} sh -c 'printf "0123456789abcdef\n\nbackup-path /var/backups/app\n" | ssh -T -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$LAB/known_hosts -i $LAB/id_ed25519 -o ConnectTimeout=10 root@{} "\$(cat $LAB/command)" > /dev/null' < $LAB/ips
SH
cat > "$LAB/capdo.sh" <<SH
#!/bin/sh
exec $CAPDO -q -i $LAB/inventory -j $PAR scan --facts-out $LAB/facts.json
SH

run() { # SCRIPT -> "wall cpu max_rss_kib"
    /usr/bin/time -f "%e %U %S %M" -o "$LAB/time" sh "$1" >/dev/null 2>"$LAB/err" || true
    read -r wall user sys rss < "$LAB/time"
    echo "$wall $(echo "$user + $sys" | bc) $rss"
}

ow=(); oc=(); cw=(); cc=(); cm=()
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="openssh capdo"; else order="capdo openssh"; fi
    for who in $order; do
        read -r wall cpu rss < <(run "$LAB/$who.sh")
        printf 'round %d %-8s wall %7.2f s  client cpu %6.2f s  %5.1f ms/host\n' \
            "$r" "$who" "$wall" "$cpu" "$(echo "$cpu * 1000 / $N" | bc -l)" >&2
        if [ "$who" = openssh ]; then ow+=("$wall"); oc+=("$cpu"); else cw+=("$wall"); cc+=("$cpu"); cm+=("$rss"); fi
    done
done
# capdo must have scanned every host.
scanned=$(grep -c '"status": "scanned"' "$LAB/facts.json" || true)
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
OW=$(median "${ow[@]}"); OC=$(median "${oc[@]}"); CW=$(median "${cw[@]}"); CC=$(median "${cc[@]}"); CM=$(median "${cm[@]}")
row=$(awk -v n="$N" -v r="$ROUNDS" -v ow="$OW" -v oc="$OC" -v cw="$CW" -v cc="$CC" -v cm="$CM" -v s="$scanned" 'BEGIN {
    printf "| %d | %d | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.3f | %d/%d |", n, r, ow, n/ow, oc*1000/n, cw, n/cw, cc*1000/n, cm/1024, cw/ow, s, n }')
echo "| hosts | rounds | OpenSSH wall s | hosts/s | OpenSSH client CPU ms/host | capdo wall s | hosts/s | capdo CPU ms/host | capdo peak RSS MiB | wall ratio | scanned |"
echo "$row"
echo "$row" >> bench/results.md
