// The native-messaging protocol between the extension and `otentik browser-host`.
//
// This module is the extension's copy of the contract; the Rust host implements exactly the same
// messages. Framing (4-byte native-endian length + UTF-8 JSON) is done by the browser: the
// extension only ever sees the JSON objects.
//
// Every request carries `type` and an optional `id` (a string the host echoes in its reply).
// No secret ever travels host → extension: only account names and current codes. The `add`
// request carries the page's otpauth:// URI (a secret) the other way, and Otentik asks the user
// to confirm before it keeps anything.

/** The native host's name: the browser finds `<HOST_NAME>.json` in its NativeMessagingHosts folder. */
export const HOST_NAME = "id.otentik.browser_host";

/** Firefox's extension id (`browser_specific_settings.gecko.id`), for `allowed_extensions`. */
export const GECKO_ID = "browser@otentik.id";

/**
 * Chromium's extension id, fixed by the public `key` in manifest.json (see
 * scripts/extension-id.mjs), for `allowed_origins: ["chrome-extension://<id>/"]`.
 */
export const CHROMIUM_EXTENSION_ID = "fkamgadhljpfghnogkmljbkocmcioimp";

/** Longest otpauth:// URI the extension sends (a real one is a few hundred bytes). */
export const MAX_URI_LENGTH = 4096;
/** Longest origin the extension sends. */
export const MAX_ORIGIN_LENGTH = 2048;
/** Longest account id the extension accepts or sends. */
export const MAX_ACCOUNT_ID_LENGTH = 256;

/** Error codes the host sends. Others may come; the message is always shown as is. */
export const HOST_ERROR_CODES = [
  "vault_locked",
  "origin_not_bound",
  "origin_not_allowed",
  "declined",
  "bad_request",
  "not_found",
  "too_large",
  "invalid_uri",
  "unsupported",
  // an add, answered by the Otentik app through the host
  "duplicate",
  "not_confirmed",
  "app_not_running",
  "app_unreachable",
  "busy",
  "timeout",
  "bad_reply",
] as const;

/** Error codes the extension makes itself (the host sends `timeout` and `bad_reply` too, for the
 * app behind it). */
export const LOCAL_ERROR_CODES = [
  "host_unavailable", // no host manifest, the host crashed or exited
  "timeout", // no answer in time
  "bad_reply", // the host answered something this extension does not understand
  "origin_mismatch", // a content script claimed an origin that is not its own
  "bad_message", // a malformed message inside the extension
] as const;

export type HostErrorCode = (typeof HOST_ERROR_CODES)[number];
export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[number];

/** The name of one account: never its secret. */
export interface AccountName {
  id: string;
  issuer: string;
  label: string;
}

export interface StatusRequest {
  type: "status";
  id?: string;
}
export interface AccountsRequest {
  type: "accounts";
  origin: string;
  id?: string;
}
export interface CodeRequest {
  type: "code";
  origin: string;
  account: string;
  id?: string;
}
export interface AddRequest {
  type: "add";
  origin: string;
  uri: string;
  id?: string;
}
export type HostRequest = StatusRequest | AccountsRequest | CodeRequest | AddRequest;

export interface StatusReply {
  type: "status";
  locked: boolean;
  version: string;
  id?: string;
}
export interface AccountsReply {
  type: "accounts";
  origin: string;
  accounts: AccountName[];
  id?: string;
}
export interface CodeReply {
  type: "code";
  account: string;
  code: string;
  period: number;
  remaining: number;
  id?: string;
}
export interface AddedReply {
  type: "added";
  account: AccountName;
  id?: string;
}
export interface ErrorReply {
  type: "error";
  code: string;
  message: string;
  id?: string;
}
export type HostReply = StatusReply | AccountsReply | CodeReply | AddedReply | ErrorReply;

/** The reply type each request expects (besides `error`). */
export const REPLY_TYPE = {
  status: "status",
  accounts: "accounts",
  code: "code",
  add: "added",
} as const satisfies Record<HostRequest["type"], HostReply["type"]>;

export type ReplyFor<R extends HostRequest> = Extract<HostReply, { type: (typeof REPLY_TYPE)[R["type"]] }>;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isString(v: unknown, max = 4096): v is string {
  return typeof v === "string" && v.length <= max;
}

function isNonEmptyString(v: unknown, max = 4096): v is string {
  return isString(v, max) && v.length > 0;
}

function isCount(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function optionalId(v: Json): { id?: string } | null {
  if (v.id === undefined) return {};
  return isString(v.id, 256) ? { id: v.id } : null;
}

function accountName(v: unknown): AccountName | null {
  if (!isObject(v)) return null;
  if (!isNonEmptyString(v.id, MAX_ACCOUNT_ID_LENGTH)) return null;
  if (!isString(v.issuer, 1024) || !isString(v.label, 1024)) return null;
  return { id: v.id, issuer: v.issuer, label: v.label };
}

/** A code is 4–10 letters or digits (Steam-style codes have letters). */
export const CODE_PATTERN = /^[0-9A-Za-z]{4,10}$/;

/**
 * Checks a reply from the host and returns a clean copy (only the known fields), or null when it
 * is not one of the protocol's replies. Unknown extra fields are dropped, not refused, so that a
 * newer host stays readable.
 */
export function validateReply(value: unknown): HostReply | null {
  if (!isObject(value)) return null;
  const id = optionalId(value);
  if (id === null) return null;
  switch (value.type) {
    case "status":
      if (typeof value.locked !== "boolean" || !isString(value.version, 64)) return null;
      return { type: "status", locked: value.locked, version: value.version, ...id };
    case "accounts": {
      if (!isNonEmptyString(value.origin, MAX_ORIGIN_LENGTH) || !Array.isArray(value.accounts)) return null;
      if (value.accounts.length > 1000) return null;
      const accounts: AccountName[] = [];
      for (const a of value.accounts) {
        const name = accountName(a);
        if (name === null) return null;
        accounts.push(name);
      }
      return { type: "accounts", origin: value.origin, accounts, ...id };
    }
    case "code": {
      if (!isNonEmptyString(value.account, MAX_ACCOUNT_ID_LENGTH)) return null;
      if (!isString(value.code, 16) || !CODE_PATTERN.test(value.code)) return null;
      if (!isCount(value.period, 1, 3600) || !isCount(value.remaining, 0, value.period)) return null;
      return {
        type: "code",
        account: value.account,
        code: value.code,
        period: value.period,
        remaining: value.remaining,
        ...id,
      };
    }
    case "added": {
      const account = accountName(value.account);
      if (account === null) return null;
      return { type: "added", account, ...id };
    }
    case "error":
      if (!isNonEmptyString(value.code, 64) || !/^[a-z0-9_]+$/.test(value.code)) return null;
      if (!isString(value.message, 2048)) return null;
      return { type: "error", code: value.code, message: value.message, ...id };
    default:
      return null;
  }
}

/**
 * Checks that `reply` answers `request`: the expected type (or an error), the same id when the
 * request had one, and for a code the same account, for a list the same origin.
 */
export function replyMatches(request: HostRequest, reply: HostReply): boolean {
  if (request.id !== undefined && reply.id !== undefined && reply.id !== request.id) return false;
  if (reply.type === "error") return true;
  if (reply.type !== REPLY_TYPE[request.type]) return false;
  if (request.type === "code" && reply.type === "code") return reply.account === request.account;
  if (request.type === "accounts" && reply.type === "accounts") return reply.origin === request.origin;
  return true;
}
