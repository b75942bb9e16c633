#!/bin/sh
# Peak memory per host: `check --facts FILE --format json` (and with `--evidence`) on a saved
# scan of two hosts that each sent about 8 MB (the per-host cap), against the same scan with
# ordinary output. Shapes: `lines` (280,000 short passwd lines: the review's case), `wide`
# (19,000 passwd lines of 420 bytes), `one` (one passwd line larger than the cap).
# Usage: bench/host_memory.sh [CAPDO]   (default target/release/capdo; build it first)
set -eu
CAPDO=${1:-target/release/capdo}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
gen() { # OUT BYTES WIDTH
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
out, n, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = open("tests/fixtures/collect/sections/collector-debian12-full.txt").read()
nonce = "5e1f0c9a7b3d2e41"
b, e = f"@@{nonce} begin passwd\n", f"\n@@{nonce} end passwd 0\n"
i = raw.index(b); j = raw.index(e, i)
lines, size, k = [], 0, 0
while size < n:
    l = f"user{k:07d}:{1000 + k}:/bin/" + "b" * max(0, width - 25)
    lines.append(l); size += len(l) + 1; k += 1
raw = raw[:i + len(b)] + "\n".join(lines) + raw[j:]
host = {"status": "scanned", "error": None, "duration_ms": 1, "facts": {},
        "raw": {"nonce": nonce, "output": raw, "exit": 0, "signal": None, "truncated": False}}
json.dump({"schema": "capdo.facts/v1", "tool": "bench", "generated_at": "2026-11-22T08:00:00Z",
           "hosts": {"app01": host, "bk01": host}}, open(out, "w"))
print(len(raw.encode()))
PY
}
rss() { # FACTS [EXTRA...]
    f=$1; shift
    /usr/bin/time -f '%M' "$CAPDO" -q -i tests/fixtures/clean --as-of 2026-11-22 check \
        --facts "$f" --format json --output "$T/report.json" "$@" 2>&1 >/dev/null | tail -n 1
}
base_bytes=$(gen "$T/base.json" 0 25)
printf '%-6s %12s %12s %14s %10s %16s %10s\n' shape sent/host base_KiB peak_KiB x_sent peak_evid_KiB x_sent
for shape in lines wide one; do
    case $shape in lines) w=25 ;; wide) w=420 ;; one) w=8000000 ;; esac
    sent=$(gen "$T/$shape.json" 8000000 $w)
    [ "$sent" -gt 8388608 ] && sent=8388608   # cut at the cap, as a live scan would
    b=$(rss "$T/base.json"); p=$(rss "$T/$shape.json")
    rm -rf "$T/ev0" "$T/ev"
    be=$(rss "$T/base.json" --evidence "$T/ev0"); pe=$(rss "$T/$shape.json" --evidence "$T/ev")
    awk -v s="$shape" -v sent="$sent" -v base="$base_bytes" -v b="$b" -v p="$p" -v be="$be" -v pe="$pe" 'BEGIN {
        d = 2 * (sent - base)
        printf "%-6s %12d %12d %14d %10.2f %16d %10.2f\n", s, sent, b, p, (p - b) * 1024 / d, pe, (pe - be) * 1024 / d }'
done
