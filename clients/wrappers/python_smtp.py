#!/usr/bin/env python3
"""A Conform client for Python's ssl + smtplib (stdlib only).

Follows docs/contract.md for CONFORM_PROTOCOL=smtp, CONFORM_ACTION=send, and answers
89 (unsupported) for anything else. It uses smtplib as an application would:
EHLO, starttls() with a strict context when CONFORM_TLS=explicit (stopping when
TLS is required and not to be had), EHLO again, login() when credentials are
given, sendmail(), quit(). smtplib itself dot-stuffs the message.

Exit status: 0 when every recipient was accepted and the message taken; 89 for
a job it cannot do; 1 (with a one-line reason on stderr) for anything else.
"""

import smtplib
import socket
import sys

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


class MappedSMTP(smtplib.SMTP):
    """SMTP to `host` (the name for SNI and the certificate check, kept by
    smtplib as _host) over a TCP connection to `addr`: the CONFORM_ADDR mapping,
    as curl --resolve does."""

    def __init__(self, addr, **kwargs):
        self.addr = addr
        super().__init__(**kwargs)

    def _get_socket(self, host, port, timeout):
        return socket.create_connection((self.addr, port), timeout)


class MappedSMTPSSL(smtplib.SMTP_SSL):
    """Implicit TLS (RFC 8314 §3.3) with the same mapping; smtplib's SMTP_SSL
    wraps with server_hostname=_host."""

    def __init__(self, addr, **kwargs):
        self.addr = addr
        super().__init__(**kwargs)

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((self.addr, port), timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)


def start_tls(client, env, ctx):
    """RFC 3207: STARTTLS when offered; required or not, as the job says."""
    require = env.get("CONFORM_REQUIRE_TLS") == "1"
    if not client.has_extn("starttls"):
        if require:
            raise RuntimeError("the server does not offer STARTTLS, and TLS is required")
        return
    try:
        client.starttls(context=ctx)  # raises SMTPResponseException unless 220
    except smtplib.SMTPResponseException as err:
        if require:
            raise
        print(f"STARTTLS refused ({err.smtp_code}); going on in plaintext", file=sys.stderr)
        return
    client.ehlo()  # RFC 3207 §4.2: smtplib forgot the old capabilities; ask again


def main(env):
    if env.get("CONFORM_PROTOCOL") != "smtp" or env.get("CONFORM_ACTION") != "send":
        print(f"unsupported: {env.get('CONFORM_PROTOCOL')} {env.get('CONFORM_ACTION')}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    host, port = env["CONFORM_HOST"], int(env["CONFORM_PORT"])
    addr = env.get("CONFORM_ADDR") or host
    timeout = start_deadline(env)
    ctx = tls_context(env)
    common = {"host": host, "port": port, "local_hostname": "client.conform.test", "timeout": timeout}
    if env["CONFORM_TLS"] == "implicit":
        client = MappedSMTPSSL(addr, context=ctx, **common)
    else:
        client = MappedSMTP(addr, **common)
    client.ehlo()
    if env["CONFORM_TLS"] == "explicit":
        start_tls(client, env, ctx)
    if env.get("CONFORM_USER"):
        client.login(env["CONFORM_USER"], env.get("CONFORM_PASS", ""))
    with open(env["CONFORM_INPUT_FILE"], "rb") as f:
        message = f.read()
    recipients = [r.strip() for r in env["CONFORM_MAIL_TO"].split(",") if r.strip()]
    refused = client.sendmail(env["CONFORM_MAIL_FROM"], recipients, message)
    try:
        client.quit()
    except smtplib.SMTPException:
        pass
    if refused:
        print(f"recipients refused: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    run(main)
