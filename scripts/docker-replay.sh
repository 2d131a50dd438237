#!/usr/bin/env bash
# Replays the Dockerfile's steps without a Docker engine, so CI checks what the image would do:
#   1. the build context: a copy of the repo minus what .dockerignore excludes;
#   2. build stage: COPY package files, tsconfigs, src; `npm ci`; `npm run build`;
#   3. runtime stage: a clean dir with package files, `npm ci --omit=dev --ignore-scripts` and the
#      built dist/ only; then the image's entry point must run: `node dist/main.js --version` and
#      `node dist/main.js check-config --config <example>`.
# It also checks that the Dockerfile still has the COPY/RUN/ENTRYPOINT lines replayed here.
# Usage: scripts/docker-replay.sh [WORKDIR]   (WORKDIR defaults to a fresh temp dir, removed after)
# Prints `docker-replay: ok ...` and exits 0 on success; any failure exits non-zero.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
say() { echo "docker-replay: $*" >&2; }
# Runs an npm step quietly; on failure shows npm's own error lines (not its usage text).
npm_step() {
  local what=$1; shift
  if ! "$@" >"$work/npm.log" 2>&1; then
    grep -E '^npm error (code|Missing|`npm ci`)|^npm ERR!' "$work/npm.log" | head -12 >&2 || tail -20 "$work/npm.log" >&2
    echo "docker-replay: FAIL: $what" >&2
    exit 1
  fi
}
die() { echo "docker-replay: FAIL: $*" >&2; exit 1; }

# The Dockerfile must still do what this script replays.
df="$repo/Dockerfile"
for line in \
  'COPY package.json package-lock.json ./' \
  'RUN npm ci --ignore-scripts --no-audit --no-fund' \
  'COPY tsconfig.json tsconfig.build.json ./' \
  'COPY src ./src' \
  'RUN npm run build' \
  'RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \' \
  'COPY --from=build /app/dist ./dist' \
  'USER 10001:10001' \
  'EXPOSE 8080 9090' \
  'ENTRYPOINT ["node", "dist/main.js"]'; do
  grep -qxF -- "$line" "$df" || die "Dockerfile no longer has: $line (update scripts/docker-replay.sh too)"
done
node_major=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9]*\)\..*/\1/p' "$df")
[ -n "$node_major" ] || die "Dockerfile's NODE_IMAGE is not a pinned node:MAJOR.x tag"
[ "$(node -p 'process.versions.node.split(".")[0]')" = "$node_major" ] ||
  say "note: replaying with node $(node --version), the image pins node $node_major"

# 1. Build context, honouring .dockerignore (its patterns are plain names/globs, as tar reads them).
ctx="$work/context"
mkdir -p "$ctx"
tar -C "$repo" --exclude-from="$repo/.dockerignore" -cf - . | tar -C "$ctx" -xf -
for gone in node_modules .git dist test; do
  [ ! -e "$ctx/$gone" ] || die ".dockerignore lets $gone into the build context"
done
context_kb=$(du -sk "$ctx" | cut -f1)

# 2. Build stage.
build="$work/build"
mkdir -p "$build"
cp "$ctx/package.json" "$ctx/package-lock.json" "$build/"
(cd "$build" && npm_step "npm ci in the build stage (is package-lock.json in sync? npm ci refuses a stale lock)" \
  npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
cp "$ctx/tsconfig.json" "$ctx/tsconfig.build.json" "$build/"
cp -R "$ctx/src" "$build/src"
(cd "$build" && npm run build --silent >/dev/null) || die "npm run build failed in the build stage"
[ -f "$build/dist/main.js" ] || die "build stage produced no dist/main.js"

# 3. Runtime stage: production dependencies and dist/ only.
app="$work/app"
mkdir -p "$app"
cp "$ctx/package.json" "$ctx/package-lock.json" "$app/"
(cd "$app" && NODE_ENV=production npm_step "npm ci --omit=dev in the runtime stage" \
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
cp -R "$build/dist" "$app/dist"
for dev in typescript tsx kubernetes-models fast-check wampy; do
  [ ! -e "$app/node_modules/$dev" ] || die "dev dependency $dev reached the runtime stage"
done

cat >"$work/example.yaml" <<'YAML'
listen: { host: 0.0.0.0, port: 8080 }
admin: { host: 0.0.0.0, port: 9090 }
upstream: { url: "http://127.0.0.1:8081" }
realms:
  - name: realm1
readiness:
  sources:
    - type: crossbar
      url: ws://crossbar-master:9000/ws
      authid: realmgate
      privateKeyEnv: REALMGATE_MASTER_KEY
      node: ${NODE_AUTHID}
      webcluster: cluster1
    - type: probe
shutdown: { delayMs: 5000, drainTimeoutMs: 30000 }
YAML

cd "$app"
want_version=$(node -p 'require("./package.json").version')
got_version=$(NODE_ENV=production node dist/main.js --version) || die "node dist/main.js --version failed"
[ "$got_version" = "$want_version" ] || [ "$got_version" = "v$want_version" ] ||
  die "--version printed '$got_version', want $want_version"
effective=$(NODE_ENV=production NODE_AUTHID=node-1 REALMGATE_MASTER_KEY=$(printf '0%.0s' {1..64}) node dist/main.js check-config --config "$work/example.yaml") ||
  die "check-config rejected the example config"
node -e 'const c = JSON.parse(process.argv[1]); if (c.readiness.sources[0].node !== "node-1") process.exit(1)' "$effective" ||
  die "check-config's effective config lacks the substituted node authid"
if NODE_ENV=production node dist/main.js check-config --config "$work/example.yaml" >/dev/null 2>&1; then
  die "check-config accepted a config with an unset \${NODE_AUTHID}"
fi

runtime_kb=$(du -sk "$app" | cut -f1)
say "ok: version $got_version, build context ${context_kb} KiB, runtime app dir ${runtime_kb} KiB (node_modules + dist)"
echo "docker-replay: ok context_kb=$context_kb runtime_kb=$runtime_kb"
