import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, no types
import { extensionIdFromKey } from "../scripts/extension-id.mjs";
import { CHROMIUM_EXTENSION_ID, GECKO_ID } from "../src/protocol.js";

const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8"));

describe("manifest.json", () => {
  it("is Manifest V3 with the version of package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.version).toBe(pkg.version);
  });

  it("fixes the Chromium id with its public key", () => {
    expect(extensionIdFromKey(manifest.key)).toBe(CHROMIUM_EXTENSION_ID);
    expect(CHROMIUM_EXTENSION_ID).toMatch(/^[a-p]{32}$/);
    // A public key only (SubjectPublicKeyInfo, RSA): never a private key.
    const der = Buffer.from(manifest.key, "base64");
    expect(der.length).toBeLessThan(600);
    expect(manifest.key.startsWith("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")).toBe(true);
  });

  it("names the Firefox id", () => {
    expect(manifest.browser_specific_settings.gecko.id).toBe(GECKO_ID);
  });

  it("asks for the least it needs", () => {
    expect([...manifest.permissions].sort()).toEqual(["activeTab", "nativeMessaging"]);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_permissions).toBeUndefined();
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.web_accessible_resources).toBeUndefined();
    const [content] = manifest.content_scripts;
    expect(manifest.content_scripts).toHaveLength(1);
    expect(content.matches).toEqual(["https://*/*", "http://127.0.0.1/*", "http://localhost/*", "http://[::1]/*"]);
    expect(content.all_frames).toBe(false);
  });

  it("runs the same background in both browsers, and loads no remote code", () => {
    expect(manifest.background).toEqual({ service_worker: "background.js", scripts: ["background.js"] });
    expect(manifest.content_security_policy.extension_pages).toMatch(/^script-src 'self';/);
    const popup = readFileSync(new URL("../static/popup.html", import.meta.url), "utf8");
    expect(popup).not.toMatch(/https?:\/\//);
    expect(popup).not.toMatch(/<script>/);
  });
});
