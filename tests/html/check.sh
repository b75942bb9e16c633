#!/usr/bin/env bash
# Open a capdo HTML report in headless Chromium and check it:
#   - the page logs nothing to the console (no script error, no blocked load);
#   - its script ran: it wrote the counts of the finding rows into #computed-summary and found
#     them equal to the summary the page states;
#   - those counts equal the JSON report's `summary` (same check run);
#   - the filter controls were shown (they stay hidden without JavaScript).
# Usage: tests/html/check.sh REPORT.html REPORT.json   (exit 0 when all hold)
set -euo pipefail

html=$1
json=$2
chromium=${CHROMIUM:-/usr/bin/chromium}
profile=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$profile" "$work"' EXIT

# No network: the page must be self-contained (its CSP forbids loads anyway).
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 \
    --dump-dom "file://$(realpath "$html")" >"$work/dom.html" 2>"$work/stderr.log" || {
    echo "chromium failed:" >&2
    cat "$work/stderr.log" >&2
    exit 1
}

if grep -E ':CONSOLE[(:]|Uncaught|Refused to' "$work/stderr.log" >&2; then
    echo "FAIL: the page wrote to the console (above)" >&2
    exit 1
fi

python3 - "$work/dom.html" "$json" <<'PY'
import json, re, sys

dom = open(sys.argv[1], encoding="utf-8").read()
summary = json.load(open(sys.argv[2], encoding="utf-8"))["summary"]
want = {k.replace("_", "-"): v for k, v in summary.items()}

m = re.search(r'<p id="computed-summary"([^>]*)>([^<]*)</p>', dom)
if not m:
    sys.exit("FAIL: no #computed-summary in the page")
attrs, text = m.group(1), m.group(2)
if "hidden" in attrs:
    sys.exit("FAIL: the page's script did not run (#computed-summary still hidden)")
if 'data-agree="yes"' not in attrs:
    sys.exit(f"FAIL: the rows' counts ({text}) differ from the summary the page states")
computed = {k: int(v) for k, v in (p.split("=") for p in text.split())}
if computed != want:
    sys.exit(f"FAIL: the page counts {computed}, the JSON report says {want}")

stated = {k: int(v) for k, v in re.findall(r'data-count="([a-z-]+)">(\d+)<', dom)}
if stated != want:
    sys.exit(f"FAIL: the page states {stated}, the JSON report says {want}")

if re.search(r'<form id="controls"[^>]*hidden', dom):
    sys.exit("FAIL: the filter controls stayed hidden")
print(f"ok: {sum(want.values())} findings, counts {text}")
PY
