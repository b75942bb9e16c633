# capdo file reader v1 — read-only; runs with `sh -c` under the login user.
# Static like the collector: the file paths arrive on stdin as data, never as code.
#   line 1: a random marker (nonce) that frames the output
#   line 2: options ("sudo" to read with `sudo -n`, "timeout=SECS" to kill a read after SECS,
#           30 when absent), or empty
#   then:   one path per line
# Output per path: "@@NONCE begin file PATH", the content, "\n@@NONCE end file PATH RC"
# (rc 2 with "capdo: no such file" when it does not exist).
IFS= read -r N || exit 97
IFS= read -r OPTS || OPTS=
case "$N" in *[!0-9a-f]* | '') exit 98 ;; esac
SUDO=
TMO=30
for o in $OPTS; do
    case $o in
    sudo) SUDO=1 ;;
    timeout=*) case ${o#timeout=} in '' | *[!0-9]*) ;; *) TMO=${o#timeout=} ;; esac ;;
    esac
done
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
UID_NOW=$(id -u 2>/dev/null)
# Every read is bounded like the collector's: a file on a hung mount is killed on the host.
if command -v timeout >/dev/null 2>&1; then T="timeout -k 2 $TMO"; else T=; fi
while IFS= read -r p; do
    printf '@@%s begin file %s\n' "$N" "$p"
    if [ ! -e "$p" ]; then
        printf 'capdo: no such file\n'; r=2
    elif [ ! -f "$p" ]; then
        printf 'capdo: not a regular file\n'; r=3
    elif [ "$UID_NOW" = 0 ] || [ -z "$SUDO" ]; then
        $T head -c 1048576 -- "$p" 2>&1 </dev/null; r=$?
    else
        $T sudo -n -- head -c 1048576 -- "$p" 2>&1 </dev/null; r=$?
    fi
    printf '\n@@%s end file %s %s\n' "$N" "$p" "$r"
done
exit 0
