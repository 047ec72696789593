// Errors from Rust arrive as `{code, message, field?}`; anything else (a Tauri-level refusal, a
// JavaScript exception) becomes an `internal` failure with its text as detail.

import type { ErrorCode, Failure } from "./bindings";
import type { MessageKey } from "./i18n/id";

// Every code this UI knows: a code added in Rust and missing here fails `npm run check`.
const KNOWN = {
  not_authenticator_uri: true,
  invalid_uri: true,
  invalid_secret: true,
  invalid_export: true,
  keyring_unavailable: true,
  keyring_locked: true,
  keyring_failure: true,
  secret_missing: true,
  metadata_unreadable: true,
  storage: true,
  vault_locked: true,
  lock_wrong_password: true,
  lock_wait: true,
  lock_password_too_short: true,
  lock_state: true,
  duplicate: true,
  no_match: true,
  ambiguous: true,
  invalid_position: true,
  invalid_origin: true,
  image_unreadable: true,
  qr_not_found: true,
  not_authenticator_qr: true,
  clipboard: true,
  screen_capture: true,
  no_camera: true,
  camera: true,
  push_insecure_url: true,
  push_unreachable: true,
  push_protocol: true,
  push_rejected: true,
  push_clock_skew: true,
  push_revoked: true,
  push_enrollment_refused: true,
  push_key_mismatch: true,
  push_request_gone: true,
  push_number_required: true,
  not_push_account: true,
  backup_unreadable: true,
  backup_unknown_format: true,
  backup_password_required: true,
  backup_wrong_password: true,
  backup_unsupported: true,
  backup_no_accounts: true,
  backup_verify_failed: true,
  invalid_input: true,
  pending_expired: true,
  internal: true,
} satisfies Record<ErrorCode, true>;

const CODES = Object.keys(KNOWN) as ErrorCode[];

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
export function errorKeys(failure: Failure): { title: MessageKey; hint: MessageKey } {
  return { title: `error.${failure.code}.title`, hint: `error.${failure.code}.hint` };
}

/** Whether the failure is about the keyring, which blocks the whole list (with a retry). */
export function isKeyringProblem(failure: Failure): boolean {
  return failure.code === "keyring_locked" || failure.code === "keyring_unavailable" || failure.code === "keyring_failure";
}
