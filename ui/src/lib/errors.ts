// Errors from Rust arrive as `{code, message, field?}`; anything else (a Tauri-level refusal, a
// JavaScript exception) becomes an `internal` failure with its text as detail.

import type { ErrorCode, Failure } from "./bindings";

const CODES: readonly ErrorCode[] = [
  "not_authenticator_uri",
  "invalid_uri",
  "invalid_secret",
  "invalid_export",
  "keyring_unavailable",
  "keyring_locked",
  "keyring_failure",
  "secret_missing",
  "metadata_unreadable",
  "storage",
  "duplicate",
  "no_match",
  "ambiguous",
  "invalid_position",
  "image_unreadable",
  "qr_not_found",
  "not_authenticator_qr",
  "clipboard",
  "screen_capture",
  "no_camera",
  "camera",
  "push_insecure_url",
  "push_unreachable",
  "push_protocol",
  "push_rejected",
  "push_clock_skew",
  "push_revoked",
  "push_enrollment_refused",
  "push_request_gone",
  "push_number_required",
  "not_push_account",
  "invalid_input",
  "pending_expired",
  "internal",
];

export const ERROR_CODES = CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (CODES as readonly string[]).includes(value);
}

/** Whatever a rejected `invoke` (or anything else) threw, as a Failure. */
export function toFailure(error: unknown): Failure {
  if (typeof error === "object" && error !== null && "code" in error) {
    const record = error as { code: unknown; message?: unknown; field?: unknown };
    const failure: Failure = {
      code: isErrorCode(record.code) ? record.code : "internal",
      message: typeof record.message === "string" ? record.message : "",
    };
    if (typeof record.field === "string") failure.field = record.field;
    return failure;
  }
  if (error instanceof Error) return { code: "internal", message: error.message };
  return { code: "internal", message: String(error) };
}

/** Catalogue keys for a failure: a title and what to do. */
export function errorKeys(failure: Failure): { title: string; hint: string } {
  return { title: `error.${failure.code}.title`, hint: `error.${failure.code}.hint` };
}

/** Whether the failure is about the keyring, which blocks the whole list (with a retry). */
export function isKeyringProblem(failure: Failure): boolean {
  return failure.code === "keyring_locked" || failure.code === "keyring_unavailable" || failure.code === "keyring_failure";
}
