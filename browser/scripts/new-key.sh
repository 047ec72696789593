#!/bin/sh
# Makes a new RSA key for the extension's `key` (which fixes the Chromium extension id) and prints
# the public half for manifest.json and the id it gives. Not needed to build or load the
# extension: the committed manifest.json already has its public key, and loading unpacked needs
# no private key. A new key changes the id, so CHROMIUM_EXTENSION_ID in src/protocol.ts and the
# host manifests `otentik browser install` writes must follow. The private key is left in the
# given file (default: a temporary one) and must never be committed.
set -eu
out=${1:-$(mktemp --suffix=.pem)}
openssl genrsa -out "$out" 2048 2>/dev/null
key=$(openssl rsa -in "$out" -pubout -outform DER 2>/dev/null | base64 -w0)
id=$(printf '%s' "$key" | base64 -d | sha256sum | head -c 32 | tr '0-9a-f' 'a-p')
echo "private key (do not commit): $out"
echo "manifest.json \"key\": $key"
echo "extension id: $id"
