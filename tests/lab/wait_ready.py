#!/usr/bin/python3
"""Wait until lab hosts answer: `wait_ready.py TIMEOUT ADDR:MODE[:PID]...` where MODE is `ssh`
(an SSH banner must arrive) or `tcp` (a TCP connect is enough), and PID the host's launcher.
Polls all hosts at once. Prints the addresses that never became ready and exits 1 if there are
any. A host whose launcher has ended (its init failed) cannot become ready: as soon as one has,
it prints "ADDR dead" for each such host, the other addresses not ready yet, and exits 1."""
import os
import selectors
import socket
import sys
import time

timeout = float(sys.argv[1])
pending = {}
launcher = {}  # addr -> the PID of its launcher
for arg in sys.argv[2:]:
    addr, _, pid = arg.partition(":")
    mode, _, pid = pid.partition(":")
    pending[addr] = mode
    if pid:
        launcher[addr] = int(pid)


def dead(pid):
    """Has the process ended (gone, or a zombie its parent, lab.sh, has not reaped yet)?"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
deadline = time.monotonic() + timeout
sel = selectors.DefaultSelector()
inflight = {}  # addr -> [sock, started, connected]
next_try = {addr: 0.0 for addr in pending}


def start(addr, now):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex((addr, 22))
    sel.register(s, selectors.EVENT_WRITE, addr)
    inflight[addr] = [s, now, False]


def stop(addr, retry_in):
    s = inflight.pop(addr)[0]
    sel.unregister(s)
    s.close()
    next_try[addr] = time.monotonic() + retry_in


parent = os.getppid()
next_check = 0.0
while pending and time.monotonic() < deadline:
    if os.getppid() != parent:
        sys.exit(2)  # lab.sh is gone: nobody waits for the answer
    now = time.monotonic()
    if now >= next_check:
        next_check = now + 0.5
        gone = [a for a in pending if a in launcher and dead(launcher[a])]
        if gone:
            for addr in pending:
                print(addr + " dead" if addr in gone else addr)
            sys.exit(1)
    for addr in list(pending):
        if addr in inflight and now - inflight[addr][1] > 2.0:
            stop(addr, 0)
        if addr not in inflight and now >= next_try[addr]:
            start(addr, now)
    for key, _ in sel.select(timeout=0.05):
        addr, s = key.data, key.fileobj
        entry = inflight[addr]
        if not entry[2]:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                stop(addr, 0.2)
            elif pending[addr] == "tcp":
                stop(addr, 0)
                del pending[addr]
            else:
                entry[2] = True
                sel.modify(s, selectors.EVENT_READ, addr)
            continue
        try:
            data = s.recv(256)
        except OSError:
            data = b""
        stop(addr, 0.2)
        if data.startswith(b"SSH-"):
            del pending[addr]

for addr in pending:
    print(addr)
sys.exit(1 if pending else 0)
