#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests talk
# to a real Secret Service without touching the user's own keyring.
#   scripts/with-keyring.sh cargo test --workspace
set -euo pipefail
if [ -z "${OTENTIK_IN_KEYRING_SESSION:-}" ]; then
  export OTENTIK_IN_KEYRING_SESSION=1
  # Toolchains stay where they are when HOME moves.
  export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
  # A throwaway HOME: gnome-keyring keeps its files under ~/.local/share/keyrings.
  OTENTIK_TEST_HOME=$(mktemp -d)
  export OTENTIK_TEST_HOME
  HOME="$OTENTIK_TEST_HOME" XDG_DATA_HOME="$OTENTIK_TEST_HOME/.local/share" \
    dbus-run-session -- "$0" "$@" && status=0 || status=$?
  # A desktop portal activated on the session bus (GTK asks it for settings, screen capture
  # falls back to it) starts xdg-document-portal, which mounts a FUSE file system at
  # ~/.cache/doc and may outlive the bus by a moment: unmount before removing the home.
  # Clean-up problems are reported but never turn a passing run into a failing one.
  while read -r _ mountpoint _; do
    case "$mountpoint" in
      "$OTENTIK_TEST_HOME"/*)
        fusermount -u -z "$mountpoint" 2>/dev/null || umount -l "$mountpoint" 2>/dev/null ||
          echo "with-keyring: cannot unmount $mountpoint" >&2 ;;
    esac
  done </proc/mounts
  rm -rf "$OTENTIK_TEST_HOME" 2>/dev/null ||
    echo "with-keyring: left $OTENTIK_TEST_HOME behind (still in use)" >&2
  exit "$status"
fi
eval "$(printf 'otentik-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The keyring daemon dies with the D-Bus session; the command runs in between.
exec "$@"
