// Import formats as the user knows them, and how the backup screen reads times.

import type { Format } from "./bindings";

/** Every format, with the name of the app it comes from. */
const NAMES = {
  aegis: "Aegis",
  "2fas": "2FAS",
  ente: "Ente Auth",
  proton: "Proton Authenticator",
  bitwarden: "Bitwarden",
  andotp: "andOTP",
  "freeotp-plus": "FreeOTP+",
  lastpass: "LastPass Authenticator",
  uris: "otpauth:// (teks)",
  google: "Google Authenticator (QR)",
} satisfies Record<Format, string>;

export const FORMATS = Object.keys(NAMES) as Format[];

export function formatName(format: Format): string {
  return NAMES[format];
}

/** A Unix time (seconds) as a local date and time in `language`. */
export function backupTime(unixSeconds: number, language: string): string {
  return new Date(unixSeconds * 1000).toLocaleString(language === "id" ? "id-ID" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

/** The checks of a new backup password: at least 8 characters, typed the same twice. */
export function passwordProblem(first: string, again: string): "short" | "differ" | null {
  if ([...first].length < 8) return "short";
  if (first !== again) return "differ";
  return null;
}
