"""Open a TCP connection from each source to each port, all at once, and print what the kernel
answered: accept (connected), reject (refused or unreachable) or drop (no answer in the wait).

    probe.py HOST4 HOST6 "SRC4…" "SRC6…" "PORT…"
"""
import errno
import selectors
import socket
import sys
import time

host4, host6, src4, src6, ports = sys.argv[1:6]
WAIT = 2.0
sel = selectors.DefaultSelector()
results = {}
for fam, host, srcs in ((socket.AF_INET, host4, src4), (socket.AF_INET6, host6, src6)):
    for src in srcs.split():
        for port in ports.split():
            key = ("ipv4" if fam == socket.AF_INET else "ipv6", src, host, port)
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind((src, 0))
            rc = s.connect_ex((host, int(port)))
            if rc not in (0, errno.EINPROGRESS):
                results[key] = "reject"
                s.close()
                continue
            sel.register(s, selectors.EVENT_WRITE, key)
deadline = time.monotonic() + WAIT
while sel.get_map() and time.monotonic() < deadline:
    for k, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
        err = k.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        results[k.data] = "accept" if err == 0 else "reject"
        sel.unregister(k.fileobj)
        k.fileobj.close()
for k in list(sel.get_map().values()):
    results[k.data] = "drop"
    k.fileobj.close()
print("# family\tsource\tdestination\tport\tresult")
for key in sorted(results, key=lambda k: (k[0], k[1], int(k[3]))):
    print("\t".join(key) + "\t" + results[key])
