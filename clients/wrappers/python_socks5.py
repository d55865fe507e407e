"""Conform wrapper: GET CONFORM_URL through the SOCKS5 proxy of CONFORM_PROXY_URL
with PySocks (Debian python3-socks) under http.client, TLS verifying the
target's name with the strict context of conform_common. Answers 89 when
PySocks is missing."""

import sys
import urllib.parse

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"


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
    import http.client

    if env.get("CONFORM_ACTION") != "get":
        return EXIT_UNSUPPORTED
    timeout = start_deadline(env)
    proxy = urllib.parse.urlsplit(env["CONFORM_PROXY_URL"])
    if proxy.scheme not in ("socks5", "socks5h"):
        return EXIT_UNSUPPORTED
    # socks5h: PySocks sends the name (rdns=True); socks5: it resolves locally.
    rdns = proxy.scheme == "socks5h"
    user = urllib.parse.unquote(proxy.username or "") or env.get("CONFORM_USER") or None
    password = urllib.parse.unquote(proxy.password or "") or env.get("CONFORM_PASS") or None
    target = urllib.parse.urlsplit(env["CONFORM_URL"])
    host = target.hostname
    port = target.port or (443 if target.scheme == "https" else 80)

    sock = socks.socksocket()
    sock.settimeout(timeout)
    sock.set_proxy(socks.SOCKS5, env.get("CONFORM_ADDR") or proxy.hostname, proxy.port, rdns, user, password)
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


if __name__ == "__main__":
    run(main)
