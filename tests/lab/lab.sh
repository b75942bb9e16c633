#!/usr/bin/env bash
# capdo test lab: real sshd hosts on this machine, one network namespace each.
#
#   tests/lab/lab.sh up DIR          the profile hosts (good, open, v4only, …; see README.md)
#   tests/lab/lab.sh faults-up DIR   hosts that fail in every way (silent, slam, flood, …)
#   tests/lab/lab.sh bench-up DIR N  N identical "good" hosts, for scan benchmarks
#   tests/lab/lab.sh down DIR        tear down whatever DIR/state records (idempotent)
#   tests/lab/lab.sh doctor [WHO]    what the build, tests and lab need (packages.tsv), as a table
#   tests/lab/lab.sh packages [--markdown|--missing]  the packages of packages.tsv (.ci/run
#                                    installs the --missing ones)
#
# Needs root. Writes DIR/id_ed25519{,.pub}, DIR/known_hosts, DIR/hosts.tsv, DIR/inventory/ and
# DIR/state/ (what `down` needs). Environment: LAB_JOBS (parallel preparation jobs, default 8),
# LAB_READY_TIMEOUT (seconds to wait for every host to answer, default 120), CAPDO (a capdo
# binary: when set, `up` validates the generated inventory with it).
set -euo pipefail
export LC_ALL=C
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umask 022

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROFILES_DIR=$LAB_SRC/profiles
BRIDGE=capdolab0
NS_PREFIX=capdolab-
VETH_PREFIX=clb
GW4=10.231.0.1
GW6=fd00:231::1
NET4=10.231.0.0/16
NET6=fd00:231::/64
FIRST_HOST=10
JOBS=${LAB_JOBS:-8}
READY_TIMEOUT=${LAB_READY_TIMEOUT:-120}
PY=/usr/bin/python3
# The profile lab, in address order: good = 10.231.0.10, open = .11, …
PROFILE_HOSTS=(good open v4only nov6 stale legacy unpriv match siem down wrongkey tarpit)
# The fault lab (`faults-up`), in address order: good = 10.231.0.10, silent = .11, …
FAULT_HOSTS=(good silent slam rekeyed refuser flood garbage sleepy bare sudopw)
# What `bare` hides (in every directory of the collector's PATH), and `garbage` (ps, so that
# the collector reads the raw /proc/*/comm).
BARE_HIDE='nft ss iptables* ip6tables* xtables* arptables* ebtables*'

# No silent exits: say where set -e stopped the script.
set -E
trap 'log "error: line $LINENO: \`$BASH_COMMAND\` failed"' ERR

log() { printf '%(%T)T lab: %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Start time of a process (clock ticks since boot), to tell a recorded PID from a reused one.
proc_start() {
    local stat
    # (not $(<file): with bash 5.2 and set -e a missing file ends the shell even after ||)
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    printf '%s\n' "${20}"
}

# Is PID still the recorded process (same start time) and not just a zombie awaiting its reaper?
proc_alive() { # PID START
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- "$2" $stat
    [ "$2" != Z ] && [ "${21}" = "$1" ]
}

ip4_of() { REPLY="10.231.$(($1 / 256)).$(($1 % 256))"; }
ip6_of() { REPLY="fd00:231::$1"; }

# ---------------------------------------------------------------------------------------------
# Profiles: what differs between hosts. Everything starts as `good`.
# ---------------------------------------------------------------------------------------------
profile_vars() {
    P_MODE=sshd            # sshd | tarpit | slam | none (no namespace at all)
    P_NFT=nft-good.nft     # ruleset file in profiles/, or empty for none loaded
    P_LEGACY=0             # 1: iptables-legacy / ip6tables-legacy rules
    P_SSHD=sshd-good.conf
    P_INCLUDE=0            # 1: sshd_config.d/50-lab.conf (profile match)
    P_CRON=crontab-backup  # /etc/crontab template
    P_BACKUP=fresh         # fresh | old | none: a file in /var/backups/app
    P_FWD=1                # /etc/rsyslog.d/50-siem.conf
    P_AGENT=1              # a running wazuh-agentd
    P_CHRONY=1             # chronyd -x syncing to the bridge
    P_EXTRA=none           # none | http (tcp/8080) | siem (tcp+udp/514)
    P_AUDIT=0              # 1: user audit, key-authorised, no sudo; sudopw: sudo with password
    P_V6=1                 # 0: IPv6 disabled in the namespace
    P_KNOWN=real           # known_hosts entry: real | decoy (another key) | none
    P_AUTHKEY=client       # root's authorized_keys: client (the lab key) | other (another key)
    P_SHELL=               # root's login shell: empty (bash) | flood | sleepy (/opt/lab/*-shell)
    P_GARBAGE=0            # 1: hostile files everywhere (garbage.py)
    P_HIDE=                # binaries hidden from the host (whiteouts in an overlay)
    P_HARDEN=none          # none (the build machine's files) | strict | weak: PAM, pwquality,
                           # faillock, login.defs, TMOUT, logrotate and journald settings
    P_ACCOUNTS=0           # 1: a second uid-0 account and a login account idle for 200 days
    P_APT_LISTS=empty      # empty: a tmpfs on /var/lib/apt/lists | real: the build machine's
                           # (the collector's `apt-get -s` costs ~2.5 s CPU with real lists)
    case $1 in
        good) P_HARDEN=strict P_SSHD=sshd-strict.conf P_APT_LISTS=real ;;
        bench) ;;
        wrongkey | rekeyed) P_KNOWN=decoy ;;
        open)
            P_NFT=nft-empty.nft P_SSHD=sshd-open.conf P_CRON=crontab-plain P_BACKUP=none
            P_FWD=0 P_AGENT=0 P_EXTRA=http ;;
        v4only) P_NFT=nft-v4only.nft ;;
        nov6) P_V6=0 ;;
        stale) P_BACKUP=old ;;
        legacy) P_NFT='' P_LEGACY=1 ;;
        unpriv) P_AUDIT=1 ;;
        match) P_SSHD=sshd-match.conf P_INCLUDE=1 P_HARDEN=weak P_ACCOUNTS=1 ;;
        siem) P_NFT=nft-siem.nft P_CRON=crontab-plain P_BACKUP=none P_FWD=0 P_EXTRA=siem ;;
        down) P_MODE=none P_KNOWN=none ;;
        tarpit | silent | slam)
            P_MODE=tarpit P_NFT='' P_CRON=crontab-plain P_BACKUP=none P_FWD=0 P_AGENT=0
            P_CHRONY=0 P_KNOWN=none
            [ "$1" != slam ] || P_MODE=slam ;;
        refuser) P_AUTHKEY=other ;;
        flood | sleepy) P_SHELL=$1 ;;
        garbage) P_GARBAGE=1 P_HIDE=ps ;;
        bare) P_HIDE=$BARE_HIDE ;;
        sudopw) P_AUDIT=sudopw ;;
        *) die "unknown profile $1" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Teardown: undo whatever DIR/state records. Safe to run twice and after a half-done `up`.
