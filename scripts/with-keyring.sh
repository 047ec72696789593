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
  trap 'rm -rf "$OTENTIK_TEST_HOME"' EXIT
  HOME="$OTENTIK_TEST_HOME" XDG_DATA_HOME="$OTENTIK_TEST_HOME/.local/share" \
    dbus-run-session -- "$0" "$@"
  exit $?
fi
eval "$(printf 'otentik-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The keyring daemon dies with the D-Bus session; the command runs in between.
exec "$@"
