#!/usr/bin/env bash
# Offline benchmark: load + validate, graph, and check --offline (JSON report) on synthetic
# inventories of 1,000, 10,000 and 50,000 servers (examples/gen_inventory.rs, seed 1).
#
#   bench/offline.sh [ROUNDS]
#
# Prints, per size and command, the median wall time and peak RSS of ROUNDS runs (default 5),
# and the growth exponent between sizes (log(t2/t1) / log(n2/n1); 1.0 is linear).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
WORK=$(mktemp -d /tmp/capdo-offline.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --example gen_inventory
cargo build --release --quiet
CAPDO=$PWD/target/release/capdo

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() { # SIZE NAME ARGS... -> "wall rss_mib"
    local n=$1 name=$2; shift 2
    local walls=() rss=()
    for _ in $(seq 1 "$ROUNDS"); do
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$CAPDO" -q -i "$WORK/inv$n" --as-of 2026-11-22 "$@" >/dev/null 2>"$WORK/err" || true
        read -r w m < <(tail -n 1 "$WORK/time")
        walls+=("$w"); rss+=("$m")
    done
    echo "$(median "${walls[@]}") $(echo "$(median "${rss[@]}") / 1024" | bc -l)"
}

declare -A T
printf '| servers | command | wall s (median of %d) | peak RSS MiB |\n|---|---|---|---|\n' "$ROUNDS"
for n in 1000 10000 50000; do
    ./target/release/examples/gen_inventory --servers "$n" --seed 1 --out "$WORK/inv$n" 2>/dev/null
    for cmd in validate graph check; do
        case $cmd in
            validate) args=(validate) ;;
            graph) args=(graph --format json) ;;
            check) args=(check --offline --format json --output "$WORK/report$n.json") ;;
        esac
        read -r wall rss < <(measure "$n" "$cmd" "${args[@]}")
        T[$n,$cmd]=$wall
        printf '| %d | %s | %.3f | %.0f |\n' "$n" "${args[*]//$WORK\//}" "$wall" "$rss"
    done
done
echo
echo "growth exponent (1.0 = linear):"
for cmd in validate graph check; do
    awk -v a="${T[1000,$cmd]}" -v b="${T[10000,$cmd]}" -v c="${T[50000,$cmd]}" -v cmd="$cmd" \
        'BEGIN { printf "  %-8s 1k→10k %.2f   10k→50k %.2f\n", cmd, log(b/a)/log(10), log(c/b)/log(5) }'
done