# ---------------------------------------------------------------------------------------------
kill_recorded() { # FILE: lines "PID STARTTIME KIND NAME"; SIGKILL those still the same process
    local file=$1 pid start rest
    [ -f "$file" ] || return 0
    while read -r pid start rest; do
        [ -n "$pid" ] || continue
        [ "$pid" != "$$" ] || continue
        if proc_alive "$pid" "$start"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done <"$file"
}

wait_gone() { # FILE: wait (up to 10 s) until the recorded processes are gone
    local file=$1 pid start rest left i
    [ -f "$file" ] || return 0
    for ((i = 0; i < 100; i++)); do
        left=0
        while read -r pid start rest; do
            [ -n "$pid" ] || continue
            [ "$pid" != "$$" ] || continue
            if proc_alive "$pid" "$start"; then left=1; break; fi
        done <"$file"
        [ "$left" = 1 ] || return 0
        sleep 0.1
    done
    log "warning: recorded processes in $file still alive after 10 s"
}

teardown() {
    # Best effort, whatever fails on the way: run every step.
    (
        set +e
        trap - ERR
        teardown_steps "$1"
    )
}

teardown_steps() {
    local S=$1 ns pids left i link mnt
    [ -d "$S" ] || return 0
    local t0=$SECONDS
    # Processes: the host launchers (unshare --kill-child: SIGKILL ends the host's PID 1 and so
    # its whole PID namespace) and the time server.
    kill_recorded "$S/pids"
    # The time server's own pid file, in case its record line was never written.
    if [ -f "$S/chronyd.pid" ]; then
        local cpid=
        read -r cpid 2>/dev/null <"$S/chronyd.pid" || true
        if [[ $cpid =~ ^[0-9]+$ ]] && grep -qF "$S/chrony-server.conf" "/proc/$cpid/cmdline" 2>/dev/null; then
            kill -KILL "$cpid" 2>/dev/null || true
        fi
    fi
    # Anything still inside a recorded namespace is ours too (a launcher started just before an
    # interrupted `up` could record it).
    if [ -f "$S/netns" ]; then
        while read -r ns; do
            [ -e "/run/netns/$ns" ] || continue
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            # shellcheck disable=SC2086
            [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        done <"$S/netns"
    fi
    wait_gone "$S/pids"
    if [ -f "$S/netns" ]; then
        for ((i = 0; i < 50; i++)); do
            left=0
            while read -r ns; do
                [ -e "/run/netns/$ns" ] || continue
                if [ -n "$(ip netns pids "$ns" 2>/dev/null || true)" ]; then left=1; break; fi
            done <"$S/netns"
            [ "$left" = 1 ] || break
            sleep 0.2
        done
        [ "$left" = 0 ] || log "warning: processes left in lab namespaces; deleting them anyway"
        while read -r ns; do
            [ -e "/run/netns/$ns" ] && echo "netns del $ns"
        done <"$S/netns" | ip -force -batch - 2>/dev/null || true
    fi
    if [ -f "$S/bridge" ] && [ -e "/sys/class/net/$(<"$S/bridge")" ]; then
        local br
        br=$(<"$S/bridge")
        # veths vanish with their namespace; remove any still in our bridge.
        if [ -f "$S/links" ]; then
            while read -r link; do
                [ "$(readlink "/sys/class/net/$link/master" 2>/dev/null)" = "../$br" ] &&
                    echo "link del $link"
            done <"$S/links" | ip -force -batch - 2>/dev/null || true
        fi
        ip link del "$br" || log "warning: cannot delete bridge $br"
    fi
    if [ -f "$S/mounts" ]; then
        while read -r mnt; do
            if mountpoint -q "$mnt"; then
                umount "$mnt" 2>/dev/null || umount -l "$mnt" || log "warning: cannot unmount $mnt"
            fi
        done < <(tac "$S/mounts")
    fi
    rm -rf --one-file-system "$S"
    log "teardown done in $((SECONDS - t0)) s"
}

cmd_down() {
    local dir=$1 S=$1/state
    [ -d "$S" ] || { log "nothing to tear down in $dir"; return 0; }
    exec 9>>"$S/lock"
    if ! flock -n 9; then
        # An `up` is still running (or was killed and left workers): stop it and its workers,
        # then wait for every holder of the lock to be gone.
        log "another lab.sh is working on $dir: stopping its up, waiting for the lock"
        kill_recorded "$S/up.pid"
        kill_recorded "$S/workers"
        flock -w 30 9 || log "warning: lock still held after 30 s; tearing down anyway"
    fi
    teardown "$S"
}

# ---------------------------------------------------------------------------------------------
# Bring-up
# ---------------------------------------------------------------------------------------------
H_NAME=() H_NUM=() H_PROF=()

# ---------------------------------------------------------------------------------------------
# Prerequisites: packages.tsv lists every command and path the lab and the tests rely on, with
# the Debian package that provides it (.ci/run installs them all).
# ---------------------------------------------------------------------------------------------
PK_PKG=() PK_CHECK=() PK_FOR=() PK_WHY=()
read_packages() {
    local pkg check for why
    [ ${#PK_PKG[@]} = 0 ] || return 0
    while IFS=$'\t' read -r pkg check for why; do
        case $pkg in '' | '#'*) continue ;; esac
        [ -n "$why" ] || die "packages.tsv: a row needs 4 TAB-separated columns: $pkg $check"
        PK_PKG+=("$pkg") PK_CHECK+=("$check") PK_FOR+=("$for") PK_WHY+=("$why")
    done <"$LAB_SRC/packages.tsv"
}

# `packages`: the package names, one a line, in order.
# `packages --missing`: those with a row this machine does not meet (what .ci/run installs).
# `packages --markdown`: the block tests/lab/README.md shows.
cmd_packages() {
    read_packages
    local i p seen=' ' names=()
    for p in "${PK_PKG[@]}"; do
        [[ $seen == *" $p "* ]] || { seen+="$p "; names+=("$p"); }
    done
    if [ "${1:-}" = --missing ]; then
        # Only the packages with a row this machine does not meet (directories aside: `up`
        # creates them). A command already given by another source is not reinstalled: this
        # kind of machine has Node.js and npm from NodeSource, whose nodejs conflicts with
        # Debian's npm package.
        for p in "${names[@]}"; do
            for i in "${!PK_PKG[@]}"; do
                [ "${PK_PKG[$i]}" = "$p" ] || continue
                [[ ${PK_CHECK[$i]} == dir:* ]] && continue
                check_row "${PK_CHECK[$i]}" || { printf '%s\n' "$p"; break; }
            done
        done
        return
    fi
    if [ "${1:-}" != --markdown ]; then
        printf '%s\n' "${names[@]}"
        return
    fi
    printf '<!-- generated from packages.tsv by `tests/lab/lab.sh packages --markdown`; tests/lab_doctor.rs checks it -->\n'
    printf '```sh\napt-get install -y %s\n```\n\n' "${names[*]}"
    printf '| package | what is used, by whom (build, test, lab, faults, bench), what for |\n|---|---|\n'
    for p in "${names[@]}"; do
        printf '| `%s` |' "$p"
        local sep=' '
        for i in "${!PK_PKG[@]}"; do
            [ "${PK_PKG[$i]}" = "$p" ] || continue
            printf '%s`%s` (%s): %s' "$sep" "${PK_CHECK[$i]#*:}" "${PK_FOR[$i]//,/, }" "${PK_WHY[$i]//|/\\|}"
            sep='; '
        done
        printf ' |\n'
    done
    printf '<!-- end of the list generated from packages.tsv -->\n'
}

# One row's state: sets REPLY to what was found; returns 1 when it is missing.
check_row() { # CHECK
    local kind=${1%%:*} what=${1#*:}
    case $kind in
        # (type -P: an executable file, not a shell builtin such as kill)
        cmd) REPLY=$(type -P "$what") || { REPLY=; return 1; } ;;
        path) REPLY=$what; [ -e "$what" ] || return 1 ;;
        dir) REPLY=$what; [ -d "$what" ] || return 1 ;;
        pc)
            command -v pkg-config >/dev/null && pkg-config --exists "$what" || { REPLY=; return 1; }
            REPLY="$what $(pkg-config --modversion "$what")" ;;
        *) die "packages.tsv: unknown check $1" ;;
    esac
}

