// Builds the unpacked extension into dist/: manifest.json (its version from package.json), the
// three bundles (background, content script, popup; no remote code, no eval), the popup's page
// and style, and the icons. One folder for Chromium ("Load unpacked") and Firefox
// (about:debugging → "Load Temporary Add-on…" → dist/manifest.json).

import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: {
    background: join(here, "src/background.ts"),
    content: join(here, "src/content.ts"),
    popup: join(here, "src/popup.ts"),
  },
  outdir: dist,
  bundle: true,
  format: "iife", // content scripts cannot be modules; Firefox's background.scripts neither
  platform: "browser",
  target: ["chrome121", "firefox128"],
  minify: false, // readable for review (store reviewers, and anyone curious)
  sourcemap: false,
  legalComments: "inline",
  charset: "utf8",
  logLevel: "warning",
});

const manifest = JSON.parse(readFileSync(join(here, "manifest.json"), "utf8"));
manifest.version = pkg.version;
writeFileSync(join(dist, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
cpSync(join(here, "static"), dist, { recursive: true });
cpSync(join(here, "icons"), join(dist, "icons"), { recursive: true });

console.log(`built ${dist}`);
