#!/usr/bin/env bash
# The browser extension end to end with the real native host and the real app
# (browser/e2e/real-host.mjs): Debian's Chromium and chromedriver, and the Otentik app through
# tauri-driver, on one virtual display; the demo site; a fresh vault. Needs a Secret
# Service, so run it inside the keyring wrapper, from the repository root:
#   scripts/with-keyring.sh scripts/browser-e2e.sh
# Environment: OTENTIK_BIN, OTENTIK_SERVER_BIN, OTENTIK_APP_BIN (default: target/debug/otentik,
# target/debug/otentik-server, target/debug/otentik-app; build them first), TAURI_DRIVER,
# OTENTIK_E2E_SHOTS (screenshots and logs, default browser/e2e/shots), OTENTIK_E2E_HEADLESS=1
# (Chromium's --headless=new; the app still needs the virtual display).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v node >/dev/null || missing+=(nodejs)
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "browser-e2e: missing ${missing[*]}; install with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

export OTENTIK_BIN="${OTENTIK_BIN:-$root/target/debug/otentik}"
export OTENTIK_SERVER_BIN="${OTENTIK_SERVER_BIN:-$root/target/debug/otentik-server}"
export OTENTIK_APP_BIN="${OTENTIK_APP_BIN:-$root/target/debug/otentik-app}"
for bin in "$OTENTIK_BIN" "$OTENTIK_SERVER_BIN" "$OTENTIK_APP_BIN"; do
  if [ ! -x "$bin" ]; then
    echo "browser-e2e: $bin is missing: build it first (cargo build -p otentik-cli -p otentik-server -p otentik-app)" >&2
    exit 1
  fi
done

if [ ! -f browser/dist/manifest.json ]; then
  echo "browser-e2e: building the extension (browser/dist)" >&2
  [ -d browser/node_modules ] || (cd browser && npm ci)
  (cd browser && npm run build)
fi

# A real (virtual) display: Chromium runs as it does for a user, extensions and native messaging
# included; the screen is as large as the window so screenshots are not cut.
exec xvfb-run -a -s "-screen 0 1280x1024x24" node browser/e2e/real-host.mjs
