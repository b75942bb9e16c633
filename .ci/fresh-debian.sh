#!/usr/bin/env bash
# Prove the README's two set-up commands on a machine that has nothing extra: a minimal Debian 12
# (bookworm) root file system made with `debootstrap --variant=minbase`, plus this machine's
# Rust toolchain (bind-mounted read-only: Debian's rustc is older than the README's minimum),
# nothing else: not even a C compiler, which rustup does not install either. Inside it, as
# root, in a chroot in a mount namespace of its own, this runs the two lines of README's
# "Quick start" block exactly as written, from a clean clone of a commit of this repository:
#   1. the first line (installs a C compiler and the build's C libraries, then `cargo run
#      --release -- check --offline`), which must exit 1: the sample has findings of high
#      severity (see README);
#   2. `.ci/run`, which must exit 0 (as CI runs it: CI=true, no standard input).
#
# Usage: .ci/fresh-debian.sh [REV]      (REV: a commit of this repository, default HEAD; only
#                                        committed files are copied)
#        .ci/fresh-debian.sh --enter RUN [COMMAND]
#                                        run COMMAND (default: a shell) in /root/capdo of a kept
#                                        run's tree (FRESH_DIR/run-TIME), mounted as for a run:
#                                        to look into a failure, or re-run one test there
# Needs root, debootstrap (installed with apt-get when missing), git, unshare and the network
# (the Debian archive and crates.io). Environment:
#   FRESH_DIR     where the cached tree and the runs go (default /var/tmp/capdo-fresh)
#   FRESH_MIRROR  Debian archive (default http://deb.debian.org/debian)
#   FRESH_KEEP=1  keep the run's tree afterwards (default: deleted when the run passed)
#
# The minimal tree is made once and cached in FRESH_DIR/cache/bookworm-minbase; delete it to
# make a new one. Each run copies it to FRESH_DIR/run-TIME/root, so every run starts fresh.
# Writes FRESH_DIR/run-TIME/log (everything) and prints each stage's wall time.
#
# What differs from a real fresh machine, on purpose:
#   - /usr/sbin/policy-rc.d refuses to start services (as in any chroot build): the packages'
#     daemons (sshd, chronyd, cron, rsyslogd) are installed but never run, like on a CI runner
#     or in a container without systemd. Nothing may rely on them running.
#   - /proc, /sys and /dev are the machine's (network namespaces need them); /run and /dev/shm
#     are fresh tmpfs; the tree is bound on itself, so that its / is a mount point; the network namespace is the machine's (the lab's bridge lives there,
#     so no other lab may be up on this machine during a run).
#   - the machine's resolver (/etc/resolv.conf) and its extra CA certificates
#     (/usr/local/share/ca-certificates) are copied in: the tree reaches the network as the
#     machine does.
#   - the apt package lists are removed from the cached tree, as in container images: the
#     README's first command must work without them.
set -euo pipefail
export LC_ALL=C

FRESH_DIR=${FRESH_DIR:-/var/tmp/capdo-fresh}
FRESH_MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
CACHE=$FRESH_DIR/cache/$SUITE-minbase
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '%(%T)T fresh-debian: %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Inside the private mount namespace (`unshare --mount`): mount, chroot, run the two commands.
# Every mount made here (and by the lab inside) goes with the namespace.
# ---------------------------------------------------------------------------------------------
inner() { # ROOT RUSTUP_HOME CARGO_BIN COMMAND...
    local root=$1 rustup_home=$2 cargo_bin=$3
    shift 3
    mount --make-rprivate /
    # The tree's root must be a mount point, as / is on any machine: `ip netns exec` makes it a
    # slave mount (`mount --make-rslave /`), which fails on a plain directory.
    mount --bind "$root" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --make-rslave "$root/sys"
    mount --rbind /dev "$root/dev"
    mount --make-rslave "$root/dev"
    mount -t tmpfs -o mode=1777,nosuid,nodev devshm "$root/dev/shm"
    mount -t tmpfs -o mode=0755,nosuid,nodev run "$root/run"
    # The toolchain, read-only, at the paths rustup gave it; CARGO_HOME (/root/.cargo: the
    # crates.io index and downloaded crates) stays writable in the tree.
    mkdir -p "$root$rustup_home" "$root/root/.cargo/bin"
    mount --bind "$rustup_home" "$root$rustup_home"
    mount -o remount,bind,ro "$root$rustup_home"
    mount --bind "$cargo_bin" "$root/root/.cargo/bin"
    mount -o remount,bind,ro "$root/root/.cargo/bin"
    exec chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb \
        PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        RUSTUP_HOME="$rustup_home" CARGO_HOME=/root/.cargo CI=true "$@"
}

