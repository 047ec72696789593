#!/usr/bin/env bash
# Installs what Otentik's build and tests need, when any is missing: the Debian packages (as root
# it runs apt-get; otherwise it prints the exact command to run), then a Node.js for the UI
# (scripts/node.sh: the system's when recent enough, else a pinned one fetched into .tools/node).
set -euo pipefail

packages=(
  build-essential pkg-config      # C toolchain for -sys crates
  libclang-dev                    # nokhwa's bindgen (camera)
  dbus gnome-keyring libsecret-tools keyutils   # a real Secret Service for the vault tests
  libglib2.0-bin                  # gdbus: waits for a fresh keyring's bus name
  xvfb xauth xclip x11-apps       # screen and clipboard tests under a virtual X display
  sway swaybg grim pipewire       # Wayland screen capture test: headless sway showing a QR code,
  xdg-desktop-portal xdg-desktop-portal-wlr xdg-desktop-portal-gtk  # ...read through the portal
  zbar-tools imagemagick          # the QR benchmark's reference decoder; image conversion
  librsvg2-bin                    # rsvg-convert: the flow tests render the demo site's SVG QR code
  dunst                           # a notification daemon: the app's notification is clicked in a test
  libwebkit2gtk-4.1-dev           # the desktop app (Tauri 2 on WebKitGTK)
  webkit2gtk-driver               # WebKitWebDriver, for the app's end-to-end tests
  libayatana-appindicator3-1      # the app's tray icon (loaded at run time)
  curl ca-certificates            # scripts/node.sh fetches Node.js from the npm registry
  mmdebstrap                      # the set-up test builds a fresh Debian 12 chroot
  python3-cryptography            # an independent reader opens the backups Otentik writes
  postgresql                      # the push server's second engine: tests start a throw-away cluster
  chromium chromium-driver        # the browser extension's end-to-end test (scripts/browser-e2e.sh)
)

# Rust is not a Debian package here: Debian 12's (1.63) is too old for Tauri 2. Say how to get it
# instead of failing later in the build. (Node.js, whose Debian 12 version is too old for Vite 8,
# is scripts/node.sh's business below.)
if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs):" >&2
  echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  command=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${command[@]}"
  else
    echo "Missing Debian packages. Run as root:" >&2
    echo "  sudo apt-get update && sudo ${command[*]}" >&2
    exit 1
  fi
fi

"$(dirname "$0")/node.sh"
