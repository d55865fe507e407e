"""Conform wrapper for PySocks (Debian python3-socks) and the SOCKS5 proxy of
CONFORM_PROXY_URL. Answers 89 when PySocks is missing.

- get: GET CONFORM_URL through a socksocket under http.client, TLS verifying
  the target's name with the strict context of conform_common.
- udp (UDP ASSOCIATE): PySocks' own UDP API, a socksocket(AF_INET,
  SOCK_DGRAM) with set_proxy: bind() sends UDP ASSOCIATE (declaring its local
  port) and keeps the TCP connection open, sendto() adds the RFC 1928 §7
  header, recvfrom() strips it. recvfrom() raises NotImplementedError for a
  fragment (FRAG other than 0) and GeneralProxyError for a header it cannot
  parse; the datagram is consumed either way, and the application waits for
  the next one. The datagram is sent again every second until an answer comes.
- bind: PySocks has no BIND (socksocket sends only CONNECT and, for a
  datagram socket, UDP ASSOCIATE), so 89.
"""

import socket
import sys
import time
import urllib.parse

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"
RESEND_S = 1.0


def import_pysocks():
    """PySocks from this interpreter, or else Debian's python3-socks: the
    profile's python3 may be another build of the same version (pyenv) that
    does not search Debian's dist-packages; appended last, it only fills in
    what is missing."""
    try:
        import socks
        return socks
    except ImportError:
        pass
    if DEBIAN_DIST_PACKAGES not in sys.path:
        sys.path.append(DEBIAN_DIST_PACKAGES)
    try:
        import socks
        return socks
    except ImportError:
        return None


def main(env):
    socks = import_pysocks()
    if socks is None:
        print("PySocks (python3-socks) is not installed", file=sys.stderr)
        return EXIT_UNSUPPORTED
    action = env.get("CONFORM_ACTION")
    if action == "bind":
        print("PySocks has no BIND: socksocket sends only CONNECT and UDP ASSOCIATE", file=sys.stderr)
        return EXIT_UNSUPPORTED
    if action not in ("get", "udp"):
        return EXIT_UNSUPPORTED
    started = time.monotonic()
    timeout = start_deadline(env)
    proxy = urllib.parse.urlsplit(env["CONFORM_PROXY_URL"])
    if proxy.scheme not in ("socks5", "socks5h"):
        return EXIT_UNSUPPORTED
    # socks5h: PySocks sends the name (rdns=True); socks5: it resolves locally.
    rdns = proxy.scheme == "socks5h"
    user = urllib.parse.unquote(proxy.username or "") or env.get("CONFORM_USER") or None
    password = urllib.parse.unquote(proxy.password or "") or env.get("CONFORM_PASS") or None
    settings = (socks.SOCKS5, env.get("CONFORM_ADDR") or proxy.hostname, proxy.port, rdns, user, password)
    if action == "udp":
        return udp(socks, env, settings, timeout, started + timeout)
    return get(socks, env, settings, timeout)


def get(socks, env, settings, timeout):
    import http.client

    target = urllib.parse.urlsplit(env["CONFORM_URL"])
    host = target.hostname
    port = target.port or (443 if target.scheme == "https" else 80)

    sock = socks.socksocket()
    sock.settimeout(timeout)
    sock.set_proxy(*settings)
    sock.connect((host, port))
    if target.scheme == "https":
        sock = tls_context(env).wrap_socket(sock, server_hostname=host)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn.sock = sock
    conn.request("GET", target.path or "/")
    response = conn.getresponse()
    if response.status != 200:
        print(f"HTTP status {response.status}", file=sys.stderr)
        return 1
    body = response.read()
    with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
        out.write(body)
    return 0


def udp(socks, env, settings, timeout, end):
    target = urllib.parse.urlsplit(env["CONFORM_URL"])
    with open(env["CONFORM_INPUT_FILE"], "rb") as f:
        payload = f.read()
    sock = socks.socksocket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.settimeout(min(RESEND_S, timeout))
        sock.set_proxy(*settings)
        # UDP ASSOCIATE happens here; the TCP connection stays open until close().
        sock.bind(("127.0.0.1", 0))
        while True:
            sock.sendto(payload, (target.hostname, target.port))
            try:
                data = receive(socks, sock)
                break
            except socket.timeout:
                # The job's deadline (SIGALRM, at `end` or later) is a TimeoutError too: only the socket's own timeout resends.
                if time.monotonic() >= end:
                    raise
        with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
            out.write(data)
        return 0
    finally:
        sock.close()


def receive(socks, sock):
    """The data of the first answer recvfrom() accepts."""
    while True:
        try:
            data, sender = sock.recvfrom(65535)
            print(f"an answer from {sender!r}", file=sys.stderr)
            return data
        except NotImplementedError as err:
            print(f"dropped a datagram: {err}", file=sys.stderr)
        except socks.GeneralProxyError as err:
            print(f"dropped a datagram: {err}", file=sys.stderr)


if __name__ == "__main__":
    run(main)
