// The manual form: what is checked before Rust sees it (Rust checks again, the same way a
// scanned URI is checked). Errors are catalogue keys, per field.

import type { ManualForm } from "./bindings";
import type { MessageKey } from "./i18n/id";

/** The form as Rust takes it (kind and algorithm are the core's own enums). */
export type ManualFields = ManualForm;

export type FieldErrors = Partial<Record<keyof ManualFields, MessageKey>>;

export function emptyForm(): ManualFields {
  return {
    issuer: "",
    name: "",
    secret: "",
    kind: "totp",
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    counter: 0,
  };
}

/** The secret without the spaces, dashes and padding sites add for readability. */
export function cleanSecret(secret: string): string {
  return secret.replace(/[\s=-]/g, "").toUpperCase();
}

/** Catalogue keys of the problems in `form`; empty when it may be sent. */
export function validateManual(form: ManualFields): FieldErrors {
  const errors: FieldErrors = {};
  if (form.name.trim() === "") errors.name = "form.error.nameRequired";
  const secret = cleanSecret(form.secret);
  if (secret === "") {
    errors.secret = "form.error.secretRequired";
  } else if (!/^[A-Z2-7]+$/.test(secret)) {
    errors.secret = "form.error.secretCharacters";
  } else if ([1, 3, 6].includes(secret.length % 8)) {
    errors.secret = "form.error.secretLength";
  } else if (Math.floor((secret.length * 5) / 8) * 8 < 80) {
    errors.secret = "form.error.secretShort";
  }
  // Steam Guard is always 5 characters, HMAC-SHA1 and 30 s: its fields are not shown.
  if (form.kind !== "steam" && ![6, 7, 8, 9].includes(form.digits)) errors.digits = "form.error.digits";
  if (form.kind === "totp" && !(Number.isInteger(form.period) && form.period >= 1 && form.period <= 3600)) {
    errors.period = "form.error.period";
  }
  if (form.kind === "hotp" && !(Number.isInteger(form.counter) && form.counter >= 0)) {
    errors.counter = "form.error.counter";
  }
  return errors;
}
