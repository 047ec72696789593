// Messages inside the extension: content script → background, popup → background, and the
// background's answers. The background is the only part that talks to the native host, and it
// checks every message here first: its shape, and — for a content script — that the origin the
// message names is the origin of the frame that sent it, as the browser reports it. The origin it
// forwards to the host is the browser's, never the page's word.

import { isCodeOrigin, originOf } from "./origin.js";
import { isOtpauthUri } from "./otpauth.js";
import {
  MAX_ACCOUNT_ID_LENGTH,
  MAX_ORIGIN_LENGTH,
  MAX_URI_LENGTH,
  type AccountName,
  type HostReply,
  type LocalErrorCode,
} from "./protocol.js";

/** From a content script: the origin is the page's own `location.origin`. */
export type ContentMessage =
  | { type: "status" }
  | { type: "accounts"; origin: string }
  | { type: "code"; origin: string; account: string }
  | { type: "add"; origin: string; uri: string };

/** From the toolbar popup: the tab it was opened on; the background reads that tab's URL. */
export type PopupMessage =
  | { type: "popup-accounts"; tabId: number }
  | { type: "popup-code"; tabId: number; account: string };

export interface Failure {
  code: string; // a host error code or a LocalErrorCode
  message: string;
}

export type Answer<T> = { ok: true; reply: T } | { ok: false; error: Failure };

/** The popup's list: the tab's origin (null when it has none) and the accounts bound to it. */
export interface PopupAccounts {
  origin: string | null;
  allowed: boolean; // whether codes may be asked for there at all
  locked: boolean;
  accounts: AccountName[];
}

export function failure(code: LocalErrorCode | string, message: string): { ok: false; error: Failure } {
  return { ok: false, error: { code, message } };
}

export function fromReply<T extends HostReply>(reply: T | Extract<HostReply, { type: "error" }>): Answer<T> {
  if (reply.type === "error") return failure(reply.code, reply.message);
  return { ok: true, reply: reply as T };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function keysAre(v: Json, allowed: string[]): boolean {
  return Object.keys(v).every((k) => allowed.includes(k));
}

function isOrigin(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= MAX_ORIGIN_LENGTH;
}

function isAccountId(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= MAX_ACCOUNT_ID_LENGTH;
}

/** A content script's message, checked for shape only (no extra keys, sane sizes), or null. */
export function validateContentMessage(v: unknown): ContentMessage | null {
  if (!isObject(v)) return null;
  switch (v.type) {
    case "status":
      return keysAre(v, ["type"]) ? { type: "status" } : null;
    case "accounts":
      return keysAre(v, ["type", "origin"]) && isOrigin(v.origin) ? { type: "accounts", origin: v.origin } : null;
    case "code":
      return keysAre(v, ["type", "origin", "account"]) && isOrigin(v.origin) && isAccountId(v.account)
        ? { type: "code", origin: v.origin, account: v.account }
        : null;
    case "add":
      return keysAre(v, ["type", "origin", "uri"]) &&
        isOrigin(v.origin) &&
        typeof v.uri === "string" &&
        v.uri.length <= MAX_URI_LENGTH &&
        isOtpauthUri(v.uri)
        ? { type: "add", origin: v.origin, uri: v.uri }
        : null;
    default:
      return null;
  }
}

/** A popup's message, checked for shape only, or null. */
export function validatePopupMessage(v: unknown): PopupMessage | null {
  if (!isObject(v)) return null;
  const tabOk = typeof v.tabId === "number" && Number.isInteger(v.tabId) && v.tabId >= 0;
  switch (v.type) {
    case "popup-accounts":
      return keysAre(v, ["type", "tabId"]) && tabOk ? { type: "popup-accounts", tabId: v.tabId as number } : null;
    case "popup-code":
      return keysAre(v, ["type", "tabId", "account"]) && tabOk && isAccountId(v.account)
        ? { type: "popup-code", tabId: v.tabId as number, account: v.account }
        : null;
    default:
      return null;
  }
}

/** What the background needs of `chrome.runtime.MessageSender`. */
export interface SenderInfo {
  id?: string; // the sending extension's id
  origin?: string; // Chromium: the frame's origin
  url?: string; // the frame's URL (Firefox has no `origin`)
  frameId?: number;
  tab?: { id?: number; url?: string };
}

export type SenderKind =
  | { kind: "content"; origin: string; tabId: number }
  | { kind: "popup" }
  | { kind: "refused"; reason: string };

/**
 * Who sent a message: our own content script in a tab's top frame (with its origin as the browser
 * reports it), our own popup page, or someone to refuse.
 */
export function classifySender(sender: SenderInfo, extensionId: string, popupUrl: string): SenderKind {
  if (sender.id !== extensionId) return { kind: "refused", reason: "another extension" };
  // Our popup page: shown from the toolbar (no tab), or opened in a tab by a test.
  const url = sender.url ?? "";
  if (url === popupUrl || url.startsWith(popupUrl + "?") || url.startsWith(popupUrl + "#")) return { kind: "popup" };
  if (sender.tab === undefined) return { kind: "refused", reason: "not the popup" };
  if (sender.frameId !== 0) return { kind: "refused", reason: "not the top frame" };
  if (typeof sender.tab.id !== "number") return { kind: "refused", reason: "no tab" };
  // Prefer the browser's `origin`; Firefox gives only `url`. An opaque origin ("null") is refused.
  // Only a missing `origin` falls back to the URL: an opaque one stays opaque (a sandboxed
  // document's URL names an origin it does not have).
  const origin = sender.origin !== undefined ? sender.origin : originOf(sender.url);
  if (origin === null || origin === "null") return { kind: "refused", reason: "no origin" };
  return { kind: "content", origin, tabId: sender.tab.id };
}

/**
 * The origin to send the host for a content script's message: the sender's own, when the message
 * names exactly that origin and codes may be asked for there; otherwise a failure.
 */
export function checkContentOrigin(message: ContentMessage, senderOrigin: string): Answer<string> {
  if (message.type === "status") return { ok: true, reply: senderOrigin };
  if (message.origin !== senderOrigin) {
    return failure("origin_mismatch", "The page named an origin that is not its own.");
  }
  if (!isCodeOrigin(senderOrigin)) {
    return failure(
      "origin_not_allowed",
      "Otentik hanya bekerja di situs HTTPS (atau localhost untuk demo). / Otentik works only on HTTPS sites (or localhost for the demo).",
    );
  }
  return { ok: true, reply: senderOrigin };
}
