// The background (a service worker in Chromium, an event page in Firefox): the only part of the
// extension that talks to the native host. It answers our content scripts and our popup, and no
// one else; it takes a content script's origin from the browser (the sender), checks that the
// message names that same origin, and sends codes requests only for HTTPS or loopback origins.

import { ext } from "./ext.js";
import {
  checkContentOrigin,
  classifySender,
  failure,
  fromReply,
  validateContentMessage,
  validatePopupMessage,
  type Answer,
  type PopupAccounts,
  type PopupMessage,
  type SenderInfo,
} from "./messages.js";
import { NativeClient, type PortLike } from "./native.js";
import { isCodeOrigin, originOf } from "./origin.js";
import { HOST_NAME, type CodeReply, type HostReply, type HostRequest } from "./protocol.js";

/** A quick request (status, accounts, code). The host may need a moment to open the keyring. */
const QUICK_TIMEOUT_MS = 30_000;
/** An add waits for the user to confirm in Otentik: longer than the app holds it (4 min) and the
 * host waits for the app (4 min 20 s, after up to 30 s starting it), so Otentik's own answer
 * arrives first. */
const ADD_TIMEOUT_MS = 6 * 60_000;
/** The shared port closes (and the host exits) after this long without a request. */
const IDLE_MS = 60_000;

function connect(): PortLike {
  return ext.runtime.connectNative(HOST_NAME) as unknown as PortLike;
}

function lastError(): string | undefined {
  try {
    return ext.runtime.lastError?.message;
  } catch {
    return undefined;
  }
}

/** One port for the quick requests; an add gets a host process of its own, so a confirmation
 * waiting in Otentik holds up no code. */
const quick = new NativeClient({ connect, lastError, idleMs: IDLE_MS });

async function ask(request: HostRequest): Promise<HostReply> {
  if (request.type === "add") {
    const own = new NativeClient({ connect, lastError });
    try {
      return await own.request(request, ADD_TIMEOUT_MS);
    } finally {
      own.close();
    }
  }
  return quick.request(request, QUICK_TIMEOUT_MS);
}

async function answerContent(raw: unknown, origin: string): Promise<Answer<HostReply>> {
  const message = validateContentMessage(raw);
  if (message === null) return failure("bad_message", "Malformed message.");
  const checked = checkContentOrigin(message, origin);
  if (!checked.ok) return checked;
  const bound = checked.reply; // the sender's origin, as the browser reports it
  switch (message.type) {
    case "status":
      return fromReply(await ask({ type: "status" }));
    case "accounts":
      return fromReply(await ask({ type: "accounts", origin: bound }));
    case "code":
      return fromReply(await ask({ type: "code", origin: bound, account: message.account }));
    case "add":
      return fromReply(await ask({ type: "add", origin: bound, uri: message.uri }));
  }
}

async function tabOrigin(tabId: number): Promise<string | null> {
  try {
    const tab = await ext.tabs.get(tabId);
    return originOf(tab.url);
  } catch {
    return null;
  }
}

async function answerPopup(message: PopupMessage): Promise<Answer<PopupAccounts | CodeReply>> {
  const origin = await tabOrigin(message.tabId);
  const allowed = origin !== null && isCodeOrigin(origin);
  if (message.type === "popup-code") {
    if (!allowed) return failure("origin_not_allowed", "Not an HTTPS or loopback origin.");
    return fromReply(await ask({ type: "code", origin, account: message.account })) as Answer<CodeReply>;
  }
  const result: PopupAccounts = { origin, allowed, locked: false, accounts: [] };
  if (!allowed) return { ok: true, reply: result };
  const status = await ask({ type: "status" });
  if (status.type === "error") return failure(status.code, status.message);
  if (status.type === "status" && status.locked) return { ok: true, reply: { ...result, locked: true } };
  const list = await ask({ type: "accounts", origin });
  if (list.type === "error") {
    if (list.code === "origin_not_bound") return { ok: true, reply: result };
    if (list.code === "vault_locked") return { ok: true, reply: { ...result, locked: true } };
    return failure(list.code, list.message);
  }
  if (list.type === "accounts") result.accounts = list.accounts;
  return { ok: true, reply: result };
}

async function handle(raw: unknown, sender: SenderInfo): Promise<Answer<unknown>> {
  const who = classifySender(sender, ext.runtime.id, ext.runtime.getURL("popup.html"));
  switch (who.kind) {
    case "content":
      return answerContent(raw, who.origin);
    case "popup": {
      const message = validatePopupMessage(raw);
      return message === null ? failure("bad_message", "Malformed message.") : answerPopup(message);
    }
    case "refused":
      return failure("bad_message", `Refused: ${who.reason}.`);
  }
}

ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender, sendResponse: (answer: unknown) => void) => {
  handle(raw, sender as SenderInfo).then(sendResponse, (e: unknown) =>
    sendResponse(failure("bad_message", e instanceof Error ? e.message : String(e))),
  );
  return true; // the answer comes later
});
