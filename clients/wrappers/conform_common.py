"""What Conform's stdlib Python wrappers share: the strict TLS context, the
job's deadline, and the exit-status convention of docs/contract.md."""

import os
import signal
import ssl
import sys

EXIT_UNSUPPORTED = 89


class Unsupported(Exception):
    """The job asks for something this client cannot do (exit 89)."""


def tls_context(env):
    # create_default_context: CERT_REQUIRED and check_hostname on; the trust
    # anchors are CONFORM_CA_FILE only. RFC 8996: nothing below TLS 1.2.
    if env.get("CONFORM_CHECK_REVOCATION") in ("ocsp", "staple"):
        # Python's ssl module has no OCSP: neither a stapled response nor a responder query.
        raise Unsupported(f"no OCSP in Python's ssl ({env['CONFORM_CHECK_REVOCATION']})")
    ctx = ssl.create_default_context(cafile=env["CONFORM_CA_FILE"])
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if env.get("CONFORM_CHECK_REVOCATION") == "crl" and env.get("CONFORM_CRL_FILE"):
        # The CRL joins the trust store; OpenSSL then checks the leaf against it.
        ctx.load_verify_locations(cafile=env["CONFORM_CRL_FILE"])
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if env.get("CONFORM_CLIENT_CERT"):
        ctx.load_cert_chain(env["CONFORM_CLIENT_CERT"], env.get("CONFORM_CLIENT_KEY") or None)
    return ctx


def _on_deadline(_signum, _frame):
    raise TimeoutError("CONFORM_TIMEOUT_MS elapsed")


def start_deadline(env):
    """The socket timeout bounds each read; this timer bounds the whole job,
    so a server trickling bytes cannot keep the client past its limit.
    Returns the timeout in seconds."""
    timeout = int(env.get("CONFORM_TIMEOUT_MS") or 5000) / 1000
    signal.signal(signal.SIGALRM, _on_deadline)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    return timeout


def run(main):
    """Runs main(env) and exits with its status; any exception is a refusal:
    one line on stderr, exit 1."""
    try:
        sys.exit(main(os.environ))
    except Unsupported as err:
        print(f"unsupported: {err}", file=sys.stderr)
        sys.exit(EXIT_UNSUPPORTED)
    except Exception as err:
        reason = f"{type(err).__name__}: {err}".replace("\n", " ")
        print(reason, file=sys.stderr)
        sys.exit(1)
