import { describe, expect, it } from "vitest";
import {
  checkContentOrigin,
  classifySender,
  validateContentMessage,
  validatePopupMessage,
  type SenderInfo,
} from "../src/messages.js";

const ID = "fkamgadhljpfghnogkmljbkocmcioimp";
const POPUP = `chrome-extension://${ID}/popup.html`;
const ORIGIN = "https://lpse.example.go.id";
const URI = "otpauth://totp/LPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE";

describe("validateContentMessage", () => {
  it("accepts the four messages", () => {
    expect(validateContentMessage({ type: "status" })).toEqual({ type: "status" });
    expect(validateContentMessage({ type: "accounts", origin: ORIGIN })).toEqual({ type: "accounts", origin: ORIGIN });
    expect(validateContentMessage({ type: "code", origin: ORIGIN, account: "a1" })).toEqual({
      type: "code",
      origin: ORIGIN,
      account: "a1",
    });
    expect(validateContentMessage({ type: "add", origin: ORIGIN, uri: URI })).toEqual({ type: "add", origin: ORIGIN, uri: URI });
  });
  it("refuses malformed ones", () => {
    for (const m of [
      null,
      "add",
      { type: "add", origin: ORIGIN, uri: "https://example.com" },
      { type: "add", origin: ORIGIN, uri: "otpauth-migration://offline?data=abc" },
      { type: "add", origin: ORIGIN, uri: `${URI}&x=${"a".repeat(5000)}` },
      { type: "add", origin: ORIGIN },
      { type: "add", uri: URI },
      { type: "code", origin: ORIGIN, account: "" },
      { type: "code", origin: ORIGIN, account: "x".repeat(300) },
      { type: "code", origin: ORIGIN, account: 5 },
      { type: "accounts", origin: "" },
      { type: "accounts", origin: ORIGIN, extra: true },
      { type: "status", origin: ORIGIN },
      { type: "accounts", origin: 1 },
      { type: "popup-accounts", tabId: 1 },
      { type: "secret" },
    ]) {
      expect(validateContentMessage(m), JSON.stringify(m)).toBeNull();
    }
  });
});

describe("validatePopupMessage", () => {
  it("accepts the popup's messages", () => {
    expect(validatePopupMessage({ type: "popup-accounts", tabId: 3 })).toEqual({ type: "popup-accounts", tabId: 3 });
    expect(validatePopupMessage({ type: "popup-code", tabId: 3, account: "a1" })).toEqual({
      type: "popup-code",
      tabId: 3,
      account: "a1",
    });
  });
  it("refuses others", () => {
    for (const m of [
      { type: "popup-accounts" },
      { type: "popup-accounts", tabId: -1 },
      { type: "popup-accounts", tabId: 1.5 },
      { type: "popup-accounts", tabId: "1" },
      { type: "popup-accounts", tabId: 1, origin: ORIGIN },
      { type: "popup-code", tabId: 1 },
      { type: "accounts", origin: ORIGIN },
    ]) {
      expect(validatePopupMessage(m), JSON.stringify(m)).toBeNull();
    }
  });
});

describe("classifySender", () => {
  const tab = { id: 7, url: `${ORIGIN}/eproc4/login` };
  it("takes the origin from the browser: Chromium's origin, or Firefox's url", () => {
    expect(classifySender({ id: ID, origin: ORIGIN, url: `${ORIGIN}/eproc4`, frameId: 0, tab }, ID, POPUP)).toEqual({
      kind: "content",
      origin: ORIGIN,
      tabId: 7,
    });
    expect(classifySender({ id: ID, url: `${ORIGIN}/eproc4?x=1`, frameId: 0, tab }, ID, POPUP)).toEqual({
      kind: "content",
      origin: ORIGIN,
      tabId: 7,
    });
  });
  it("knows the popup", () => {
    expect(classifySender({ id: ID, url: POPUP }, ID, POPUP)).toEqual({ kind: "popup" });
    // Opened in a tab (a test): the browser's URL says it is ours.
    expect(classifySender({ id: ID, url: `${POPUP}?tab=1949584789`, origin: `chrome-extension://${ID}`, frameId: 0, tab: { id: 9 } }, ID, POPUP)).toEqual({ kind: "popup" });
  });
  it("refuses the rest", () => {
    const refused: SenderInfo[] = [
      { id: "another", origin: ORIGIN, frameId: 0, tab },
      { origin: ORIGIN, frameId: 0, tab },
      { id: ID, origin: ORIGIN, frameId: 3, tab },
      { id: ID, origin: ORIGIN, tab },
      { id: ID, origin: "null", url: "about:blank", frameId: 0, tab },
      // A sandboxed document: its URL names an origin it does not have.
      { id: ID, origin: "null", url: "https://lpse.example/sandboxed", frameId: 0, tab },
      { id: ID, frameId: 0, tab: {} },
      { id: ID, url: `chrome-extension://${ID}/other.html` },
      { id: ID, url: `${POPUP}.evil` },
      { id: ID, url: `https://evil.example/popup.html`, origin: "https://evil.example", frameId: 2, tab },
      { id: ID },
    ];
    for (const s of refused) expect(classifySender(s, ID, POPUP).kind, JSON.stringify(s)).toBe("refused");
  });
});

describe("checkContentOrigin", () => {
  it("forwards the sender's origin when the message names it", () => {
    expect(checkContentOrigin({ type: "accounts", origin: ORIGIN }, ORIGIN)).toEqual({ ok: true, reply: ORIGIN });
    expect(checkContentOrigin({ type: "code", origin: "http://127.0.0.1:8080", account: "a" }, "http://127.0.0.1:8080")).toEqual({
      ok: true,
      reply: "http://127.0.0.1:8080",
    });
  });
  it("refuses an origin that is not the sender's", () => {
    const r = checkContentOrigin({ type: "code", origin: ORIGIN, account: "a" }, "https://lpse.example.go.id.evil.example");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("origin_mismatch");
  });
  it("refuses plain http, even when the page tells the truth", () => {
    const r = checkContentOrigin({ type: "accounts", origin: "http://lpse.example.go.id" }, "http://lpse.example.go.id");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("origin_not_allowed");
    const add = checkContentOrigin({ type: "add", origin: "http://127.0.0.2:8080", uri: URI }, "http://127.0.0.2:8080");
    expect(add.ok).toBe(false);
  });
});