# `doctor [WHO...]`: check every row used by WHO (build test lab faults bench; default all)
# and print them as one table. Exits 1, naming the packages to install, when one is missing.
# Directories (dir:) are never fatal: `up` creates a missing one.
cmd_doctor() {
    read_packages
    local who=("$@") i w use state missing=() table=() row
    [ ${#who[@]} -gt 0 ] || who=(build test lab faults bench)
    for i in "${!PK_PKG[@]}"; do
        use=0
        for w in "${who[@]}"; do [[ ,${PK_FOR[$i]}, == *,$w,* ]] && use=1; done
        [ "$use" = 1 ] || continue
        if check_row "${PK_CHECK[$i]}"; then
            state="ok ($REPLY)"
            [[ ${PK_CHECK[$i]} == path:* || ${PK_CHECK[$i]} == dir:* ]] && state=ok
        elif [[ ${PK_CHECK[$i]} == dir:* ]]; then
            state="absent: lab.sh up creates it"
        else
            state=MISSING
            [[ " ${missing[*]} " == *" ${PK_PKG[$i]} "* ]] || missing+=("${PK_PKG[$i]}")
        fi
        printf -v row '%-40s %-16s %-14s %s' "${PK_CHECK[$i]}" "${PK_PKG[$i]}" "${PK_FOR[$i]}" "$state"
        table+=("$row")
    done
    if [ "${DOCTOR_QUIET:-0}" != 1 ] || [ ${#missing[@]} -gt 0 ]; then
        printf '%-40s %-16s %-14s %s\n' "what" "package" "for" "state"
        printf '%s\n' "${table[@]}" | { if [ "${DOCTOR_QUIET:-0}" = 1 ]; then grep ' MISSING$'; else cat; fi; }
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        log "error: missing packages: ${missing[*]}; install them with: apt-get install -y ${missing[*]}"
        return 1
    fi
}

# `up` runs the doctor first: a missing tool stops it at once, with its package's name.
need_tools() { # MODE
    local who=(lab) i d
    [ "$1" != faults ] || who+=(faults)
    [ "$(id -u)" = 0 ] || die "must run as root"
    DOCTOR_QUIET=1 cmd_doctor "${who[@]}" >&2 || die "the lab cannot start: see the missing packages above"
    # Directories the lab mounts over (and sshd -t's /run/sshd): made here when a package that
    # would have made them is absent (no cron: no /var/spool/cron; no ssh service: no
    # /run/sshd), instead of every host failing at its first mount.
    for i in "${!PK_PKG[@]}"; do
        [[ ${PK_CHECK[$i]} == dir:* ]] || continue
        d=${PK_CHECK[$i]#dir:}
        [ ! -d "$d" ] || continue
        log "creating $d (package ${PK_PKG[$i]} is not installed or did not make it)"
        mkdir -p -m 0755 "$d"
    done
}

# Password, lockout, idle-timeout and log-retention settings (the facts password.*, lockout.*,
# session.tmout, logging.logrotate_days, logging.journald_*): `strict` meets a ministry
# baseline, `weak` sets each one too loosely. Needs subst (prep_host's).
harden_host() { # HOSTDIR strict|weak
    local H=$1 level=$2
    mkdir -p "$H/upper/pam.d" "$H/upper/security" "$H/upper/profile.d" \
        "$H/upper/systemd/journald.conf.d"
    subst "pam-common-password-$level" "$H/upper/pam.d/common-password"
    subst "pam-common-auth-$level" "$H/upper/pam.d/common-auth"
    subst "tmout-$level.sh" "$H/upper/profile.d/capdo-lab-tmout.sh"
    subst "journald-$level.conf" "$H/upper/systemd/journald.conf.d/50-lab.conf"
    if [ "$level" = strict ]; then
        mkdir -p "$H/upper/security/pwquality.conf.d" "$H/upper/logrotate.d"
        subst pwquality-strict.conf "$H/upper/security/pwquality.conf.d/50-lab.conf"
        subst faillock-strict.conf "$H/upper/security/faillock.conf"
        subst logrotate-strict "$H/upper/logrotate.d/rsyslog"
        sed 's/^PASS_MAX_DAYS[[:space:]].*/PASS_MAX_DAYS\t90/' /etc/login.defs >"$H/upper/login.defs"
    fi
}

# A second uid-0 account (toor, no password, no home with keys) and a login account (oldadmin,
# no usable password) whose last login was 200 days ago (a lastlog record by uid).
extra_accounts() { # HOSTDIR
    local H=$1 uid
    uid=$(awk -F: -v a="$AUDIT_UID" 'BEGIN { u = a + 1 } { used[$3] = 1 } END { while (u in used) u++; print u }' /etc/passwd)
    [ -f "$H/upper/passwd" ] || cp /etc/passwd "$H/upper/passwd"
    [ -f "$H/upper/group" ] || cp /etc/group "$H/upper/group"
    if [ ! -f "$H/upper/shadow" ]; then
        cp /etc/shadow "$H/upper/shadow"
        chmod 0640 "$H/upper/shadow"
        chgrp shadow "$H/upper/shadow" 2>/dev/null || true
    fi
    printf 'toor:x:0:0:capdo lab second root:/nonexistent:/bin/sh\n' >>"$H/upper/passwd"
    printf 'oldadmin:x:%s:%s:capdo lab idle admin:/nonexistent:/bin/bash\n' "$uid" "$uid" >>"$H/upper/passwd"
    printf 'oldadmin:x:%s:\n' "$uid" >>"$H/upper/group"
    # `*` is locked (passwd -S: L); oldadmin's field is no valid hash: status P, yet no
    # password matches it.
    printf 'toor:*:20000:0:99999:7:::\noldadmin:capdo-lab-no-password:20000:0:99999:7:::\n' >>"$H/upper/shadow"
    # struct lastlog { int32 ll_time; char ll_line[32]; char ll_host[256]; } at uid * 292.
    "$PY" -c 'import struct, sys, time
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]) * 292)
    f.write(struct.pack("<i32s256s", int(time.time()) - 200 * 86400, b"pts/0", b"10.231.0.1"))' \
        "$H/varlog/lastlog" "$uid"
}

# Write one host's files under $FS/hosts/NAME (becomes the host's /etc upper dir, /var/backups, …).
prep_host() {
    local i=$1 name=${H_NAME[$1]} n=${H_NUM[$1]} prof=${H_PROF[$1]}
    local H=$FS/hosts/$name ip4 ip6 tpl
    profile_vars "$prof"
    [ "$P_MODE" != none ] || return 0
    ip4_of "$n"; ip4=$REPLY
    ip6=
    if [ "$P_V6" = 1 ]; then ip6_of "$n"; ip6=$REPLY; fi
    mkdir -p "$H/upper/ssh" "$H/upper/chrony" "$H/upper/rsyslog.d" \
        "$H/work" "$H/backups/app" "$H/spool/crontabs" "$H/varlog" "$H/opt/lab" \
        "$H/opt/wazuh/bin"
    : >"$H/log"
    : >"$H/varlog/wtmp"
    : >"$H/varlog/btmp"
    : >"$H/varlog/lastlog"
    cat >"$H/host.env" <<EOF
HOST_NAME=$name
HOST_PROFILE=$prof
HOST_IP4=$ip4
HOST_IP6=$ip6
HOST_NFT=$P_NFT
HOST_LEGACY=$P_LEGACY
HOST_CHRONY=$P_CHRONY
HOST_AGENT=$P_AGENT
HOST_EXTRA=$P_EXTRA
HOST_MODE=$P_MODE
HOST_FS=$FS
HOST_AUDIT_UID=$(if [ "$P_AUDIT" != 0 ]; then echo "$AUDIT_UID"; fi)
HOST_APT_LISTS=$P_APT_LISTS
EOF
    if [ "$P_AUTHKEY" = other ]; then
        printf '%s\n' "$OTHER_PUB" >"$H/authorized_keys"
    else
        printf '%s\n' "$CLIENT_PUB" >"$H/authorized_keys"
    fi
    printf '%s\n' "$name" >"$H/upper/hostname"
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n' \
        "$ip4" "$name" >"$H/upper/hosts"
    subst() { # TEMPLATE OUT
        tpl=$(<"$PROFILES_DIR/$1")
        tpl=${tpl//@NAME@/$name}
        tpl=${tpl//@PROFILE@/$prof}
        tpl=${tpl//@SIEM@/$SIEM_IP4}
        printf '%s\n' "$tpl" >"$2"
    }
    subst "$P_SSHD" "$H/upper/ssh/sshd_config"
    if [ "$P_INCLUDE" = 1 ]; then
        mkdir -p "$H/upper/ssh/sshd_config.d"
        # Opaque: the host sees only this file in sshd_config.d, not the build machine's.
        "$PY" -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' \
            "$H/upper/ssh/sshd_config.d"
        subst sshd-match-include.conf "$H/upper/ssh/sshd_config.d/50-lab.conf"
    fi
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$H/upper/ssh/ssh_host_ed25519_key"
    subst "$P_CRON" "$H/upper/crontab"
    [ "$P_FWD" = 0 ] || subst rsyslog-siem.conf "$H/upper/rsyslog.d/50-siem.conf"
    [ "$P_CHRONY" = 0 ] || subst chrony-client.conf "$H/upper/chrony/chrony.conf"
    [ -z "$P_NFT" ] || subst "$P_NFT" "$H/upper/nftables.conf"
    if [ "$P_LEGACY" = 1 ]; then
        mkdir -p "$H/upper/iptables"
        subst iptables-legacy.rules.v4 "$H/upper/iptables/rules.v4"
        subst iptables-legacy.rules.v6 "$H/upper/iptables/rules.v6"
    fi
    if [ "$P_AUDIT" != 0 ] || [ -n "$P_SHELL" ]; then
        # root's login shell (flood, sleepy) is the wrapper in the host's /opt/lab.
        {
            awk -F: -v OFS=: -v sh="${P_SHELL:+/opt/lab/$P_SHELL-shell}" \
                '$1 == "root" && sh != "" { $7 = sh } { print }' /etc/passwd
            [ "$P_AUDIT" = 0 ] ||
                echo "audit:x:$AUDIT_UID:$AUDIT_UID:capdo lab auditor:/home/audit:/bin/bash"
        } >"$H/upper/passwd"
        [ -z "$P_SHELL" ] || install -m 0755 "$PROFILES_DIR/shell-$P_SHELL" "$H/opt/lab/$P_SHELL-shell"
    fi
    if [ "$P_AUDIT" != 0 ]; then
        { cat /etc/group; echo "audit:x:$AUDIT_UID:"; } >"$H/upper/group"
        { cat /etc/shadow; echo "audit:*:20000:0:99999:7:::"; } >"$H/upper/shadow"
        chmod 0640 "$H/upper/shadow"
        chgrp shadow "$H/upper/shadow" 2>/dev/null || true
    fi
    [ "$P_HARDEN" = none ] || harden_host "$H" "$P_HARDEN"
    [ "$P_ACCOUNTS" = 0 ] || extra_accounts "$H"
    # sudo's mail must not reach the build machine's MTA (and its /var/spool).
    mkdir -p "$H/upper/sudoers.d"
    subst sudoers-mail "$H/upper/sudoers.d/capdo-lab-mail"
    chmod 0440 "$H/upper/sudoers.d/capdo-lab-mail"
    install -m 0755 "$PROFILES_DIR/sudo-mail" "$H/opt/lab/sudo-mail"
    # Debian's sudo runs its mailer as the invoking user (--disable-root-mailer).
    install -m 0622 /dev/null "$H/varlog/sudo-mail.log"
    if [ "$P_AUDIT" = sudopw ]; then
        subst sudoers-audit "$H/upper/sudoers.d/capdo-lab-audit"
        chmod 0440 "$H/upper/sudoers.d/capdo-lab-audit"
    fi
    case $P_BACKUP in
        fresh) printf 'capdo lab backup of %s\n' "$name" >"$H/backups/app/app-$TODAY.tar.gz" ;;
        old)
            printf 'capdo lab backup of %s\n' "$name" >"$H/backups/app/app-$OLD_DAY.tar.gz"
            touch -d '10 days ago' "$H/backups/app/app-$OLD_DAY.tar.gz" ;;
        none) ;;
    esac
    chmod 1730 "$H/spool/crontabs"
    [ "$P_AGENT" = 0 ] || cp /bin/sleep "$H/opt/wazuh/bin/wazuh-agentd"
    [ "$P_EXTRA" != siem ] || cp "$LAB_SRC/siem.py" "$H/opt/lab/"
    case $P_MODE in tarpit | slam) cp "$LAB_SRC/tarpit.py" "$H/opt/lab/" ;; esac
    # (garbage.py dies with this worker: $BASHPID.)
    [ "$P_GARBAGE" = 0 ] || "$PY" "$LAB_SRC/garbage.py" "$H" "$BASHPID"
    [ -z "$P_HIDE" ] || hide_binaries "$H" "$P_HIDE"
}

# Hide binaries from a host: for each directory of the collector's PATH that holds one of them,
# an overlay upper dir with a whiteout per name. host-init.sh mounts each hide/N over
# hide/N/target; everything else in the directory stays (sshd, chronyd, ip, ps, …).
hide_binaries() { # HOSTDIR "NAME-OR-GLOB ..."
    local H=$1 d real seen=' ' pat f n=0 up pats
    read -r -a pats <<<"$2" # split without globbing here
    for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
        real=$(readlink -f "$d") || continue
        if [ ! -d "$real" ] || [[ $seen == *" $real "* ]]; then continue; fi
        seen+="$real "
        up=$H/hide/$n/upper
        for pat in "${pats[@]}"; do
            for f in "$real"/$pat; do
                [ -e "$f" ] || [ -L "$f" ] || continue
                mkdir -p "$up"
                mknod "$up/${f##*/}" c 0 0
            done
        done
        if [ -d "$up" ]; then
            mkdir -p "$H/hide/$n/work"
            printf '%s\n' "$real" >"$H/hide/$n/target"
            n=$((n + 1))
        fi
    done
    [ "$n" -gt 0 ] || die "nothing to hide for $2"
}

# Run prep_host for every host, in JOBS parallel workers.
prep_all() {
    local w i pids=() rc=0
    for ((w = 0; w < JOBS; w++)); do
        (
            # Record this worker first, so that `down` can stop it if `up` dies.
            echo "$BASHPID $(proc_start "$BASHPID") worker $w" >>"$S/workers"
            for ((i = w; i < ${#H_NAME[@]}; i += JOBS)); do prep_host "$i"; done
        ) &
        pids+=($!)
    done
    for w in "${pids[@]}"; do wait "$w" || rc=1; done
    [ "$rc" = 0 ] || die "preparing host files failed"
}

start_time_server() {
    local conf=$S/chrony-server.conf tpl
    tpl=$(<"$PROFILES_DIR/chrony-server.conf")
    printf '%s\n' "${tpl//@STATE@/$S}" >"$conf"
    # The wrapper records its own PID (= chronyd's, after exec) while it still holds the lock,
    # so `down` never misses the time server, however `up` is interrupted.
    # shellcheck disable=SC2016
    setsid bash -c 'pids=$1 conf=$2 st=$(</proc/$$/stat); st=${st##*) }; set -- $st
        echo "$$ ${20} chronyd-server -" >>"$pids"
        exec 9>&- chronyd -x -d -f "$conf"' time-server "$S/pids" "$conf" \
        </dev/null >>"$S/chronyd.log" 2>&1 &
    disown $!
}

launch_hosts() {
    local i name H ns
    for i in "${!H_NAME[@]}"; do
        name=${H_NAME[$i]}
        profile_vars "${H_PROF[$i]}"
        [ "$P_MODE" != none ] || continue
        H=$FS/hosts/$name ns=$NS_PREFIX$name
        # setsid: out of the caller's process group (no Ctrl-C from its terminal). In a shell
        # without job control setsid does not fork, so $! is the launcher itself.
        setsid ip netns exec "$ns" unshare --mount --uts --pid --fork --kill-child --mount-proc \
            /bin/bash "$LAB_SRC/host-init.sh" "$H" </dev/null >>"$H/log" 2>&1 9>&- &
        echo "$! $(proc_start $! || echo 0) launcher $name" >>"$S/pids"
        disown $! # no "Killed" job notices from this shell at teardown
    done
}

make_network() {
    local i name ns n link
    # Record first, create second: a teardown after an interruption finds everything.
    echo "$BRIDGE" >"$S/bridge"
    ip link add "$BRIDGE" type bridge mcast_snooping 0
    echo 0 >"/proc/sys/net/ipv6/conf/$BRIDGE/accept_dad" || true
    ip addr add "$GW4/16" dev "$BRIDGE"
    ip addr add "$GW6/64" dev "$BRIDGE" nodad
    ip link set "$BRIDGE" up
    for i in "${!H_NAME[@]}"; do
        profile_vars "${H_PROF[$i]}"
        [ "$P_MODE" != none ] || continue
        echo "$NS_PREFIX${H_NAME[$i]}" >>"$S/netns"
        echo "$VETH_PREFIX${H_NUM[$i]}" >>"$S/links"
    done
    while read -r ns; do echo "netns add $ns"; done <"$S/netns" | ip -batch -
    # Hosts without IPv6: disable it before the veth appears, so the veth never gets any.
    for i in "${!H_NAME[@]}"; do
        profile_vars "${H_PROF[$i]}"
        if [ "$P_MODE" != none ] && [ "$P_V6" = 0 ]; then
            ip netns exec "$NS_PREFIX${H_NAME[$i]}" sysctl -q -w \
                net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        fi
    done
    for i in "${!H_NAME[@]}"; do
        profile_vars "${H_PROF[$i]}"
        [ "$P_MODE" != none ] || continue
        ns=$NS_PREFIX${H_NAME[$i]} link=$VETH_PREFIX${H_NUM[$i]}
        echo "link add $link type veth peer name eth0 netns $ns"
        echo "link set $link master $BRIDGE up"
    done | ip -batch -
    # The bridge ports need no addresses of their own.
    while read -r link; do
        echo 1 >"/proc/sys/net/ipv6/conf/$link/disable_ipv6" || true
    done <"$S/links"
}

write_outputs() {
    local i name n prof ip4 ip6 key
    : >"$DIR/known_hosts"
    : >"$DIR/hosts.tsv"
    for i in "${!H_NAME[@]}"; do
        name=${H_NAME[$i]} n=${H_NUM[$i]} prof=${H_PROF[$i]}
        profile_vars "$prof"
        ip4_of "$n"; ip4=$REPLY
        ip6_of "$n"; ip6=$REPLY
        if [ "$P_KNOWN" != none ]; then
            if [ "$P_KNOWN" = decoy ]; then
                key=$(<"$S/wrongkey-decoy.pub")
            else
                key=$(<"$FS/hosts/$name/upper/ssh/ssh_host_ed25519_key.pub")
            fi
            key=${key% *} # drop the comment
            printf '%s %s\n%s %s\n' "$ip4" "$key" "$ip6" "$key" >>"$DIR/known_hosts"
        fi
        printf '%s\t%s\t%s\t%s\n' "$name" "$ip4" "$([ "$P_V6" = 1 ] && echo "$ip6" || echo -)" \
            "$prof" >>"$DIR/hosts.tsv"
    done
    write_inventory
}

# One [servers.X] block.
server_toml() { # NAME NUM PROFILE ROLES SERVICES BACKUP_TO EXTRA_LINE
    local name=$1 n=$2 prof=$3 roles=$4 services=$5 backup_to=$6 extra=${7:-} ip4 ip6
    ip4_of "$n"; ip4=$REPLY
    ip6_of "$n"; ip6=$REPLY
    printf '\n[servers.%s]\n' "$name"
    printf 'name = "%s"\n' "$(profile_title "$prof")"
    printf 'network = "lab-net"\naddress = ["%s", "%s"]\nos = "Debian 12"\n' "$ip4" "$ip6"
    printf 'roles = %s\nservices = %s\nipv6 = true\nagents = ["wazuh-agentd"]\n' "$roles" "$services"
    [ -z "$backup_to" ] ||
        printf 'backup = { to = "%s", schedule = "daily", path = "/var/backups/app" }\n' "$backup_to"
    [ -z "$extra" ] || printf '%s\n' "$extra"
}

profile_title() {
    case $1 in
        good) echo "good: hardened reference host" ;;
        open) echo "open: no firewall, root and password login, no backup, no agent, extra listener" ;;
        v4only) echo "v4only: IPv4-only firewall, IPv6 wide open" ;;
        nov6) echo "nov6: IPv6 disabled though the inventory wants it" ;;
        stale) echo "stale: newest backup 10 days old" ;;
        legacy) echo "legacy: iptables-legacy firewall" ;;
        unpriv) echo "unpriv: audited as an unprivileged user without sudo" ;;
        match) echo "match: root login allowed by a Match block, Include'd sshd config" ;;
        siem) echo "siem: SIEM collector and backup target" ;;
        down) echo "down: nothing answers at this address" ;;
        wrongkey) echo "wrongkey: host key differs from known_hosts" ;;
        tarpit) echo "tarpit: accepts TCP on 22 and never sends a banner" ;;
        bench) echo "bench: identical good host" ;;
        silent) echo "silent: accepts TCP on 22 and never speaks" ;;
        slam) echo "slam: accepts TCP on 22 and closes it at once" ;;
        rekeyed) echo "rekeyed: known_hosts holds another key" ;;
        refuser) echo "refuser: sshd does not accept the client key" ;;
        flood) echo "flood: root's login shell prints 50 MB before running the command" ;;
        garbage) echo "garbage: every file the collector reads is hostile" ;;
        sleepy) echo "sleepy: root's login shell sleeps 30 s before running the command" ;;
        bare) echo "bare: no nft, ss or iptables on the host" ;;
        sudopw) echo "sudopw: audited as audit, whose sudo needs a password" ;;
    esac
}

