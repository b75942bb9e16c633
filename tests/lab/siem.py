#!/usr/bin/python3
"""capdo lab SIEM collector: accept syslog on tcp/514 and udp/514 (IPv4 and IPv6) and
append what arrives to /var/log/siem/received.log. Runs inside the `siem` host."""
import os
import selectors
import socket

LOG_DIR = "/var/log/siem"
os.makedirs(LOG_DIR, exist_ok=True)
out = open(os.path.join(LOG_DIR, "received.log"), "ab", buffering=0)


def dual_stack(kind):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 514))
    return s


sel = selectors.DefaultSelector()
tcp = dual_stack(socket.SOCK_STREAM)
tcp.listen(128)
tcp.setblocking(False)
udp = dual_stack(socket.SOCK_DGRAM)
udp.setblocking(False)
sel.register(tcp, selectors.EVENT_READ, "accept")
sel.register(udp, selectors.EVENT_READ, "udp")

while True:
    for key, _ in sel.select():
        what, sock = key.data, key.fileobj
        try:
            if what == "accept":
                conn, _ = sock.accept()
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, "tcp")
            elif what == "udp":
                data, peer = sock.recvfrom(65535)
                out.write(b"udp %s " % peer[0].encode() + data.rstrip(b"\n") + b"\n")
            else:
                data = sock.recv(65535)
                if not data:
                    sel.unregister(sock)
                    sock.close()
                else:
                    out.write(data)
        except OSError:
            if what == "tcp":
                sel.unregister(sock)
                sock.close()
