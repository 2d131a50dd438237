#!/usr/bin/env bash
# Installs the Go toolchain and the Go libraries that tools/helm-render needs to
# render the Helm chart without a helm binary: Go text/template + Sprig (the
# template engine Helm uses) and sigs.k8s.io/yaml (Helm's toYaml/fromYaml).
# All come from Debian packages, so the build needs no module proxy.
# Idempotent and quiet: does nothing when every package is already installed.
set -euo pipefail

PACKAGES=(golang-1.19-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

echo "install-chart-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-chart-tools: done" >&2
