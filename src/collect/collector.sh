# capdo collector v1 — read-only; runs with `sh -c` under the login user.
#
# It is static: nothing from the inventory is pasted into it. Its input arrives on stdin as
# data, never as code:
#   line 1: a random marker (nonce) that frames the sections of the output
#   line 2: options, "sudo" to run privileged reads with `sudo -n`, or empty
#   then:   "backup-path PATH" lines, one per backup path to look at; "tls-port PORT" lines,
#           one per declared TLS service; "http-port PORT" lines, the cleartext HTTP ports of
#           a public web server, and one "http-host NAME" line, the public name asked for on
#           them; with either, "address ADDR" lines, the server's declared addresses (where a
#           service bound to no loopback address is reached)
# Output: for each section, a line "@@NONCE begin NAME", the section's output (stderr merged),
# then "\n@@NONCE end NAME RC". Missing tools give rc 127; reads refused for lack of privilege
# give the tool's own message and rc.
# It changes nothing on the host: every command below only reads.

IFS= read -r N || exit 97
IFS= read -r OPTS || OPTS=
case "$N" in *[!0-9a-f]* | '') exit 98 ;; esac
SUDO=
TMO=30
TLS_PORTS=
ADDRS=
HTTP_PORTS=
HTTP_HOST=
for o in $OPTS; do
    case $o in
    sudo) SUDO=1 ;;
    timeout=*) case ${o#timeout=} in '' | *[!0-9]*) ;; *) TMO=${o#timeout=} ;; esac ;;
    esac
done
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
UID_NOW=$(id -u 2>/dev/null)
# sudo is tried once: if it is refused (a password is required, no sudo rights, no sudo), the
# reads run as the login user and the `sudo` section says why, so nothing hangs or is lost.
if [ -n "$SUDO" ] && [ "$UID_NOW" != 0 ]; then
    SUDO_WHY=$(sudo -n true 2>&1 </dev/null) || SUDO=
fi

# Every read is bounded: a command that hangs (a FIFO, a stuck NFS mount) is killed after the
# host's deadline, so nothing is left running on the host after capdo has gone.
if command -v timeout >/dev/null 2>&1; then T="timeout -k 2 $TMO"; else T=; fi

begin() { printf '@@%s begin %s\n' "$N" "$1"; }
end() { printf '\n@@%s end %s %s\n' "$N" "$1" "$2"; }

# Run a read with privilege when allowed: as root directly, else `sudo -n` if the inventory
# says so (never prompts), else as the login user.
priv() {
    if [ "$UID_NOW" = 0 ] || [ -z "$SUDO" ]; then $T "$@"; else $T sudo -n -- "$@"; fi
}

# sec NAME CMD...: one section from a command; a missing command is rc 127.
sec() {
    n=$1; shift
    begin "$n"
    if command -v "$1" >/dev/null 2>&1; then
        $T "$@" 2>&1 </dev/null; r=$?
    else
        printf 'capdo: %s: not installed\n' "$1"; r=127
    fi
    end "$n" "$r"
}

# psec NAME CMD...: the same, with privilege.
psec() {
    n=$1; shift
    begin "$n"
    if command -v "$1" >/dev/null 2>&1; then
        priv "$@" 2>&1 </dev/null; r=$?
    else
        printf 'capdo: %s: not installed\n' "$1"; r=127
    fi
    end "$n" "$r"
}

# Secrets never leave the host (docs/collector.md "Secrets"; capdo removes the same again on
# its side): a PEM private key block loses its body, systemd Environment= its value, and
# --password=, --passwd=, rsyslog pwd="...", Authorization: headers, the password of URL
# credentials (scheme://user:password@) and -p<password> of mysql/mariadb tools and of Exec*=
# lines (digits after -p are a port) are replaced.
SCRUB='
function scrub(s,   out, t, p, low) {
    if (s ~ /^[ \t]*Environment[ \t]*=/) { sub(/=.*/, "=[redacted by capdo]", s); return s }
    gsub(/--password=[^ \t"]*/, "--password=[redacted-by-capdo]", s)
    gsub(/--passwd=[^ \t"]*/, "--passwd=[redacted-by-capdo]", s)
    gsub(/pwd="[^"]*"/, "pwd=\"[redacted by capdo]\"", s)
    low = tolower(s)
    if (low ~ /authorization[ \t]*:/) {
        p = index(low, "authorization"); t = substr(s, p)
        sub(/:.*/, ": [redacted by capdo]", t); s = substr(s, 1, p - 1) t
    }
    if (low ~ /mysql|mariadb/) gsub(/[ \t]-p[^ \t"]+/, " -p[redacted-by-capdo]", s)
    else if (s ~ /^[ \t]*Exec[A-Za-z]*[ \t]*=/) gsub(/[ \t]-p[^ \t"0-9][^ \t"]*/, " -p[redacted-by-capdo]", s)
    out = ""
    while (match(s, /:\/\/[^\/@ \t"<>:]*:[^\/@ \t"<>]*@/)) {
        t = substr(s, RSTART + 3, RLENGTH - 3); p = index(t, ":")
        out = out substr(s, 1, RSTART + 2) substr(t, 1, p) "[redacted-by-capdo]@"
        s = substr(s, RSTART + RLENGTH)
    }
    return out s
}
pem && /-----END [A-Z0-9 ]*PRIVATE KEY-----/ { pem = 0; sub(/.*-----END/, "-----END"); print; next }
pem { next }
/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ {
    if ($0 ~ /-----END [A-Z0-9 ]*PRIVATE KEY-----/) {
        sub(/PRIVATE KEY-----.*-----END/, "PRIVATE KEY----- [redacted by capdo] -----END")
    } else { sub(/PRIVATE KEY-----.*/, "PRIVATE KEY----- [redacted by capdo]"); pem = 1 }
    print; next
}
{ print scrub($0) }
'

# scrubbed CMD...: run a read with its output through SCRUB; the status is the read's (a pipe
# would give awk's), carried out on fd 3.
scrubbed() {
    { r=$( { { "$@" 2>&1; echo "$?" >&3; } | $T awk "$SCRUB" >&4; } 3>&1); } 4>&1
    return "${r:-1}"
}

# files PATH...: one "file PATH" section per regular file (at most 1 MiB each; a FIFO or a
# device is never opened), secrets scrubbed.
files() {
    for f in "$@"; do
        [ -f "$f" ] || continue
        begin "file $f"
        scrubbed $T head -c 1048576 -- "$f"; r=$?
        end "file $f" "$r"
    done
}

# pfiles PATH...: the same, with privilege (root-only files).
pfiles() {
    for f in "$@"; do
        [ -f "$f" ] || continue
        begin "file $f"
        scrubbed priv head -c 1048576 -- "$f"; r=$?
        end "file $f" "$r"
    done
}

# grepfiles WORD PATH...: like files, but only the lines that contain WORD. Shell start-up files
# may export secrets (tokens, proxy passwords): only what capdo looks for leaves the host.
grepfiles() {
    w=$1; shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        begin "file $f"
        $T grep -F -e "$w" -- "$f" 2>&1; r=$?
        # grep: 1 is "no line matched".
        [ "$r" = 1 ] && r=0
        end "file $f" "$r"
    done
}

# noscripts PATH...: like files, without the bodies of logrotate's scripts (postrotate …
# endscript), which may hold credentials (`mysqladmin -p…`). The script keywords stay.
noscripts() {
    for f in "$@"; do
        [ -f "$f" ] || continue
        begin "file $f"
        # In a pipe the exit status is awk's: test readability first, so a refusal shows.
        if [ ! -r "$f" ]; then
            printf 'capdo: %s: Permission denied\n' "$f"; end "file $f" 1; continue
        fi
        # shellcheck disable=SC2016
        $T head -c 1048576 -- "$f" 2>&1 | $T awk '
            { k = tolower($1) }
            s && k == "endscript" { s = 0 }
            !s { print }
            k == "postrotate" || k == "prerotate" || k == "firstaction" || k == "lastaction" || k == "preremove" { s = 1 }
        ' 2>&1; r=$?
        end "file $f" "$r"
    done
}

# The output leaves in blocks of 64 KiB (dd gathers them) instead of a write per line: sshd
# sends a packet for each write it reads, and each packet wakes the scanner (about 140 times
# per host before). dd writes the last, partial block when the collector ends, so the bytes are
# the same; a collector cut short by capdo's deadline was dropped whole before too. The shell's
# own messages go through the same pipe, in order.
if command -v dd >/dev/null 2>&1; then OUT="dd obs=65536"; else OUT=cat; fi
{

# Backup paths requested on stdin: the newest file's mtime (epoch seconds).
while IFS= read -r line; do
    case "$line" in
    "backup-path "*)
        p=${line#backup-path }
        begin "backup-newest $p"
        # find takes no `--` before its paths (GNU find reads `-- -newer x` as an expression):
        # only an absolute path is searched, so a path can never read as a find option.
        case "$p" in
        /*) abs=1 ;;
        *) abs= ;;
        esac
        if [ -z "$abs" ]; then
            printf 'capdo: %s: not an absolute path\n' "$p"; r=2
        elif [ -d "$p" ]; then
            priv find "$p" -xdev -type f -printf '%T@\n' 2>&1 | sort -n | tail -n 1; r=0
        else
            printf 'capdo: %s: no such directory\n' "$p"; r=2
        fi
        end "backup-newest $p" "$r"
        ;;
    # Only digits, address and name characters are kept: nothing else reaches openssl's, curl's
    # or wget's arguments.
    "tls-port "*)
        p=${line#tls-port }
        case "$p" in '' | *[!0-9]*) ;; *) TLS_PORTS="$TLS_PORTS $p" ;; esac
        ;;
    "http-port "*)
        p=${line#http-port }
        case "$p" in '' | *[!0-9]*) ;; *) HTTP_PORTS="$HTTP_PORTS $p" ;; esac
        ;;
    "http-host "*)
        h=${line#http-host }
        case "$h" in '' | *[!0-9A-Za-z.-]*) ;; *) HTTP_HOST=$h ;; esac
        ;;
    "address "*)
        a=${line#address }
        case "$a" in '' | *[!0-9a-fA-F.:]*) ;; *) ADDRS="$ADDRS $a" ;; esac
        ;;
    esac
done

sec id id -u
begin sudo
if [ "$UID_NOW" = 0 ]; then echo "not needed: root"; r=0
elif [ -n "$SUDO" ]; then echo "ok"; r=0
elif [ -n "${SUDO_WHY+x}" ]; then printf 'refused: %s\n' "$SUDO_WHY"; r=1
else echo "not asked for"; r=0
fi
end sudo "$r"
# Where the SSH connection comes from, as the host sees it (shows a jump host at work).
begin ssh-client
printf '%s\n' "${SSH_CONNECTION%% *}"
end ssh-client 0
begin os-release
if [ -f /etc/os-release ]; then $T cat -- /etc/os-release; r=$?; else $T cat -- /usr/lib/os-release 2>&1; r=$?; fi
end os-release "$r"
sec kernel uname -r
sec hostname uname -n
sec clock date +%s

# Firewall: nftables, and iptables as a fallback (legacy or nft-backed).
psec nft nft -j list ruleset
psec iptables iptables-save
psec ip6tables ip6tables-save
# With iptables-nft, legacy tables are only visible to the legacy tools.
if command -v iptables-legacy-save >/dev/null 2>&1; then
    psec iptables-legacy iptables-legacy-save
    psec ip6tables-legacy ip6tables-legacy-save
fi
# ipsets that `-m set` rules test, and the addresses and interfaces packets arrive on.
if command -v ipset >/dev/null 2>&1; then
    psec ipset ipset save
fi
sec addrs ip -o addr show

# IPv6: per-interface disable_ipv6 and the configured addresses.
begin ipv6-sysctl
if [ -d /proc/sys/net/ipv6/conf ]; then
    for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do
        d=${f%/disable_ipv6}
        printf '%s %s\n' "${d##*/}" "$(cat -- "$f" 2>/dev/null)"
    done
    r=0
else
    printf 'capdo: no IPv6 in this kernel\n'; r=2
fi
end ipv6-sysctl "$r"
files /proc/net/if_inet6

# Listening sockets: ss, else the kernel tables.
if command -v ss >/dev/null 2>&1; then
    psec listen ss -H -tuln -p
else
    files /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6
fi

# TLS services: the versions each declared TLS port accepts, one handshake per version with the
# host's own openssl (`s_client`, which sends nothing after the handshake), over loopback
# unless the service answers only on a declared address. Every version is offered with
# SECLEVEL=0, without which OpenSSL 1.1.1 and 3 cannot offer TLS 1.0 and 1.1 at all. Each
# handshake is killed after 10 s.
if command -v timeout >/dev/null 2>&1; then TT="timeout -k 1 10"; else TT=; fi
# OpenSSL before 1.1.0 has no security levels (and needs none to offer TLS 1.0).
SL=
if [ -n "$TLS_PORTS" ] && openssl ciphers 'DEFAULT@SECLEVEL=0' >/dev/null 2>&1; then
    SL='-cipher DEFAULT@SECLEVEL=0'
fi
for p in $TLS_PORTS; do
    begin "tls $p"
    if ! command -v openssl >/dev/null 2>&1; then
        printf 'capdo: openssl: not installed\n'; end "tls $p" 127; continue
    fi
    at=
    for a in 127.0.0.1 ::1 $ADDRS; do
        case $a in *:*) hp="[$a]:$p" ;; *) hp="$a:$p" ;; esac
        o=$($TT openssl s_client -brief -connect "$hp" -tls1_2 $SL 2>&1 </dev/null)
        # No output: the connection hung until killed. s_client says connect:errno= for a
        # refused connection, an unreachable address and an address family the host lacks.
        case $o in '' | *connect:errno=*) ;; *) at=$hp; break ;; esac
    done
    if [ -z "$at" ]; then
        printf 'capdo: nothing answers on port %s at 127.0.0.1, ::1%s\n' "$p" "$ADDRS"; r=2
    else
        printf 'address %s\n' "$at"
        for v in tls1 tls1_1 tls1_2 tls1_3; do
            printf '== %s\n' "$v"
            $TT openssl s_client -brief -connect "$at" "-$v" $SL 2>&1 </dev/null |
                sed -n '1,20s/^/  /p'
        done
        r=0
    fi
    end "tls $p" "$r"
done

# Cleartext HTTP on a public web server: one GET of / for the public name, at 127.0.0.1 unless
# only a declared address answers, whose status and redirect target show whether HTTPS is
# enforced (curl, else wget; killed after 10 s). The redirect is not followed.
# http_get URL: the status and the redirect's target; rc 7 when the connection was refused.
http_get() {
    if command -v curl >/dev/null 2>&1; then
        $TT curl -sS -o /dev/null --max-time 10 -H "Host: ${HTTP_HOST:-127.0.0.1}" \
            -w 'status %{http_code}\nlocation %{redirect_url}\n' "$1" 2>&1 </dev/null
    else
        o=$($TT wget -S -O /dev/null --max-redirect=0 -T 10 -t 1 --header "Host: ${HTTP_HOST:-127.0.0.1}" \
            "$1" 2>&1 </dev/null | sed -n '/^ *HTTP\//p; /^ *[Ll]ocation:/p; /failed:/p; /error/p')
        printf '%s\n' "$o"
        case $o in *"failed: Connection refused"*) return 7 ;; esac
    fi
}
for p in $HTTP_PORTS; do
    begin "http $p"
    if command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1; then
        for a in 127.0.0.1 $ADDRS; do
            case $a in *:*) u="http://[$a]:$p/" ;; *) u="http://$a:$p/" ;; esac
            o=$(http_get "$u"); r=$?
            [ "$r" = 7 ] || break
        done
        printf 'url %s\n%s\n' "$u" "$o"
    else
        printf 'capdo: curl, wget: not installed\n'; r=127
    fi
    end "http $p" "$r"
