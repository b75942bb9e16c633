#!/usr/bin/python3
"""capdo lab tarpit: accept TCP on port 22 (IPv4 and IPv6) and never send an SSH banner.
Connections are held open until the client gives up. Runs as PID 1 of the `tarpit` and
`silent` hosts. `tarpit.py slam` (host `slam`) instead closes each connection as soon as it is
accepted, without reading or sending anything."""
import selectors
import socket
import sys

SLAM = sys.argv[1:] == ["slam"]

s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 22))
s.listen(512)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ)
held = set()
while True:
    for key, _ in sel.select():
        sock = key.fileobj
        if sock is s:
            conn, _ = s.accept()
            if SLAM:
                conn.close()
                continue
            conn.setblocking(False)
            held.add(conn)
            sel.register(conn, selectors.EVENT_READ)
        else:
            # Read (and drop) what the client sends; close only when it hangs up.
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                sel.unregister(sock)
                held.discard(sock)
                sock.close()
