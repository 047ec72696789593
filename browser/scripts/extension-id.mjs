#!/usr/bin/env node
// Prints the Chromium extension id that manifest.json's `key` gives an unpacked extension:
// the first 32 hex digits of sha256(the DER public key), each digit 0-f written as a-p.
// Usage: node scripts/extension-id.mjs [manifest.json]

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function extensionIdFromKey(base64) {
  const der = Buffer.from(base64, "base64");
  const hex = createHash("sha256").update(der).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "manifest.json");
  const manifest = JSON.parse(readFileSync(path, "utf8"));
  if (typeof manifest.key !== "string") {
    console.error(`${path} has no "key"`);
    process.exit(2);
  }
  console.log(extensionIdFromKey(manifest.key));
}
