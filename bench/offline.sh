#!/usr/bin/env bash
# Offline benchmark on synthetic inventories of 1,000, 10,000 and 50,000 servers
# (examples/gen_inventory.rs, one system per 5 servers, deterministic from SEED):
#
#   validate        load + validate (`capdo validate`)
#   phases          load, then graph build + level propagation, timed in-process
#                   (examples/bench_phases.rs; no command line, no output)
#   graph           `capdo graph --format json` (load + graph + JSON export)
#   check-json      `capdo check --offline --format json --output F`
#   check-html|md|sarif|junit   the same check rendered as HTML, Markdown, SARIF, JUnit
#
#   bench/offline.sh [ROUNDS] [SEED] [SIZES...]     (defaults: 5, 1, "1000 10000 50000")
#
# Per size and step: median wall time (ns clock around /usr/bin/time) and median peak RSS
# (/usr/bin/time %M) of ROUNDS runs, the ratio to the smallest size, and the growth exponent
# between sizes (log(t2/t1) / log(n2/n1); 1.0 is linear). Rounds interleave the steps, so a
# burst of load from elsewhere on the machine spreads over all of them. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
SEED=${2:-1}
shift $(($# > 2 ? 2 : $#))
SIZES=("${@:-1000 10000 50000}")
read -r -a SIZES <<<"${SIZES[*]}"
WORK=$(mktemp -d /tmp/capdo-offline.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --bin capdo --example gen_inventory --example bench_phases
CAPDO=$PWD/target/release/capdo
PHASES=$PWD/target/release/examples/bench_phases
STEPS=(validate phases graph check-json check-html check-md check-sarif check-junit)

args_of() { # STEP SIZE -> the command line, one word per line
    local n=$2
    local c=(check --offline --output "$WORK/report$n")
    case $1 in
        validate) printf '%s\n' "$CAPDO" -q -i "$WORK/inv$n" validate ;;
        phases) printf '%s\n' "$PHASES" --inventory "$WORK/inv$n" --rounds 1 ;;
        graph) printf '%s\n' "$CAPDO" -q -i "$WORK/inv$n" graph --format json ;;
        check-*) printf '%s\n' "$CAPDO" -q -i "$WORK/inv$n" --as-of 2026-11-22 "${c[@]}" --format "${1#check-}" ;;
    esac
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A WALL RSS LOAD_MS GRAPH_MS
for n in "${SIZES[@]}"; do
    ./target/release/examples/gen_inventory --servers "$n" --seed "$SEED" --out "$WORK/inv$n" 2>>"$WORK/gen.log"
done
for r in $(seq 1 "$ROUNDS"); do
    for n in "${SIZES[@]}"; do
        for step in "${STEPS[@]}"; do
            mapfile -t cmd < <(args_of "$step" "$n")
            t0=$(date +%s%N)
            rc=0
            /usr/bin/time -f "%M" -o "$WORK/time" "${cmd[@]}" >"$WORK/out" 2>"$WORK/err" || rc=$?
            t1=$(date +%s%N)
            # check exits 1 when a control fails (the synthetic inventory has findings); 2 is a
            # tool or input failure and stops the benchmark.
            if [ "$rc" -ge 2 ]; then
                echo "$step at $n failed (exit $rc):" >&2
                cat "$WORK/err" >&2
                exit 2
            fi
            WALL[$n,$step]+=" $(( (t1 - t0) / 1000 ))"
            RSS[$n,$step]+=" $(tail -n 1 "$WORK/time")"
            if [ "$step" = phases ]; then
                read -r l g _ <"$WORK/out"
                LOAD_MS[$n]+=" ${l#load_ms=}"
                GRAPH_MS[$n]+=" ${g#graph_ms=}"
            fi
        done
    done
    echo "round $r of $ROUNDS done" >&2
done

cat "$WORK/gen.log" >&2
printf '\nrelease build, seed %s, median of %d rounds; wall in ms, peak RSS in MiB\n\n' \
    "$SEED" "$ROUNDS"
printf '| step |'; for n in "${SIZES[@]}"; do printf ' wall %s | RSS %s |' "$n" "$n"; done
printf ' ratio to %s (%s) | exponent (%s) |\n|---|' "${SIZES[0]}" "${SIZES[*]:1}" "$(IFS=→; echo "${SIZES[*]}")"
for _ in "${SIZES[@]}"; do printf -- '---|---|'; done; printf -- '---|---|\n'

row() { # NAME VALUES... (one per size) -> ratios and exponents
    local name=$1; shift
    local -a v=("$@")
    printf '| %s |' "$name"
    awk -v sizes="${SIZES[*]}" -v vals="${v[*]}" -v rss="$RSS_ROW" 'BEGIN {
        ns = split(sizes, n, " "); split(vals, t, " "); split(rss, m, " ")
        for (i = 1; i <= ns; i++) printf " %.1f | %s |", t[i], (m[i] == "" ? "–" : sprintf("%.0f", m[i] / 1024))
        sep = ""; printf " "
        for (i = 2; i <= ns; i++) { printf "%s%.1f", sep, t[i] / t[1]; sep = " / " }
        sep = ""; printf " | "
        for (i = 2; i <= ns; i++) { printf "%s%.2f", sep, log(t[i] / t[i-1]) / log(n[i] / n[i-1]); sep = " / " }
        printf " |\n" }'
}

for step in "${STEPS[@]}"; do
    vals=(); rssv=()
    for n in "${SIZES[@]}"; do
        # shellcheck disable=SC2086
        vals+=("$(echo "$(median ${WALL[$n,$step]}) / 1000" | bc -l)")
        # shellcheck disable=SC2086
        rssv+=("$(median ${RSS[$n,$step]})")
    done
    RSS_ROW="${rssv[*]}" row "$step" "${vals[@]}"
    if [ "$step" = phases ]; then
        for part in load graph; do
            vals=()
            for n in "${SIZES[@]}"; do
                if [ $part = load ]; then ms=${LOAD_MS[$n]}; else ms=${GRAPH_MS[$n]}; fi
                # shellcheck disable=SC2086
                vals+=("$(median $ms)")
            done
            RSS_ROW="" row "  in-process: $part" "${vals[@]}"
        done
    fi
done