write_inventory() {
    local inv=$DIR/inventory i name list assessed
    rm -rf "$inv"
    mkdir -p "$inv"
    ln -s ../id_ed25519 "$inv/id_ed25519"
    ln -s ../id_ed25519.pub "$inv/id_ed25519.pub"
    ln -s ../known_hosts "$inv/known_hosts"
    assessed=$(date -d '30 days ago' +%F)
    cat >"$inv/organization.toml" <<EOF
# Generated by tests/lab/lab.sh: the capdo test lab (real sshd hosts in network namespaces).
[organization]
name = "capdo test lab"
owner = "capdo project"
security_unit = "capdo lab security unit"
operator = "capdo lab operator"
regime = "nd85"

[organization.protection]
onsite_team = "capdo lab on-site security team"
monitoring_provider = "capdo lab SOC"
last_assessment = $assessed
assessor = "capdo lab independent assessor"
national_monitoring = true
measures = ["waf", "anti-ddos", "db-firewall", "nac", "siem", "pam", "dlp", "vpn", "edr", "ips", "nms"]

[defaults.ssh]
user = "root"
port = 22
identity = "id_ed25519"
known_hosts = "known_hosts"
timeout = 5
sudo = false
EOF
    cat >"$inv/network.toml" <<EOF
[datacenters.lab]
name = "capdo test lab (network namespaces on one machine)"

[networks.lab-net]
name = "lab bridge $BRIDGE"
datacenter = "lab"
zone = "server"
cidr = ["$NET4", "$NET6"]
EOF
    {
        echo "# One server per lab host; see tests/lab/README.md for what each one is."
        if [ "$MODE" = faults ]; then
            # good is the SIEM (like bench001): every fault host forwards to it and backs up to
            # it, so their controls have something to pass against if their facts are read.
            for i in "${!H_NAME[@]}"; do
                name=${H_NAME[$i]}
                case $name in
                    good) server_toml good "${H_NUM[$i]}" good '["app", "siem", "backup"]' \
                        '["tcp/22"]' sudopw ;;
                    sudopw) server_toml "$name" "${H_NUM[$i]}" "$name" '["app"]' '["tcp/22"]' \
                        good 'ssh = { user = "audit", sudo = true }' ;;
                    *) server_toml "$name" "${H_NUM[$i]}" "$name" '["app"]' '["tcp/22"]' good ;;
                esac
            done
        elif [ "$MODE" = profile ]; then
            for i in "${!H_NAME[@]}"; do
                name=${H_NAME[$i]}
                case $name in
                    siem) server_toml siem "${H_NUM[$i]}" siem '["siem", "backup"]' \
                        '["tcp/514", "udp/514"]' "" ;;
                    unpriv) server_toml "$name" "${H_NUM[$i]}" "$name" '["app"]' '["tcp/22"]' \
                        siem 'ssh = { user = "audit" }' ;;
                    *) server_toml "$name" "${H_NUM[$i]}" "$name" '["app"]' '["tcp/22"]' siem ;;
                esac
            done
        else
            for i in "${!H_NAME[@]}"; do
                if [ "$i" = 0 ]; then
                    server_toml "${H_NAME[0]}" "${H_NUM[0]}" bench '["app", "siem", "backup"]' \
                        '["tcp/22"]' "${H_NAME[1]:-}"
                else
                    server_toml "${H_NAME[$i]}" "${H_NUM[$i]}" bench '["app"]' '["tcp/22"]' \
                        "${H_NAME[0]}"
                fi
            done
        fi
    } >"$inv/servers.toml"
    if [ "$MODE" = profile ]; then
        list=
        for name in "${H_NAME[@]}"; do
            [ "$name" = siem ] || list+="${list:+, }\"$name\""
        done
        cat >"$inv/systems.toml" <<EOF
