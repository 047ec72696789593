#!/usr/bin/env bash
# Runs the `it` integration-test binaries of the named packages again, as built by the workspace
# test run (`cargo test --workspace --features otentik/camera`), with the caller's environment:
#   OTENTIK_TEST_DB=postgres scripts/test-again.sh otentik-server otentik-flows
# `cargo test -p A -p B` would resolve features for those packages alone and rebuild much of the
# tree (about 7 minutes on 2 cores); asking the same workspace build for its binaries costs none.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }
binaries=$("${CARGO:-cargo}" test --workspace --features otentik/camera --no-run \
  --message-format=json-render-diagnostics | python3 -c '
import json, os, sys, tomllib
wanted = set(sys.argv[1:])
found = {}
for line in sys.stdin:
    message = json.loads(line)
    target = message.get("target") or {}
    if (message.get("reason") == "compiler-artifact" and message.get("executable")
            and target.get("name") == "it" and "test" in target.get("kind", [])):
        with open(message["manifest_path"], "rb") as manifest:
            package = tomllib.load(manifest)["package"]["name"]
        if package in wanted:
            found[package] = (os.path.dirname(message["manifest_path"]), message["executable"])
missing = wanted - found.keys()
if missing:
    sys.exit("test-again: no `it` test binary for " + ", ".join(sorted(missing)))
for package in sys.argv[1:]:
    print(package, *found[package], sep="\t")
' "$@")
status=0
while IFS=$'\t' read -r package dir executable; do
  echo "test-again: $package ($executable)"
  # As cargo runs a test binary: from its package's folder, with its manifest folder known.
  (cd "$dir" && CARGO_MANIFEST_DIR="$dir" "$executable") || status=$?
done <<<"$binaries"
exit "$status"
