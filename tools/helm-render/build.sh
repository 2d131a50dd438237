#!/usr/bin/env bash
# Builds helm-render offline from Debian's Go packages (see
# scripts/install-chart-tools.sh). Debian installs Go sources GOPATH-style
# under /usr/share/gocode/src without the /v3 major-version directories that
# Sprig's import paths name, so a tiny shim GOPATH adds those two as symlinks.
# Usage: tools/helm-render/build.sh OUTPUT_BINARY
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
GO=${GO:-}
if [ -z "$GO" ]; then
  for c in /usr/lib/go-1.19/bin/go "$(command -v go || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then GO=$c; break; fi
  done
fi
gocode=/usr/share/gocode/src
if [ -z "$GO" ] || [ ! -x "$GO" ] || [ ! -d "$gocode/github.com/Masterminds/sprig" ] || [ ! -d "$gocode/sigs.k8s.io/yaml" ]; then
  echo "helm-render: Go toolchain or Go libraries missing; run scripts/install-chart-tools.sh" >&2
  exit 3
fi
outdir=$(cd "$(dirname "$out")" && pwd)
shim="$outdir/gopath"
mkdir -p "$shim/src/github.com/Masterminds/sprig" "$shim/src/github.com/Masterminds/semver"
ln -sfn "$gocode/github.com/Masterminds/sprig" "$shim/src/github.com/Masterminds/sprig/v3"
ln -sfn "$gocode/github.com/Masterminds/semver" "$shim/src/github.com/Masterminds/semver/v3"
tmp="$out.tmp.$$"
cd "$here"
GO111MODULE=off GOFLAGS= GOPROXY=off GOPATH="$shim:/usr/share/gocode" GOCACHE="$outdir/gocache" \
  "$GO" build -o "$tmp" .
# rename is atomic: test files building in parallel never see half a binary
mv -f "$tmp" "$out"