[systems.lab-app]
name = "Lab application (every profile host but the SIEM)"
kind = "internal"
information = ["private"]
level = 3
approval = { status = "approved", decision = "1/QĐ-LAB", date = 2025-01-15 }
servers = [$list]
depends_on = ["lab-soc"]

[systems.lab-soc]
name = "Lab security operations (SIEM collector, backup repository)"
kind = "internal"
information = ["private"]
level = 3
approval = { status = "approved", decision = "2/QĐ-LAB", date = 2025-01-15 }
servers = ["siem"]
EOF
    elif [ "$MODE" = faults ]; then
        list=
        for name in "${H_NAME[@]}"; do list+="${list:+, }\"$name\""; done
        cat >"$inv/systems.toml" <<EOF
[systems.lab-faults]
name = "Fault lab: hosts that fail in every way, and one good host"
kind = "internal"
information = ["private"]
level = 3
approval = { status = "approved", decision = "4/QĐ-LAB", date = 2025-01-15 }
servers = [$list]
EOF
    else
        list=
        for name in "${H_NAME[@]}"; do list+="${list:+, }\"$name\""; done
        cat >"$inv/systems.toml" <<EOF
[systems.bench]
name = "Scan benchmark: ${#H_NAME[@]} identical good hosts"
kind = "internal"
information = ["private"]
level = 3
approval = { status = "approved", decision = "3/QĐ-LAB", date = 2025-01-15 }
servers = [$list]
EOF
    fi
}

