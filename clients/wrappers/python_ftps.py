#!/usr/bin/env python3
"""A Conform client for Python's ftplib.FTP_TLS + ssl (stdlib only).

Follows docs/contract.md for CONFORM_PROTOCOL=ftps (download, upload, list) and
drives ftplib the way a careful application does, so the suite measures
ftplib and ssl, not this file:

- explicit TLS: FTP_TLS.auth() before login (ftplib's login() would do it
  too); implicit TLS (ftps://) is not in ftplib: unsupported (89);
- CONFORM_FTP_PROT=P: prot_p() (PBSZ 0, PROT P); C: prot_c();
- CONFORM_FTP_CCC=1: ccc() once logged in and protected (CCC, then
  ssl.SSLSocket.unwrap(): close_notify both ways, plaintext after);
- no CONFORM_USER: ftplib's anonymous login (anonymous / anonymous@);
- passive (EPSV/PASV, ftplib trusts the control peer, not the PASV address,
  since Python 3.9: trust_server_pasv_ipv4_address=False) or active (PORT/EPRT);
  ftplib picks by address family, PASV/PORT on IPv4 and EPSV/EPRT on IPv6
  only, so a server that refuses PASV or PORT as not implemented (500/502)
  asks for RFC 2428 on IPv4, which ftplib has not: unsupported (89);
- binary (retrbinary/storbinary, TYPE I) or ASCII (retrlines/storlines, TYPE A);
- ftplib's data connections never resume the control session (bpo-19500).

Exit status: 0 when the transfer completed; 89 for a job it cannot do; 1
(with a one-line reason on stderr) for anything else.
"""

import ftplib
import socket
import sys
from urllib.parse import unquote, urlsplit

from conform_common import EXIT_UNSUPPORTED, run, start_deadline, tls_context


class Unsupported(Exception):
    """A job ftplib cannot do (answered 89)."""


def _refused_as_unimplemented(err):
    # RFC 959 §4.2: 500 "command unrecognized", 502 "Command not implemented".
    return str(err)[:3] in ("500", "502")


class MappedFTP_TLS(ftplib.FTP_TLS):
    """Connects to CONFORM_ADDR while ftplib keeps `host` for SNI and the
    certificate check (auth() wraps with server_hostname=self.host)."""

    def __init__(self, addr, **kwargs):
        self.conform_addr = addr
        super().__init__(**kwargs)

    def connect(self, host="", port=0, timeout=-999, source_address=None):
        self.host, self.port = host, port
        if timeout != -999:
            self.timeout = timeout
        self.sock = socket.create_connection((self.conform_addr, port), self.timeout)
        self.af = self.sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def makepasv(self):
        try:
            return super().makepasv()
        except ftplib.error_perm as err:
            if self.af == socket.AF_INET and _refused_as_unimplemented(err):
                raise Unsupported(f"ftplib has no EPSV on IPv4 (PASV only), and the server refused PASV: {err}") from err
            raise

    def sendport(self, host, port):
        try:
            return super().sendport(host, port)
        except ftplib.error_perm as err:
            if _refused_as_unimplemented(err):
                raise Unsupported(f"ftplib has no EPRT on IPv4 (PORT only), and the server refused PORT: {err}") from err
            raise


def main(env):
    try:
        return transfer(env)
    except Unsupported as err:
        print(err, file=sys.stderr)
        return EXIT_UNSUPPORTED


def transfer(env):
    action = env.get("CONFORM_ACTION")
    if env.get("CONFORM_PROTOCOL") != "ftps" or action not in ("download", "upload", "list"):
        print(f"unsupported: {env.get('CONFORM_PROTOCOL')} {action}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    if env["CONFORM_TLS"] == "implicit":
        print("ftplib has no implicit FTPS", file=sys.stderr)
        return EXIT_UNSUPPORTED
    timeout = start_deadline(env)
    host, port = env["CONFORM_HOST"], int(env["CONFORM_PORT"])
    ftp = MappedFTP_TLS(env.get("CONFORM_ADDR") or host, context=tls_context(env), timeout=timeout)
    ftp.connect(host, port)
    if env["CONFORM_TLS"] == "explicit":
        try:
            ftp.auth()
        except ftplib.error_perm as err:
            if env.get("CONFORM_REQUIRE_TLS") == "1":
                raise
            print(f"AUTH TLS failed ({err}); going on in plaintext as allowed", file=sys.stderr)
    elif env.get("CONFORM_REQUIRE_TLS") == "1":
        print("the job requires TLS but the server offers none", file=sys.stderr)
        return 1
    ftp.login(env["CONFORM_USER"], env["CONFORM_PASS"])
    if isinstance(ftp.sock, __import__("ssl").SSLSocket):
        if env.get("CONFORM_FTP_PROT") == "C":
            ftp.prot_c()
        else:
            ftp.prot_p()
        if env.get("CONFORM_FTP_CCC") == "1":
            ftp.ccc()
    ftp.set_pasv(env.get("CONFORM_FTP_MODE") != "active")
    path = unquote(urlsplit(env["CONFORM_URL"]).path) or "/"
    ascii_mode = env.get("CONFORM_FTP_TYPE") == "A"
    if action == "download":
        with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
            if ascii_mode:
                ftp.retrlines(f"RETR {path}", lambda line: out.write(line.encode("latin-1") + b"\n"))
            else:
                ftp.retrbinary(f"RETR {path}", out.write)
    elif action == "upload":
        with open(env["CONFORM_INPUT_FILE"], "rb") as src:
            (ftp.storlines if ascii_mode else ftp.storbinary)(f"STOR {path}", src)
    else:
        with open(env["CONFORM_OUTPUT_FILE"], "wb") as out:
            ftp.retrlines(f"LIST {path}", lambda line: out.write(line.encode("latin-1") + b"\n"))
    ftp.quit()
    return 0


if __name__ == "__main__":
    run(main)
