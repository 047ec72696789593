#!/usr/bin/env bash
# Builds the desktop app's Debian package (target/release/bundle/deb/Otentik_<version>_amd64.deb)
# with the Tauri CLI from npm. The CLI is not one of ui/'s devDependencies: its per-platform
# optional packages do not survive this machine's lock files, which would break `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Node.js the Makefile uses: the system's if recent enough, else the one scripts/node.sh fetches.
scripts/node.sh
export PATH="$PWD/.tools/node/bin:$PATH"
(cd ui && npm ci --no-audit --no-fund && npm run build)
npx --yes @tauri-apps/cli@2.12.5 build --bundles deb
