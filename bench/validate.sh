#!/usr/bin/env bash
# `capdo validate` on hostile-sized input (issue 14, item 4):
#
#   bad-refs   a 10,000-server inventory (examples/gen_inventory.rs) plus 2,000 flows whose
#              4,000 endpoints are typos of real server ids: every one gets a did-you-mean
#   clean      the same inventory without them (what the bad references add is the difference)
#   big        a ~16 MB inventory (56,000 servers): peak RSS against its size on disk
#
#   bench/validate.sh [ROUNDS] [BASELINE]    (defaults: 3, none)
#
# BASELINE is another capdo binary (e.g. a release build of an earlier commit) run on the same
# inputs in the same rounds, so the figures compare as ratios measured under the same load.
# Prints the median wall time (s) and peak RSS (KiB, /usr/bin/time %M) per case and binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
BASELINE=${2:-}
WORK=$(mktemp -d /tmp/capdo-validate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --bin capdo --example gen_inventory
CAPDO=$PWD/target/release/capdo
GEN=$PWD/target/release/examples/gen_inventory

"$GEN" --servers 10000 --seed 1 --out "$WORK/clean" 2>/dev/null
"$GEN" --servers 56000 --seed 1 --out "$WORK/big" 2>/dev/null
cp -r "$WORK/clean" "$WORK/bad-refs"
# 2,000 flows, each endpoint a typo of a real id (a letter dropped, or one added).
grep -o '^\[servers\.[^]]*\]' "$WORK/clean/servers.toml" | sed 's/^\[servers\.//; s/\]$//' |
    awk 'NR <= 2000 {
        from = substr($0, 1, 2) substr($0, 4)
        to = $0 "q"
        printf "[[flows]]\nfrom = \"%s\"\nto = \"%s\"\nservices = \"tcp/443\"\n\n", from, to
    }' >"$WORK/bad-refs/bad-flows.toml"

measure() { # BINARY DIR -> "seconds kib"
    /usr/bin/time -f '%e %M' "$1" -q -i "$2" validate 2>&1 >/dev/null | tail -1
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

size_big=$(du -sb "$WORK/big" | cut -f1)
printf 'big inventory: %s bytes on disk\n' "$size_big"
for case in bad-refs clean big; do
    for bin in "$CAPDO" ${BASELINE:+"$BASELINE"}; do
        : >"$WORK/t" && : >"$WORK/m"
        for _ in $(seq "$ROUNDS"); do
            read -r t m < <(measure "$bin" "$WORK/$case")
            echo "$t" >>"$WORK/t"
            echo "$m" >>"$WORK/m"
        done
        t=$(median <"$WORK/t")
        m=$(median <"$WORK/m")
        label=new
        [ "$bin" = "$CAPDO" ] || label=baseline
        extra=""
        [ "$case" = big ] && extra=$(awk -v m="$m" -v s="$size_big" 'BEGIN { printf "  (%.1f x the inventory size)", m * 1024 / s }')
        printf '%-9s %-8s %6.2f s  %8d KiB%s\n' "$case" "$label" "$t" "$m" "$extra"
    done
done