done

# sshd: the effective configuration, and the files for when `sshd -T` is refused.
if command -v sshd >/dev/null 2>&1; then
    psec sshd-t sshd -T
else
    begin sshd-t
    if [ -x /usr/sbin/sshd ]; then priv /usr/sbin/sshd -T 2>&1; r=$?; else printf 'capdo: sshd: not installed\n'; r=127; fi
    end sshd-t "$r"
fi
pfiles /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf

# Scheduled jobs: cron files, crontabs, cron.* directories, systemd timers.
files /etc/crontab /etc/cron.d/*
# The crontab spool is root-only: list it with privilege, so that a refusal is recorded.
if [ -d /var/spool/cron/crontabs ]; then
    psec cron-spool ls -1 -- /var/spool/cron/crontabs
    pfiles /var/spool/cron/crontabs/*
elif [ -d /var/spool/cron ]; then
    psec cron-spool ls -1 -- /var/spool/cron
    pfiles /var/spool/cron/*
fi
begin cron-dirs
for d in /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly; do
    [ -d "$d" ] || continue
    for f in "$d"/*; do [ -e "$f" ] && printf '%s %s\n' "$d" "${f##*/}"; done
done
end cron-dirs 0
for t in /etc/systemd/system/*.timer; do
    [ -f "$t" ] || continue
    files "$t" "${t%.timer}.service"
done

# Log forwarding configuration.
files /etc/rsyslog.conf /etc/rsyslog.d/*.conf /etc/syslog-ng/syslog-ng.conf \
    /etc/syslog-ng/conf.d/*.conf /etc/systemd/journal-upload.conf \
    /etc/systemd/journal-upload.conf.d/*.conf /etc/filebeat/filebeat.yml
pfiles /var/ossec/etc/ossec.conf

# Running processes (agents).
begin processes
if command -v ps >/dev/null 2>&1; then
    ps -e -o comm= 2>&1; r=$?
else
    # A name may hold a line break: keep one name per line.
    for f in /proc/[0-9]*/comm; do
        c=$(cat -- "$f" 2>/dev/null) || continue
        printf '%s\n' "$c" | tr '\n' '?' && echo
    done
    r=0