if [ "${1:-}" = --inner ]; then
    shift
    inner "$@"
fi

# ---------------------------------------------------------------------------------------------
# Outside: the cached tree, the run's copy, the clean clone, and the cleanup.
# ---------------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root"
ENTER=
if [ "${1:-}" = --enter ]; then
    [ $# -ge 2 ] || die "usage: $0 --enter RUN [COMMAND]"
    ENTER=$2
    shift 2
    [ -d "$ENTER/root/root/capdo" ] || die "$ENTER/root/root/capdo: not a kept run"
else
    [ $# -le 1 ] || die "usage: $0 [REV]"
    REV=$(git -C "$REPO" rev-parse --verify "${1:-HEAD}^{commit}") || die "no commit ${1:-HEAD}"
fi
command -v unshare >/dev/null || die "unshare missing (package util-linux)"
command -v chroot >/dev/null || die "chroot missing (package coreutils)"
if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

make_cache() {
    local tmp=$CACHE.tmp
    log "making the minimal tree ($SUITE, minbase) in $CACHE"
    # A half-made tree from an interrupted run: nothing is mounted in it (debootstrap's own
    # mounts went with its mount namespace), but check before deleting.
    if [ -e "$tmp" ]; then
        ! findmnt -rno TARGET | grep -q "^$tmp" || die "something is mounted under $tmp"
        rm -rf --one-file-system "$tmp"
    fi
    mkdir -p "$(dirname "$CACHE")"
    # (In a mount namespace of its own: the /proc and /sys it mounts in the tree go with it,
    # even when it is interrupted.)
    unshare --mount --propagation private -- \
        debootstrap --variant=minbase "$SUITE" "$tmp" "$FRESH_MIRROR" \
        >"$tmp.log" 2>&1 || { tail -n 30 "$tmp.log" >&2; die "debootstrap failed (log: $tmp.log)"; }
    cat >"$tmp/etc/apt/sources.list" <<EOF
deb $FRESH_MIRROR $SUITE main
deb $FRESH_MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
    # As in container images: no package lists (apt-get update comes first).
    find "$tmp/var/lib/apt/lists" -mindepth 1 -maxdepth 1 ! -name lock ! -name partial \
        -exec rm -rf {} +
    rm -f "$tmp"/var/cache/apt/*.bin "$tmp"/var/cache/apt/archives/*.deb
    printf '#!/bin/sh\n# fresh-debian.sh: a chroot starts no services.\nexit 101\n' \
        >"$tmp/usr/sbin/policy-rc.d"
    chmod 0755 "$tmp/usr/sbin/policy-rc.d"
    mv "$tmp.log" "$tmp/debootstrap.log"
    mv "$tmp" "$CACHE"
}

if [ -e /sys/class/net/capdolab0 ] || ip netns list 2>/dev/null | grep -q '^capdolab-'; then
    die "a capdo lab is up on this machine; the run's lab needs its bridge and addresses"
fi
RUSTUP_HOME_DIR=$(rustup show home 2>/dev/null || echo "${RUSTUP_HOME:-$HOME/.rustup}")
CARGO_BIN_DIR=$(dirname "$(command -v cargo)")
[ -d "$RUSTUP_HOME_DIR/toolchains" ] || die "no rustup toolchains in $RUSTUP_HOME_DIR"

# After a run: what a run cut short may have left (the lab tears itself down in the tests'
# Drop). Its hosts are then still running: every process whose root is the tree is the run's
# (a lab host, or a daemon that escaped a test). Their namespaces and veths go with them; the
# bridge stays, and no lab was up when the run started (checked above), so it is the run's.
leftovers() {
    local pid
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ]; then
            log "killing leftover process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80))"
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    if [ -e /sys/class/net/capdolab0 ]; then
        log "deleting the lab bridge capdolab0 left by the run"
        sleep 1
        ip link del capdolab0
    fi
    if ip -o link | grep -qE 'capdolab|clb[0-9]'; then
        log "warning: lab links left on this machine: $(ip -o link | grep -oE '(capdolab[^:@]*|clb[0-9]+)' | sort -u | paste -sd' ')"
    fi
    if findmnt -rno TARGET | grep -q "^$ROOT"; then
        log "warning: still mounted under $ROOT:"
        findmnt -rno TARGET | grep "^$ROOT" >&2
        return 1
    fi
}

if [ -n "$ENTER" ]; then
    ROOT=$(cd "$ENTER/root" && pwd)
    trap 'leftovers' EXIT
    [ $# -gt 0 ] || set -- bash -i
    unshare --mount --propagation private -- "$0" --inner "$ROOT" "$RUSTUP_HOME_DIR" \
        "$CARGO_BIN_DIR" /bin/bash -c 'cd /root/capdo && exec "$@"' enter "$@"
    exit
fi

[ -d "$CACHE" ] || make_cache

RUN=$FRESH_DIR/run-$(date +%Y%m%d-%H%M%S)
ROOT=$RUN/root
LOG=$RUN/log
mkdir -p "$RUN"
log "copying the cached tree to $ROOT"
cp -a "$CACHE" "$ROOT"
# This machine's network set-up: its resolver, and the extra CA certificates its way out
# needs (update-ca-certificates adds them once the README's command installs ca-certificates).
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    mkdir -p "$ROOT/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
fi
log "cloning $REPO at ${REV:0:12} into $ROOT/root/capdo"
git clone -q --no-hardlinks --no-checkout "$REPO" "$ROOT/root/capdo"
git -C "$ROOT/root/capdo" checkout -q --detach "$REV"

# The two commands, read from README's Quick start block (its first ```sh block).
mapfile -t QUICK < <(awk '/^## Quick start/ { q = 1 } q && /^```sh/ { b = 1; next }
    b && /^```/ { exit } b { print }' "$ROOT/root/capdo/README.md")
[ ${#QUICK[@]} = 2 ] || die "README's Quick start block should hold two commands, found ${#QUICK[@]}"
[ "${QUICK[1]}" = .ci/run ] || die "README's second command should be .ci/run, found: ${QUICK[1]}"

# shellcheck disable=SC2016
cat >"$ROOT/root/fresh-run.sh" <<EOF
# Written by .ci/fresh-debian.sh: runs inside the minimal tree.
set -u
cd /root/capdo
t0=\$SECONDS
stage() { printf '== fresh-debian %(%T)T +%ss: %s\n' -1 "\$((SECONDS - t0))" "\$*"; }
stage "toolchain: \$(cargo --version) (\$(command -v cargo)); packages installed: \$(dpkg-query -W | wc -l)"
stage "README 1: ${QUICK[0]}"
( ${QUICK[0]} )
rc=\$?
stage "README 1 exited \$rc"
if [ "\$rc" != 1 ]; then echo "README 1 should exit 1 (findings of high severity), exited \$rc"; exit 10; fi
stage "README 2: bash .ci/run"
bash .ci/run
rc=\$?
stage "README 2 (.ci/run) exited \$rc"
exit \$rc
EOF

cleanup() {
    local rc=$?
    set +e
    if leftovers && [ "$rc" = 0 ] && [ "${FRESH_KEEP:-0}" != 1 ]; then
        rm -rf --one-file-system "$ROOT"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "running README's Quick start in the tree (log: $LOG)"
start=$SECONDS
# In the background, so that a signal reaches the traps at once (bash runs a trap only after
# the foreground command ends).
unshare --mount --propagation private -- "$0" --inner "$ROOT" "$RUSTUP_HOME_DIR" "$CARGO_BIN_DIR" \
    /bin/bash /root/fresh-run.sh </dev/null >"$LOG" 2>&1 &
RUNNER=$!
# The stage lines and test results, as they come (tail ends with the run).
tail --pid="$RUNNER" -n +1 -F "$LOG" 2>/dev/null |
    grep --line-buffered -E '^== |^test result:|FAILED|panicked|^error' &
set +e
wait "$RUNNER"
rc=$?
set -e
wait
log "finished in $((SECONDS - start)) s with exit $rc (log: $LOG)"
exit "$rc"
