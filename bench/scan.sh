#!/usr/bin/env bash
# Scan benchmark: capdo against plain OpenSSH and `ansible -m raw` on the same lab, in the
# same run.
#
#   flock /tmp/capdo-lab.lock bench/scan.sh N [ROUNDS]
#
# As root; starts an N-host lab (tests/lab/lab.sh bench-up: identical `bench` hosts, empty apt
# lists) and tears it down on exit. Only one lab can run on the machine (bridge capdolab0):
# run it under the lock, after `ip link show capdolab0` fails.
#
# Each round runs all three, in an order that rotates every round, against every host:
#   openssh: `xargs -P 50 ssh …` with curve25519-sha256: one connection and one exec per host,
#            the same collector command and the same input capdo sends (stdin);
#   ansible: `ansible all -m raw -f 50` (ansible-core from ANSIBLE, default /tmp/ans/bin), same
#            key exchange and host key checking, no connection sharing (ControlMaster=no, so no
#            round reuses an earlier round's connection); `raw` cannot feed stdin, so the
#            command is `printf INPUT | sh -c '<collector>'`;
#   capdo:   `capdo -q -j 50 scan --facts-out …` (release build), which also parses every
#            host's output and writes the facts file.
# Measured per run: wall time and the client's CPU (user+sys of the process and every child it
# waited for: capdo's process; xargs, each ssh and the sh feeding it; ansible, its workers and
# their ssh) and peak RSS (largest single process). Prints each run, the medians and ratios,
# and appends a Markdown row to bench/results.md. Every tool must reach every host in every
# round, or the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:?usage: bench/scan.sh N [ROUNDS]}
ROUNDS=${2:-5}
PAR=${PAR:-50}
ANSIBLE=${ANSIBLE:-/tmp/ans/bin}
# ANSIBLE=none leaves Ansible out; BASE=/path/to/capdo adds that build (the previous release)
# as a fourth tool, run as capdo is.
BASE=${BASE:-}
if [ "$ANSIBLE" != none ]; then
    [ -x "$ANSIBLE/ansible" ] || { echo "no $ANSIBLE/ansible: python3 -m venv /tmp/ans && /tmp/ans/bin/pip install ansible-core (or ANSIBLE=none)" >&2; exit 2; }
fi
if ip link show capdolab0 >/dev/null 2>&1; then echo "a lab is up (capdolab0): wait for it" >&2; exit 2; fi
LAB=$(mktemp -d /tmp/capdo-bench.XXXXXX)
cleanup() { tests/lab/lab.sh down "$LAB" >/dev/null 2>&1 || true; rm -rf "$LAB"; }
trap cleanup EXIT

# CAPDO=/path/to/capdo uses that build instead of building this checkout.
if [ -z "${CAPDO:-}" ]; then
    cargo build --release --quiet --bin capdo
    CAPDO=$PWD/target/release/capdo
fi
t0=$(date +%s%N)
tests/lab/lab.sh bench-up "$LAB" "$N" >/dev/null 2>"$LAB/up.log"
echo "lab of $N hosts up in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2

