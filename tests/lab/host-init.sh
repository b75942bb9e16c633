#!/bin/bash
# capdo lab: the first process of one lab host. lab.sh starts it as
#   ip netns exec NS unshare --mount --uts --pid --fork --kill-child --mount-proc host-init.sh HOSTDIR
# so it runs as PID 1 of the host's PID namespace, in the host's own mount, UTS and network
# namespaces. It gives the host its network, firewall and file system, starts the host's
# daemons and then replaces itself with sshd (or the tarpit), which stays PID 1.
# Fault-lab additions: overlays that hide binaries ($H/hide/N, profiles bare and garbage), a
# hostile UTS name ($H/utsname) and processes with hostile names ($H/opt/lab/comm, garbage),
# and the `slam` mode (tarpit.py slam: accept and close at once).

# HOST_NAME, HOST_IP4, HOST_FS, …: from $H/host.env, written by lab.sh (prep_host).
# shellcheck disable=SC2153
set -euo pipefail
H=$1
exec </dev/null >>"$H/log" 2>&1
# shellcheck source=/dev/null
. "$H/host.env"
echo "host-init: $HOST_NAME ($HOST_PROFILE) starting"

# --- network (the veth "eth0" was moved into this namespace by lab.sh) ---
{
    echo "link set lo up"
    echo "addr add $HOST_IP4/16 dev eth0"
    if [ -n "$HOST_IP6" ]; then echo "addr add $HOST_IP6/64 dev eth0 nodad"; fi
    echo "link set eth0 up"
} | ip -batch -

# --- firewall ---
if [ -n "$HOST_NFT" ]; then nft -f "$H/upper/nftables.conf"; fi
if [ "$HOST_LEGACY" = 1 ]; then
    iptables-legacy-restore <"$H/upper/iptables/rules.v4"
    ip6tables-legacy-restore <"$H/upper/iptables/rules.v6"
fi

# --- file system: everything that needs $H first, then the tmpfs mounts that may hide it ---
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$H/upper,workdir=$H/work" /etc
mount --bind "$H/backups" /var/backups
mount --bind "$H/spool" /var/spool/cron
mount --bind "$H/varlog" /var/log
mount --bind "$H/opt" /opt
# Hidden binaries: an overlay whose upper dir holds a whiteout per hidden name.
for d in "$H"/hide/*/; do
    [ -f "$d/target" ] || continue
    target=$(<"$d/target")
    mount -t overlay overlay -o "lowerdir=$target,upperdir=${d}upper,workdir=${d}work" "$target"
done
authorized_keys=$(<"$H/authorized_keys")
utsname=$HOST_NAME
if [ -f "$H/utsname" ]; then utsname=$(<"$H/utsname"); fi
# Drop what this host does not need from its view of the build machine: the lab's state tmpfs
# (every host's files) and the other hosts' namespace handles under /run/netns. The mounts made
# above keep their own references.
umount -l "$HOST_FS"
umount -l /run/netns 2>/dev/null || true
mount -t tmpfs -o mode=0755,size=16m lab-run /run
mount -t tmpfs -o mode=0700,size=4m lab-root /root
mount -t tmpfs -o mode=0755,size=4m lab-home /home
mount -t tmpfs -o mode=1777,size=64m lab-tmp /tmp
# No package lists (most hosts): the collector's `apt-get -s` then has nothing to simulate
# from and ends at once, instead of every host parsing the build machine's lists at the same
# time on its few cores.
if [ "${HOST_APT_LISTS:-empty}" = empty ] && [ -d /var/lib/apt/lists ]; then
    mount -t tmpfs -o mode=0755,size=1m lab-apt-lists /var/lib/apt/lists
fi
mkdir -m 0755 /run/sshd /run/lock
install -d -m 0700 /root/.ssh
printf '%s\n' "$authorized_keys" >/root/.ssh/authorized_keys
chmod 0600 /root/.ssh/authorized_keys
if [ -n "$HOST_AUDIT_UID" ]; then
    install -d -m 0755 -o "$HOST_AUDIT_UID" -g "$HOST_AUDIT_UID" /home/audit
    install -d -m 0700 -o "$HOST_AUDIT_UID" -g "$HOST_AUDIT_UID" /home/audit/.ssh
    printf '%s\n' "$authorized_keys" >/home/audit/.ssh/authorized_keys
    chown "$HOST_AUDIT_UID:$HOST_AUDIT_UID" /home/audit/.ssh/authorized_keys
    chmod 0600 /home/audit/.ssh/authorized_keys
fi
printf '%s' "$utsname" >/proc/sys/kernel/hostname

# --- daemons (children of PID 1; sshd, exec'd below, reaps them) ---
if [ "$HOST_CHRONY" = 1 ]; then
    install -d -m 0750 -o _chrony -g _chrony /run/chrony
    chronyd -x -f /etc/chrony/chrony.conf
fi
if [ "$HOST_AGENT" = 1 ]; then
    /opt/wazuh/bin/wazuh-agentd infinity &
fi
case "$HOST_EXTRA" in
    http) (cd /tmp && exec /usr/bin/python3 -m http.server 8080 --bind 0.0.0.0) & ;;
    siem) /usr/bin/python3 /opt/lab/siem.py & ;;
esac
# Processes with hostile names (garbage): each file in /opt/lab/comm is a copy of sleep.
if [ -d /opt/lab/comm ]; then
    for f in /opt/lab/comm/*; do "$f" infinity & done
fi

echo "host-init: $HOST_NAME ready to exec $HOST_MODE"
case "$HOST_MODE" in
    sshd) exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config ;;
    tarpit) exec /usr/bin/python3 /opt/lab/tarpit.py ;;
    slam) exec /usr/bin/python3 /opt/lab/tarpit.py slam ;;
    *) echo "host-init: unknown mode $HOST_MODE"; exit 1 ;;
esac
