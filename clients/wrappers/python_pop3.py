#!/usr/bin/env python3
"""A Conform client for Python's poplib + ssl (stdlib only).

Follows docs/contract.md for CONFORM_PROTOCOL=pop3, CONFORM_ACTION=retrieve, and
answers 89 (unsupported) for anything else. It drives poplib the way a careful
application does, so the suite measures poplib and ssl, not this file:

- implicit TLS: poplib.POP3_SSL; explicit: POP3.stls(), which itself asks CAPA
  and refuses when STLS is not advertised; with CONFORM_REQUIRE_TLS=1 a failed
  stls() ends the job, with 0 the job goes on in plaintext as allowed;
- after STLS, CAPA again (RFC 2595 §4: poplib keeps no capabilities, so asking
  is the application's part) to see that USER is offered; poplib has no SASL,
  so a server offering only SASL is unsupported (89);
- USER/PASS, RETR 1 (poplib removes the stuffed dots), and the lines joined
  with CRLF, each line having lost its own CRLF in poplib.

Exit status: 0 when message 1 was written to CONFORM_OUTPUT_FILE; 89 for a job
it cannot do; 1 (with a one-line reason on stderr) for anything else.
"""

import poplib
import socket
import sys

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


class Mapped:
    """Connects to CONFORM_ADDR while poplib keeps `host` for SNI and the
    certificate check (stls() and POP3_SSL use self.host), as curl --resolve."""

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.conform_addr, self.port), timeout)
        return self.context.wrap_socket(sock, server_hostname=self.host) if isinstance(self, poplib.POP3_SSL) else sock


class MappedPOP3(Mapped, poplib.POP3):
    def __init__(self, host, port, addr, timeout):
        self.conform_addr = addr
        super().__init__(host, port, timeout=timeout)


class MappedPOP3_SSL(Mapped, poplib.POP3_SSL):
    def __init__(self, host, port, addr, context, timeout):
        self.conform_addr = addr
        super().__init__(host, port, context=context, timeout=timeout)


def connect(env, context, timeout):
    host, port, addr = env["CONFORM_HOST"], int(env["CONFORM_PORT"]), env.get("CONFORM_ADDR") or env["CONFORM_HOST"]
    if env["CONFORM_TLS"] == "implicit":
        return MappedPOP3_SSL(host, port, addr, context, timeout)
    conn = MappedPOP3(host, port, addr, timeout)
    if env["CONFORM_TLS"] != "explicit":
        return conn
    try:
        conn.stls(context)
    except poplib.error_proto as err:
        if env.get("CONFORM_REQUIRE_TLS") == "1":
            raise
        print(f"STLS failed ({err}); going on in plaintext as allowed", file=sys.stderr)
    return conn


def main(env):
    if env.get("CONFORM_PROTOCOL") != "pop3" or env.get("CONFORM_ACTION") != "retrieve":
        print(f"unsupported: {env.get('CONFORM_PROTOCOL')} {env.get('CONFORM_ACTION')}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    timeout = start_deadline(env)

    conn = connect(env, tls_context(env), timeout)
    try:
        caps = conn.capa()
    except poplib.error_proto:
        caps = None  # a server without CAPA: try USER anyway (RFC 1939)
    if caps is not None and "USER" not in caps:
        print(f"the server offers no USER (capabilities: {' '.join(caps)}); poplib has no SASL", file=sys.stderr)
        return EXIT_UNSUPPORTED
    conn.user(env["CONFORM_USER"])
    conn.pass_(env["CONFORM_PASS"])
    _resp, lines, _octets = conn.retr(1)
    with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
        out.write(b"".join(line + b"\r\n" for line in lines))
    conn.quit()
    return 0


if __name__ == "__main__":
    run(main)
