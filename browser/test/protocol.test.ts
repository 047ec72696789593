import { describe, expect, it } from "vitest";
import { HOST_NAME, replyMatches, validateReply, type HostRequest } from "../src/protocol.js";

const account = { id: "a1b2", issuer: "LPSE", label: "budi" };

describe("HOST_NAME", () => {
  it("is a valid native messaging host name", () => {
    // Chromium: lower-case letters, digits, underscores and dots; no leading, trailing or double dot.
    expect(HOST_NAME).toMatch(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/);
    expect(HOST_NAME).toBe("id.otentik.browser_host");
  });
});

describe("validateReply", () => {
  it("accepts every reply of the protocol", () => {
    const replies = [
      { type: "status", locked: false, version: "0.1.0" },
      { type: "status", locked: true, version: "0.1.0", id: "r1" },
      { type: "accounts", origin: "https://lpse.example.go.id", accounts: [account] },
      { type: "accounts", origin: "https://lpse.example.go.id", accounts: [] },
      { type: "accounts", origin: "http://127.0.0.1:8080", accounts: [{ id: "x", issuer: "", label: "budi" }] },
      { type: "code", account: "a1b2", code: "123456", period: 30, remaining: 17 },
      { type: "code", account: "a1b2", code: "12345678", period: 60, remaining: 0, id: "r9" },
      { type: "code", account: "steam", code: "2BX7K", period: 30, remaining: 30 },
      { type: "added", account },
      { type: "error", code: "vault_locked", message: "Otentik terkunci" },
      { type: "error", code: "origin_not_bound", message: "" },
      { type: "error", code: "some_future_code", message: "…", id: "r3" },
    ];
    for (const reply of replies) expect(validateReply(reply), JSON.stringify(reply)).toEqual(reply);
  });

  it("drops unknown extra fields", () => {
    expect(validateReply({ type: "status", locked: false, version: "0.1.0", extra: 1 })).toEqual({
      type: "status",
      locked: false,
      version: "0.1.0",
    });
    expect(validateReply({ type: "added", account: { ...account, secret: "JBSWY3DPEHPK3PXP" } })).toEqual({
      type: "added",
      account,
    });
  });

  it("refuses anything else", () => {
    const bad: unknown[] = [
      null,
      "status",
      [],
      {},
      { type: "unknown" },
      { type: "status", locked: "no", version: "0.1.0" },
      { type: "status", locked: false },
      { type: "status", locked: false, version: "0.1.0", id: 7 },
      { type: "accounts", origin: "https://a.example", accounts: {} },
      { type: "accounts", accounts: [] },
      { type: "accounts", origin: "https://a.example", accounts: [{ id: "", issuer: "", label: "" }] },
      { type: "accounts", origin: "https://a.example", accounts: [{ id: "x", issuer: null, label: "" }] },
      { type: "accounts", origin: "https://a.example", accounts: [{ id: "x", label: "" }] },
      { type: "code", account: "a", code: "12 34", period: 30, remaining: 3 },
      { type: "code", account: "a", code: "123", period: 30, remaining: 3 },
      { type: "code", account: "a", code: 123456, period: 30, remaining: 3 },
      { type: "code", account: "a", code: "123456", period: 0, remaining: 0 },
      { type: "code", account: "a", code: "123456", period: 30, remaining: 31 },
      { type: "code", account: "a", code: "123456", period: 30, remaining: -1 },
      { type: "code", account: "a", code: "123456", period: 30.5, remaining: 1 },
      { type: "code", code: "123456", period: 30, remaining: 1 },
      { type: "added" },
      { type: "added", account: "a1b2" },
      { type: "error", code: "Vault Locked", message: "x" },
      { type: "error", code: "vault_locked" },
      { type: "error", message: "x" },
    ];
    for (const reply of bad) expect(validateReply(reply), JSON.stringify(reply)).toBeNull();
  });
});

describe("replyMatches", () => {
  const origin = "https://lpse.example.go.id";
  const requests: Record<string, HostRequest> = {
    status: { type: "status", id: "r1" },
    accounts: { type: "accounts", origin, id: "r2" },
    code: { type: "code", origin, account: "a1b2", id: "r3" },
    add: { type: "add", origin, uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", id: "r4" },
  };
  it("pairs each request with its reply type or an error", () => {
    expect(replyMatches(requests.status!, { type: "status", locked: false, version: "0.1.0", id: "r1" })).toBe(true);
    expect(replyMatches(requests.accounts!, { type: "accounts", origin, accounts: [] })).toBe(true);
    expect(replyMatches(requests.code!, { type: "code", account: "a1b2", code: "123456", period: 30, remaining: 5 })).toBe(true);
    expect(replyMatches(requests.add!, { type: "added", account })).toBe(true);
    for (const r of Object.values(requests)) expect(replyMatches(r, { type: "error", code: "bad_request", message: "" })).toBe(true);
  });
  it("refuses a reply to something else", () => {
    expect(replyMatches(requests.status!, { type: "added", account })).toBe(false);
    expect(replyMatches(requests.status!, { type: "status", locked: false, version: "0.1.0", id: "r2" })).toBe(false);
    expect(replyMatches(requests.accounts!, { type: "accounts", origin: "https://evil.example", accounts: [] })).toBe(false);
    expect(replyMatches(requests.code!, { type: "code", account: "other", code: "123456", period: 30, remaining: 5 })).toBe(false);
    expect(replyMatches(requests.add!, { type: "status", locked: false, version: "0.1.0" })).toBe(false);
  });
});
