#!/usr/bin/env bash
# Reports at national scale (issue 19): `check --offline --format F --output FILE` for every
# report format, this build against a baseline build (the previous release), in the same run.
#
#   bench/stream.sh BASELINE [ROUNDS] [SIZES...]     (defaults: 3, "10000 50000 100000")
#
# BASELINE is a capdo binary built from the commit to compare with (e.g. 592b406: `git worktree
# add /tmp/base 592b406 && CARGO_TARGET_DIR=/tmp/base-target cargo build --release
# --manifest-path /tmp/base/Cargo.toml --bin capdo`), built from a clean checkout.
# Inventories from examples/gen_inventory.rs, seed 1. Each round runs every size, format and
# binary (so load from elsewhere spreads over all of them); per cell the median wall time (ns
# clock around /usr/bin/time), CPU (user + sys) and peak RSS (/usr/bin/time %M), the ratio of
# this build to the baseline, and the growth exponent from the first to the last size
# (log(t2/t1) / log(n2/n1), 1.0 is linear) of wall and of CPU. Also checks that both binaries
# wrote the same bytes (the generation time masked).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?usage: bench/stream.sh BASELINE [ROUNDS] [SIZES...]}
ROUNDS=${2:-3}
shift $(($# > 2 ? 2 : $#))
SIZES=("${@:-10000 50000 100000}")
read -r -a SIZES <<<"${SIZES[*]}"
WORK=$(mktemp -d /tmp/capdo-stream.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --bin capdo --example gen_inventory
# NEW=/path/to/capdo measures that build instead of this checkout's.
NEW=${NEW:-$PWD/target/release/capdo}
FORMATS=(json html md sarif junit)

for n in "${SIZES[@]}"; do
    ./target/release/examples/gen_inventory --servers "$n" --seed 1 --out "$WORK/inv$n" 2>/dev/null
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A WALL CPU RSS
for r in $(seq 1 "$ROUNDS"); do
    for n in "${SIZES[@]}"; do
        for f in "${FORMATS[@]}"; do
            for who in base new; do
                bin=$NEW
                [ $who = base ] && bin=$BASE
                out=$WORK/$who.$f
                t0=$(date +%s%N)
                rc=0
                # Run in $WORK, where no templates/ directory is: the repository's copies of the
                # shipped templates would count as overrides for a build before 036f42e.
                (cd "$WORK" && /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$bin" -q -i "$WORK/inv$n" \
                    --as-of 2026-11-22 check --offline --format "$f" --output "$out") \
                    >/dev/null 2>"$WORK/err" || rc=$?
                t1=$(date +%s%N)
                if [ "$rc" -ge 2 ]; then
                    echo "$who $f at $n failed (exit $rc):" >&2
                    cat "$WORK/err" >&2
                    exit 2
                fi
                read -r u s m < <(tail -n 1 "$WORK/time")
                WALL[$who,$n,$f]+=" $(((t1 - t0) / 1000000))"
                CPU[$who,$n,$f]+=" $(echo "($u + $s) * 1000" | bc)"
                RSS[$who,$n,$f]+=" $((m / 1024))"
            done
            # Same bytes, but for the time of generation.
            if ! cmp -s <(sed -E 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/T/g' "$WORK/base.$f") \
                <(sed -E 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/T/g' "$WORK/new.$f"); then
                echo "the $f reports at $n differ" >&2
                [ "$f" = html ] || exit 2
            fi
        done
    done
    echo "round $r of $ROUNDS done ($(cut -d' ' -f1-3 /proc/loadavg) load)" >&2
done

printf '\nrelease builds, seed 1, median of %d rounds; wall and CPU (user+sys) in ms, peak RSS in MiB\n\n' "$ROUNDS"
printf '| format | build |'
for n in "${SIZES[@]}"; do printf ' %s wall | CPU | RSS |' "$n"; done
printf ' exponent wall / CPU (%s→%s) |\n|---|---|' "${SIZES[0]}" "${SIZES[-1]}"
for _ in "${SIZES[@]}"; do printf -- '---|---|---|'; done
printf -- '---|\n'
for f in "${FORMATS[@]}"; do
    for who in base new; do
        printf '| %s | %s |' "$f" "$who"
        w1= w2= c1= c2=
        for n in "${SIZES[@]}"; do
            # shellcheck disable=SC2086
            w=$(median ${WALL[$who,$n,$f]}); c=$(median ${CPU[$who,$n,$f]}); m=$(median ${RSS[$who,$n,$f]})
            printf ' %s | %s | %s |' "$w" "$c" "$m"
            [ -z "$w1" ] && { w1=$w; c1=$c; }
            w2=$w; c2=$c
        done
        awk -v w1="$w1" -v w2="$w2" -v c1="$c1" -v c2="$c2" -v n1="${SIZES[0]}" -v n2="${SIZES[-1]}" \
            'BEGIN { printf " %.2f / %.2f |\n", log(w2/w1)/log(n2/n1), log(c2/c1)/log(n2/n1) }'
    done
done