on_up_exit() {
    local rc=$?
    if [ "${UP_DONE:-0}" != 1 ] && [ -n "${S:-}" ]; then
        trap - EXIT INT TERM
        log "up failed (exit $rc): tearing down what it started"
        kill_recorded "$S/workers"
        local pid rest
        if [ -f "$S/workers" ]; then
            while read -r pid rest; do wait "$pid" 2>/dev/null || true; done <"$S/workers"
        fi
        disown -a # no "Killed" job notices for the launchers teardown kills
        teardown "$S" || true
    fi
    exit "$rc"
}

lab_up() { # DIR MODE
    DIR=$1 MODE=$2
    need_tools "$MODE"
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    # The path goes into overlayfs mount options, which split on ',' and ':'.
    [[ $DIR != *[,:[:space:]]* ]] || die "DIR must not contain spaces, ',' or ':': $DIR"
    S=$DIR/state
    if [ -e "$S" ] && [ -n "$(ls -A "$S" 2>/dev/null)" ]; then
        die "$S exists: a lab may still be up there; run: $0 down $DIR"
    fi
    [ ! -e "/sys/class/net/$BRIDGE" ] || die "bridge $BRIDGE exists: another lab is up (run down on its DIR)"
    if compgen -G "/sys/class/net/${VETH_PREFIX}[0-9]*" >/dev/null; then
        die "links $VETH_PREFIX<N> exist: another lab is up (run down on its DIR)"
    fi
    if ip netns list | grep -q "^$NS_PREFIX"; then
        die "network namespaces $NS_PREFIX* exist: another lab is up (run down on its DIR)"
    fi
    mkdir -p "$S"
    exec 9>>"$S/lock"
    flock -n 9 || die "another lab.sh is working on $DIR"
    UP_DONE=0
    trap on_up_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    echo "$$ $(proc_start $$) up -" >"$S/up.pid"
    local t0=$SECONDS i
    log "bringing up ${#H_NAME[@]} hosts in $DIR"

    # Per-host files live on one tmpfs: fast to write, gone at teardown, and an overlayfs
    # upper dir works there whatever file system DIR is on.
    FS=$S/fs
    mkdir -p "$FS"
    echo "$FS" >>"$S/mounts"
    mount -t tmpfs -o mode=0755,size=1g capdolab-state "$FS"
    mkdir -p "$FS/hosts"

    rm -f "$DIR/id_ed25519" "$DIR/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C capdo-lab-client -f "$DIR/id_ed25519"
    CLIENT_PUB=$(<"$DIR/id_ed25519.pub")
    ssh-keygen -q -t ed25519 -N '' -C decoy -f "$S/wrongkey-decoy"
    # The key `refuser` authorises instead of the client's.
    ssh-keygen -q -t ed25519 -N '' -C other-client -f "$S/other-client"
    OTHER_PUB=$(<"$S/other-client.pub")
    TODAY=$(date +%Y%m%d)
    OLD_DAY=$(date -d '10 days ago' +%Y%m%d)
    AUDIT_UID=$(awk -F: 'BEGIN { u = 1000 } { used[$3] = 1 } END { while (u in used) u++; print u }' /etc/passwd)
    SIEM_IP4=
    for i in "${!H_NAME[@]}"; do
        if [ "${H_NAME[$i]}" = siem ] || { [ "$MODE" != profile ] && [ "$i" = 0 ]; }; then
            ip4_of "${H_NUM[$i]}"; SIEM_IP4=$REPLY
            break
        fi
    done

    prep_all
    log "host files ready ($((SECONDS - t0)) s)"
    make_network
    log "network ready ($((SECONDS - t0)) s)"
    start_time_server
    launch_hosts
    write_outputs
    log "hosts launched ($((SECONDS - t0)) s); waiting for them to answer"

    # With each host's launcher PID: a host whose init failed (its launcher is gone) stops the
    # wait at once, instead of after READY_TIMEOUT.
    local targets=() missing launcher=() pid start kind name
    while read -r pid start kind name; do
        [ "$kind" != launcher ] || launcher+=("$name=$pid")
    done <"$S/pids"
    for i in "${!H_NAME[@]}"; do
        profile_vars "${H_PROF[$i]}"
        ip4_of "${H_NUM[$i]}"
        pid=
        for kind in "${launcher[@]}"; do [ "${kind%%=*}" != "${H_NAME[$i]}" ] || pid=${kind#*=}; done
        case $P_MODE in
            sshd) targets+=("$REPLY:ssh${pid:+:$pid}") ;;
            tarpit | slam) targets+=("$REPLY:tcp${pid:+:$pid}") ;;
        esac
    done
    if ! missing=$("$PY" "$LAB_SRC/wait_ready.py" "$READY_TIMEOUT" "${targets[@]}" 9>&-); then
        # The hosts that died, else (the wait timed out) those that never answered.
        local want=' dead' why='died at start'
        grep -q ' dead$' <<<"$missing" || want= why="did not answer within $READY_TIMEOUT s"
        for i in "${!H_NAME[@]}"; do
            ip4_of "${H_NUM[$i]}"
            if grep -qx "$REPLY$want" <<<"$missing"; then
                log "host ${H_NAME[$i]} ($REPLY) $why; the end of its log:"
                tail -n 20 "$FS/hosts/${H_NAME[$i]}/log" >&2 || true
            fi
        done
        [ -z "$want" ] || die "hosts died at start (their logs are above; \`$0 doctor\` lists what the lab needs)"
        die "hosts did not come up within $READY_TIMEOUT s"
    fi
    if [ -n "${CAPDO:-}" ]; then
        "$CAPDO" -i "$DIR/inventory" validate >&2 || die "capdo rejects the generated inventory"
    fi
    UP_DONE=1
    trap - EXIT INT TERM
    log "lab up: ${#H_NAME[@]} hosts in $((SECONDS - t0)) s; inventory in $DIR/inventory"
}