fi
end processes "$r"

# Audit rules as the kernel holds them (root only: with privilege).
psec auditctl auditctl -l

# Time synchronisation.
sec timedatectl timedatectl show
sec chronyc chronyc -n tracking
sec timesyncd timedatectl show-timesync

# Accounts: names, uids and shells only (`cut` never prints /etc/passwd's password field);
# lock state from `passwd -S -a` (status letters, no hash; root only); last logins from
# lastlog (lastlog2 where that replaced it). /etc/shadow is never read.
begin passwd
if [ -f /etc/passwd ]; then $T cut -d: -f1,3,7 -- /etc/passwd 2>&1; r=$?; else printf 'capdo: /etc/passwd: missing\n'; r=2; fi
end passwd "$r"
psec passwd-status passwd -S -a
if command -v lastlog2 >/dev/null 2>&1; then
    psec lastlog lastlog2
else
    psec lastlog lastlog
fi

# Password quality, ageing, history and lockout: login.defs, the PAM stacks, pwquality,
# pwhistory and faillock settings.
files /etc/login.defs /etc/pam.d/common-password /etc/pam.d/common-auth /etc/pam.d/sshd \
    /etc/pam.d/system-auth /etc/pam.d/password-auth /etc/security/pwquality.conf \
    /etc/security/pwquality.conf.d/*.conf /etc/security/pwhistory.conf \
    /etc/security/faillock.conf

# Idle shell timeout (TMOUT) in the login shells' start-up files: those lines only.
grepfiles TMOUT /etc/profile /etc/profile.d/*.sh /etc/bash.bashrc /etc/bashrc

# Pending updates, simulated from the package lists already on the host: no network, no lock,
# nothing installed, and no package cache written (apt as root would otherwise refresh
# /var/cache/apt/*.bin). The names of the lists show whether there are any to simulate from.
if command -v apt-get >/dev/null 2>&1; then
    sec updates-apt apt-get -s -o Debug::NoLocking=1 -o Dir::Cache::pkgcache= \
        -o Dir::Cache::srcpkgcache= dist-upgrade
    sec apt-lists ls -1 -- /var/lib/apt/lists
elif command -v dnf >/dev/null 2>&1; then
    sec updates-dnf-security dnf -q -C updateinfo list --security
    # check-update exits 100 when updates are pending.
    sec updates-dnf dnf -q -C check-update
else
    begin updates-apt
    printf 'capdo: apt-get, dnf: not installed\n'
    end updates-apt 127
fi

# The last upgrade dpkg made: the newest `upgrade` line of each of its logs (rotated ones too).
if [ -f /var/log/dpkg.log ] || [ -f /var/log/dpkg.log.1 ]; then
    begin patch-dpkg
    for f in /var/log/dpkg.log /var/log/dpkg.log.1 /var/log/dpkg.log.*.gz; do
        [ -f "$f" ] || continue
        case $f in
        *.gz) $T zcat -- "$f" 2>/dev/null | grep ' upgrade ' | tail -n 1 ;;
        *) $T grep ' upgrade ' -- "$f" 2>/dev/null | tail -n 1 ;;
        esac
    done
    end patch-dpkg 0
elif command -v rpm >/dev/null 2>&1; then
    # The RHEL family: the newest install time of any package (an update installs anew).
    begin patch-rpm
    $T rpm -qa --qf '%{INSTALLTIME}\n' 2>&1 | sort -n | tail -n 1
    end patch-rpm 0
fi
# Where packages come from: apt's and dnf's sources, and apt's settings (a proxy).
files /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    /etc/yum.repos.d/*.repo /etc/apt/apt.conf /etc/apt/apt.conf.d/*

# Log retention: logrotate rules (without their scripts) and journald storage.
noscripts /etc/logrotate.conf /etc/logrotate.d/*
files /etc/systemd/journald.conf /etc/systemd/journald.conf.d/*.conf
} 2>&1 | $OUT 2>/dev/null
exit 0