# The exact command capdo sends: sh -c '<collector>' with every ' escaped, and its input: a
# nonce, the options (the lab's timeout = 5 s, times the 4 steps of a host's deadline) and the
# backup path of the inventory's bench hosts.
script=$(cat src/collect/collector.sh)
q=${script//\'/\'\\\'\'}
printf "sh -c '%s'" "$q" >"$LAB/command"
INPUT='0123456789abcdef\ntimeout=20\nbackup-path /var/backups/app\n'
cut -f2 "$LAB/hosts.tsv" >"$LAB/ips"
mkdir -p "$LAB/out"

cat >"$LAB/openssh.sh" <<SH
#!/bin/sh
xargs -P $PAR -I{} sh -c 'printf "$INPUT" | ssh -T -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$LAB/known_hosts -i $LAB/id_ed25519 -o ConnectTimeout=10 root@{} "\$(cat $LAB/command)" > $LAB/out/{}' < $LAB/ips
SH
cat >"$LAB/capdo.sh" <<SH
#!/bin/sh
exec $CAPDO -q -i $LAB/inventory -j $PAR scan --facts-out $LAB/facts.json
SH
cat >"$LAB/base.sh" <<SH
#!/bin/sh
exec $BASE -q -i $LAB/inventory -j $PAR scan --facts-out $LAB/facts.json
SH
{
    echo "[lab]"
    cat "$LAB/ips"
    echo "[lab:vars]"
    echo "ansible_user=root"
    echo "ansible_ssh_private_key_file=$LAB/id_ed25519"
} >"$LAB/ansible.ini"
printf "printf '%s' | %s" "$INPUT" "$(cat "$LAB/command")" >"$LAB/ansible-command"
cat >"$LAB/ansible.sh" <<SH
#!/bin/sh
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_LOCAL_TEMP=$LAB/ansible-tmp ANSIBLE_HOME=$LAB/ansible-home
export ANSIBLE_SSH_ARGS="-o ControlMaster=no -o KexAlgorithms=curve25519-sha256 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$LAB/known_hosts -o BatchMode=yes"
exec $ANSIBLE/ansible lab -i $LAB/ansible.ini -f $PAR -T 10 -m raw -a "\$(cat $LAB/ansible-command)"
SH

run() { # TOOL -> "wall cpu max_rss_kib"; checks that every host answered
    local who=$1 ok
    rm -f "$LAB/out/"* "$LAB/facts.json"
    /usr/bin/time -f "%e %U %S %M" -o "$LAB/time" sh "$LAB/$who.sh" >"$LAB/stdout" 2>"$LAB/err" || true
    case $who in
        openssh) ok=$(grep -l '@@0123456789abcdef end ' "$LAB/out/"* 2>/dev/null | wc -l) ;;
        capdo | base) ok=$(grep -c '"status": "scanned"' "$LAB/facts.json" 2>/dev/null || true) ;;
        ansible) ok=$(grep -c ' | CHANGED | rc=' "$LAB/stdout" || true) ;;
    esac
    if [ "${ok:-0}" != "$N" ]; then
        echo "$who reached ${ok:-0} of $N hosts; stderr:" >&2
        tail -n 20 "$LAB/err" "$LAB/stdout" >&2
        exit 2
    fi
    read -r wall user sys rss <"$LAB/time"
    echo "$wall $(echo "$user + $sys" | bc) $rss"
}

declare -A W C M
TOOLS=(openssh capdo)
[ "$ANSIBLE" = none ] || TOOLS+=(ansible)
[ -z "$BASE" ] || TOOLS+=(base)
for r in $(seq 1 "$ROUNDS"); do
    k=$(((r - 1) % ${#TOOLS[@]}))
    order=("${TOOLS[@]:k}" "${TOOLS[@]:0:k}")
    for who in "${order[@]}"; do
        read -r wall cpu rss < <(run "$who")
        printf 'round %d %-8s wall %7.2f s  client cpu %6.2f s  %6.1f ms/host  peak RSS %6.1f MiB\n' \
            "$r" "$who" "$wall" "$cpu" "$(echo "$cpu * 1000 / $N" | bc -l)" "$(echo "$rss / 1024" | bc -l)" >&2
        W[$who]+=" $wall"; C[$who]+=" $cpu"; M[$who]+=" $rss"
    done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
if [ "$ANSIBLE" = none ]; then W[ansible]=0; C[ansible]=0; fi
# shellcheck disable=SC2086
row=$(awk -v n="$N" -v r="$ROUNDS" \
    -v ow="$(median ${W[openssh]})" -v oc="$(median ${C[openssh]})" \
    -v cw="$(median ${W[capdo]})" -v cc="$(median ${C[capdo]})" -v cm="$(median ${M[capdo]})" \
    -v aw="$(median ${W[ansible]})" -v ac="$(median ${C[ansible]})" 'BEGIN {
    printf "| %d | %d | %.2f | %.1f | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | **%.2f** | %.2f | %d/%d |",
        n, r, ow, oc*1000/n, cw, cc*1000/n, cm/1024, aw, ac*1000/n, n/cw, cw/ow, aw/ow, n, n }')
echo "| hosts | rounds | OpenSSH wall s | OpenSSH CPU ms/host | capdo wall s | capdo CPU ms/host | capdo peak RSS MiB | ansible raw wall s | ansible CPU ms/host | capdo hosts/s | capdo / OpenSSH wall | ansible / OpenSSH wall | reached |"
echo "$row"
echo "$row" >>bench/results.md
if [ -n "$BASE" ]; then
    # shellcheck disable=SC2086
    base=$(awk -v n="$N" -v bw="$(median ${W[base]})" -v bc="$(median ${C[base]})" \
        -v bm="$(median ${M[base]})" -v cm="$(median ${M[capdo]})" -v ow="$(median ${W[openssh]})" 'BEGIN {
        printf "baseline %s: wall %.2f s (%.2f of OpenSSH), CPU %.1f ms/host, peak RSS %.1f MiB (this build / baseline: %.2f)",
            ENVIRON["BASE"], bw, bw/ow, bc*1000/n, bm/1024, cm/bm }')
    echo "$base"
    echo "  ($N hosts) $base" >>bench/results.md
fi
