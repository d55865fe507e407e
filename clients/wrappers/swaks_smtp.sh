#!/usr/bin/env bash
# Runs swaks (its argv built by harness/clients/profiles/swaks.ts) with the
# message as swaks expects DATA: swaks appends CRLF "." itself, so a message
# file that already ends with CRLF would gain an empty line; the final line
# ending is taken off a copy in the case's scratch directory.
set -u
data="$CONFORM_WORKDIR/swaks-data"
if [ "$(tail -c 2 "$CONFORM_INPUT_FILE" | od -An -tx1 | tr -d ' \n')" = 0d0a ]; then
  head -c -2 "$CONFORM_INPUT_FILE" > "$data"
else
  cp "$CONFORM_INPUT_FILE" "$data"
fi
exec swaks "$@" --data "@$data"
