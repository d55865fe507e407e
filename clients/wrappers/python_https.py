#!/usr/bin/env python3
"""A Conform client for Python's ssl + http.client (stdlib only).

Follows docs/contract.md for CONFORM_PROTOCOL=https, CONFORM_ACTION=get, and answers
89 (unsupported) for anything else. It uses Python's defaults as an application
would (ssl.create_default_context), so the suite measures Python, not this file.

Exit status: 0 on a 200 whose body was written to CONFORM_OUTPUT_FILE; 89 for a
job it cannot do; 1 (with a one-line reason on stderr) for anything else.
"""

import http.client
import socket
import sys
import urllib.parse

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


class MappedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` (SNI, certificate name, Host header) over a TCP connection
    to `addr`: the CONFORM_ADDR mapping, as `curl --resolve` does, so names such
    as www.conform.test need no DNS."""

    def __init__(self, host, port, addr, context, timeout):
        super().__init__(host, port, context=context, timeout=timeout)
        self.addr = addr
        self.tls_context = context

    def connect(self):
        sock = socket.create_connection((self.addr, self.port), self.timeout)
        # server_hostname drives both SNI and the hostname check; Python's ssl
        # sends no SNI for an IP literal (RFC 6066 §3) and then matches IP SANs.
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)


def main(env):
    if env.get("CONFORM_PROTOCOL") != "https" or env.get("CONFORM_ACTION") != "get":
        print(f"unsupported: {env.get('CONFORM_PROTOCOL')} {env.get('CONFORM_ACTION')}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    url = urllib.parse.urlsplit(env["CONFORM_URL"])
    host, port = env["CONFORM_HOST"], int(env["CONFORM_PORT"])
    timeout = start_deadline(env)

    conn = MappedHTTPSConnection(host, port, env.get("CONFORM_ADDR") or host, tls_context(env), timeout)
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    conn.request("GET", target)
    response = conn.getresponse()
    # read() raises IncompleteRead on a body shorter than its Content-Length or
    # a chunked body without its last chunk.
    body = response.read()
    conn.close()
    if response.status != 200:
        print(f"HTTP status {response.status} {response.reason}", file=sys.stderr)
        return 1
    with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
        out.write(body)
    return 0


if __name__ == "__main__":
    run(main)
