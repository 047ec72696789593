#!/usr/bin/env bash
# Installs the Debian packages Otentik's build and tests need, when any is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail

packages=(
  build-essential pkg-config      # C toolchain for -sys crates
  libclang-dev                    # nokhwa's bindgen (camera)
  dbus gnome-keyring libsecret-tools keyutils   # a real Secret Service for the vault tests
  xvfb xauth xclip x11-apps       # screen and clipboard tests under a virtual X display
  sway swaybg grim pipewire       # Wayland screen capture test: headless sway showing a QR code,
  xdg-desktop-portal xdg-desktop-portal-wlr xdg-desktop-portal-gtk  # ...read through the portal
  zbar-tools imagemagick          # the QR benchmark's reference decoder; image conversion
  librsvg2-bin                    # rsvg-convert: the flow tests render the demo site's SVG QR code
  dunst                           # a notification daemon: the app's notification is clicked in a test
  libwebkit2gtk-4.1-dev           # the desktop app (Tauri 2 on WebKitGTK)
  webkit2gtk-driver               # WebKitWebDriver, for the app's end-to-end tests
  libayatana-appindicator3-1      # the app's tray icon (loaded at run time)
)

# The toolchains are not Debian packages here: Debian 12's Rust (1.63) and Node.js (18) are too
# old for Tauri 2 and Vite 8. Say how to get them instead of failing later in the build.
if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs):" >&2
  echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh" >&2
  exit 1
fi
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if ! command -v npm >/dev/null || [ "${node_major:-0}" -lt 20 ]; then
  echo "Node.js 20.19 or newer with npm is needed for the app's UI (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "  Install it from https://nodejs.org or your distribution's backports, then run make again." >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
