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
  libwebkit2gtk-4.1-dev           # the desktop app (Tauri 2 on WebKitGTK)
  webkit2gtk-driver               # WebKitWebDriver, for the app's end-to-end tests
  libayatana-appindicator3-1      # the app's tray icon (loaded at run time)
)

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
