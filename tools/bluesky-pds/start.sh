#!/usr/bin/env bash
# Start the PLC directory and the PDS on 127.0.0.1, in the foreground; SIGTERM stops both.
# Prints PLC_URL=..., PDS_URL=..., PDS_DATA_DIRECTORY=..., then "READY in N ms (pid P)".
# Env: PDS_PORT (2583), PLC_PORT (2582), PDS_DATA_DIRECTORY (default: a fresh temporary
# folder, removed on exit), PDS_ADMIN_PASSWORD (admin-pass), LOG_ENABLED=true for the
# PDS's JSON logs, PDS_RATE_LIMITS_ENABLED=true for real 429s. Run setup.sh once first.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="${PDS_PEER_HOME:-$HOME/.cache/thread-composer/bluesky-pds}"

if [ ! -x "$DEST/node" ] || [ ! -f "$DEST/.installed" ]; then
    echo "start.sh: the PDS is not installed under $DEST: run bash $HERE/setup.sh" >&2
    exit 1
fi
# Node finds packages next to the script it runs, so the script must sit beside
# node_modules. Copy it there on every start (the repository's copy is the truth) and
# rename it into place, so that test sessions starting at once never read half a file.
copy="$(mktemp --suffix=.mjs "$DEST/start-pds.XXXXXX")"
cp "$HERE/start-pds.mjs" "$copy"
mv -f "$copy" "$DEST/start-pds.mjs"
cd "$DEST"
exec "$DEST/node" "$DEST/start-pds.mjs"