main() {
    case ${1:-} in
        doctor) shift; cmd_doctor "$@" || exit 1; return ;;
        packages) shift; cmd_packages "$@"; return ;;
    esac
    [ $# -ge 2 ] || usage
    local cmd=$1 dir=$2 i n
    case $cmd in
        up)
            [ $# = 2 ] || usage
            for i in "${!PROFILE_HOSTS[@]}"; do
                H_NAME+=("${PROFILE_HOSTS[$i]}") H_NUM+=($((FIRST_HOST + i))) H_PROF+=("${PROFILE_HOSTS[$i]}")
            done
            lab_up "$dir" profile
            ;;
        faults-up)
            [ $# = 2 ] || usage
            for i in "${!FAULT_HOSTS[@]}"; do
                H_NAME+=("${FAULT_HOSTS[$i]}") H_NUM+=($((FIRST_HOST + i))) H_PROF+=("${FAULT_HOSTS[$i]}")
            done
            lab_up "$dir" faults
            ;;
        bench-up)
            [ $# = 3 ] || usage
            n=$3
            if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 2 ] || [ "$n" -gt 1000 ]; then
                die "N must be 2..1000 (one bridge takes at most 1024 ports)"
            fi
            for ((i = 0; i < n; i++)); do
                H_NAME+=("$(printf 'bench%03d' $((i + 1)))") H_NUM+=($((FIRST_HOST + i))) H_PROF+=(bench)
            done
            lab_up "$dir" bench
            ;;
        down)
            [ $# = 2 ] || usage
            [ "$(id -u)" = 0 ] || die "must run as root"
            cmd_down "$dir"
            ;;
        *) usage ;;
    esac
}

main "$@"
