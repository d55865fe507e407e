#!/usr/bin/env python3
"""A Conform client for Python's imaplib + ssl (stdlib only).

Follows docs/contract.md for CONFORM_PROTOCOL=imap, CONFORM_ACTION=retrieve, and
answers 89 (unsupported) for anything else. It drives imaplib the way a careful
application does, so the suite measures imaplib and ssl, not this file:

- implicit TLS: imaplib.IMAP4_SSL; explicit: IMAP4.starttls(context), which
  itself refuses when STARTTLS is not among the capabilities and asks
  CAPABILITY again inside TLS (RFC 9051 §6.2.1); with CONFORM_REQUIRE_TLS=1 a
  failed starttls() ends the job, with 0 the job goes on in plaintext as
  allowed;
- the context verifies the chain against CONFORM_CA_FILE only, with
  check_hostname on (conform_common.tls_context);
- login() (imaplib's LOGIN) unless the greeting was PREAUTH (imaplib's state is
  then AUTH and a login would be refused by imaplib itself); select("INBOX"),
  fetch("1", "(BODY[])"), each answer's status checked, as imaplib returns NO
  instead of raising for these; the literal written as received.

Exit status: 0 when message 1 was written to CONFORM_OUTPUT_FILE; 89 for a job
it cannot do; 1 (with a one-line reason on stderr) for anything else.
"""

import imaplib
import ssl
import socket
import sys

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


class Mapped:
    """Connects to CONFORM_ADDR while imaplib keeps `host` for SNI and the
    certificate check (starttls() and IMAP4_SSL use self.host), as curl --resolve."""

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.conform_addr, self.port), timeout)
        if isinstance(self, imaplib.IMAP4_SSL):
            return self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        return sock

    def _append_untagged(self, typ, dat):
        # RFC 9051 §7.1: an ALERT received inside TLS is shown to the user; one received without
        # TLS may be a man in the middle's words and is ignored. imaplib keeps "* OK [ALERT] text"
        # as an OK response (dropped at the next command), so the application notes the text here,
        # where it still knows which socket it came on.
        if typ in ("OK", "NO", "BAD", "BYE", "PREAUTH") and isinstance(dat, bytes) and dat[:7].upper() == b"[ALERT]":
            if isinstance(self.sock, ssl.SSLSocket):
                self.__dict__.setdefault("conform_alerts", []).append(dat[7:].strip())
        super()._append_untagged(typ, dat)


class MappedIMAP4(Mapped, imaplib.IMAP4):
    def __init__(self, host, port, addr, timeout):
        self.conform_addr = addr
        super().__init__(host, port, timeout=timeout)


class MappedIMAP4_SSL(Mapped, imaplib.IMAP4_SSL):
    def __init__(self, host, port, addr, context, timeout):
        self.conform_addr = addr
        super().__init__(host, port, ssl_context=context, timeout=timeout)


def connect(env, context, timeout):
    host, port, addr = env["CONFORM_HOST"], int(env["CONFORM_PORT"]), env.get("CONFORM_ADDR") or env["CONFORM_HOST"]
    if env["CONFORM_TLS"] == "implicit":
        return MappedIMAP4_SSL(host, port, addr, context, timeout)
    conn = MappedIMAP4(host, port, addr, timeout)
    if env["CONFORM_TLS"] != "explicit":
        return conn
    try:
        conn.starttls(context)
    except imaplib.IMAP4.error as err:  # abort (not advertised) is a subclass
        if env.get("CONFORM_REQUIRE_TLS") == "1":
            raise
        print(f"STARTTLS failed ({err}); going on in plaintext as allowed", file=sys.stderr)
    return conn


def present_alerts(conn):
    """RFC 9051 §7.1: an ALERT received inside TLS MUST be presented to the user; imaplib
    reports "* OK [ALERT] text" as any OK response, so Mapped notes those read inside TLS and the
    application shows them (control bytes escaped). Without TLS they are ignored."""
    for text in conn.__dict__.pop("conform_alerts", []):
        shown = text.decode("latin-1")
        print("ALERT: " + "".join(c if c.isprintable() else "?" for c in shown), file=sys.stderr)


def check(name, typ, data):
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{name} answered {typ}: {data!r}")
    return data


def main(env):
    if env.get("CONFORM_PROTOCOL") != "imap" or env.get("CONFORM_ACTION") != "retrieve":
        print(f"unsupported: {env.get('CONFORM_PROTOCOL')} {env.get('CONFORM_ACTION')}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    timeout = start_deadline(env)

    conn = connect(env, tls_context(env), timeout)
    present_alerts(conn)
    if conn.state == "NONAUTH":
        check("LOGIN", *conn.login(env["CONFORM_USER"], env["CONFORM_PASS"]))
        present_alerts(conn)
    check("SELECT", *conn.select("INBOX"))
    present_alerts(conn)
    data = check("FETCH", *conn.fetch("1", "(BODY[])"))
    present_alerts(conn)
    # [(b'1 (BODY[] {873}', b'<the literal>'), b')']: the first tuple holds the literal.
    literal = next((part[1] for part in data if isinstance(part, tuple)), None)
    if literal is None:
        raise imaplib.IMAP4.error(f"FETCH returned no literal: {data!r}")
    with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
        out.write(literal)
    conn.logout()
    return 0


if __name__ == "__main__":
    run(main)
