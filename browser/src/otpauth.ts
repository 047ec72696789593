// What a decoded QR code says: an otpauth:// account (gets a button), a Google Authenticator
// export (otpauth-migration://, ignored here: import it in the app), or anything else (ignored).
// Otentik itself parses and validates the URI; this only decides whether to offer the button.

import { MAX_URI_LENGTH } from "./protocol.js";

export type QrKind = "otpauth" | "migration" | "other";

/** The kind of a QR code's text. */
export function classifyQrText(text: string): QrKind {
  const trimmed = text.trim();
  if (/^otpauth-migration:\/\//i.test(trimmed)) return "migration";
  return isOtpauthUri(trimmed) ? "otpauth" : "other";
}

/**
 * Whether `text` looks like an account URI worth offering to Otentik:
 * `otpauth://totp/…` or `otpauth://hotp/…` with a non-empty `secret` parameter, printable
 * ASCII only, at most MAX_URI_LENGTH characters.
 */
export function isOtpauthUri(text: string): boolean {
  if (typeof text !== "string" || text.length === 0 || text.length > MAX_URI_LENGTH) return false;
  if (!/^[\x21-\x7e]+$/.test(text)) return false; // no spaces or control characters: a URI is percent-encoded
  const match = /^otpauth:\/\/(totp|hotp)\/([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(text);
  if (match === null) return false;
  const query = match[3];
  if (query === undefined) return false;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return false;
  }
  const secret = params.get("secret");
  return secret !== null && /^[A-Za-z2-7=\s-]+$/.test(secret) && /[A-Za-z2-7]/.test(secret);
}

/** The text to send: a QR code's text without surrounding whitespace. */
export function normalizeOtpauthUri(text: string): string | null {
  const trimmed = text.trim();
  return isOtpauthUri(trimmed) ? trimmed : null;
}
