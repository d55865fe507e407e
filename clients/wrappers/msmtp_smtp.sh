#!/usr/bin/env bash
# A Conform client for msmtp (Debian's, on GnuTLS): CONFORM_PROTOCOL=smtp,
# CONFORM_ACTION=send. Configured by command-line options only (--file=/dev/null,
# so no ~/.msmtprc counts), the message on standard input. msmtp has no
# "STARTTLS if offered" mode, so TLS is on whenever the server has it.
# Exit: msmtp's own status (0 sent, sysexits codes otherwise); 89 when unsupported.
set -u
if [ "${CONFORM_PROTOCOL:-}" != smtp ] || [ "${CONFORM_ACTION:-}" != send ]; then
  echo "unsupported: ${CONFORM_PROTOCOL:-} ${CONFORM_ACTION:-}" >&2
  exit 89
fi
timeout=$(( ${CONFORM_TIMEOUT_MS:-5000} / 1000 ))
[ "$timeout" -ge 1 ] || timeout=1
args=(--file=/dev/null --host="${CONFORM_ADDR:-$CONFORM_HOST}" --port="$CONFORM_PORT"
  --domain=client.conform.test --from="$CONFORM_MAIL_FROM" --timeout="$timeout")
case "$CONFORM_TLS" in
  implicit) args+=(--tls=on --tls-starttls=off) ;;
  explicit) args+=(--tls=on --tls-starttls=on) ;;
  *) args+=(--tls=off) ;;
esac
# Verify against the CA file and the case's host name, not the address connected to.
args+=(--tls-trust-file="$CONFORM_CA_FILE" --tls-certcheck=on --tls-host-override="$CONFORM_HOST")
# The CRL when the job asks for a CRL check.
if [ "${CONFORM_CHECK_REVOCATION:-}" = crl ] && [ -n "${CONFORM_CRL_FILE:-}" ]; then
  args+=(--tls-crl-file="$CONFORM_CRL_FILE")
fi
# The client certificate the job gives, presented when the server asks.
if [ -n "${CONFORM_CLIENT_CERT:-}" ]; then
  args+=(--tls-cert-file="$CONFORM_CLIENT_CERT" --tls-key-file="$CONFORM_CLIENT_KEY")
fi
if [ -n "${CONFORM_USER:-}" ]; then
  # The password reaches msmtp through a file in the case's scratch directory, never argv.
  printf '%s' "$CONFORM_PASS" > "$CONFORM_WORKDIR/msmtp-password"
  args+=(--auth=on --user="$CONFORM_USER" --passwordeval="cat '$CONFORM_WORKDIR/msmtp-password'")
else
  args+=(--auth=off)
fi
IFS=',' read -r -a recipients <<< "$CONFORM_MAIL_TO"
exec msmtp "${args[@]}" -- "${recipients[@]}" < "$CONFORM_INPUT_FILE"
