import { describe, expect, it } from "vitest";
import type { PushView } from "./bindings";
import { browserName, outcomeKey, pushNeedsAttention, pushStateKey, requestsFor, secondsToAnswer } from "./requests";

const push = (over: Partial<PushView>): PushView => ({
  state: "active",
  server: "127.0.0.1:8080",
  reachable: true,
  clock_offset: 0,
  clock_off: false,
  requests: 0,
  lock_protected: true,
  ...over,
});

describe("requests", () => {
  it("filters by account and keeps the order", () => {
    const all = [
      { id: "b", account_id: "x", deadline: 2 },
      { id: "a", account_id: "y", deadline: 1 },
      { id: "c", account_id: "x", deadline: 3 },
    ];
    expect(requestsFor(all, "x").map((r) => r.id)).toEqual(["b", "c"]);
    expect(requestsFor(all, null)).toHaveLength(3);
    expect(requestsFor(all, "z")).toEqual([]);
  });

  it("counts down in whole seconds and stops at zero", () => {
    expect(secondsToAnswer(10_000, 0)).toBe(10);
    expect(secondsToAnswer(10_000, 9_001)).toBe(1);
    expect(secondsToAnswer(10_000, 10_000)).toBe(0);
    expect(secondsToAnswer(10_000, 20_000)).toBe(0);
  });

  it("names each outcome, a wrong number first", () => {
    const base = { site: "SPSE", site_account: "u", wrong_number: false };
    expect(outcomeKey({ ...base, status: "approved" })).toBe("request.result.approved");
    expect(outcomeKey({ ...base, status: "denied" })).toBe("request.result.denied");
    expect(outcomeKey({ ...base, status: "not_me" })).toBe("request.result.notMe");
    expect(outcomeKey({ ...base, status: "expired" })).toBe("request.result.expired");
    expect(outcomeKey({ ...base, status: "denied", wrong_number: true })).toBe("request.result.wrongNumber");
  });

  it("names push states, an unreachable server before active", () => {
    expect(pushStateKey(push({}))).toBe("push.state.active");
    expect(pushStateKey(push({ reachable: false }))).toBe("push.state.unreachable");
    expect(pushStateKey(push({ state: "revoked" }))).toBe("push.state.revoked");
    expect(pushStateKey(push({ state: "pending" }))).toBe("push.state.pending");
    expect(pushStateKey(push({ state: "failed" }))).toBe("push.state.failed");
    expect(pushNeedsAttention(push({}))).toBe(false);
    expect(pushNeedsAttention(push({ clock_off: true }))).toBe(true);
    expect(pushNeedsAttention(push({ state: "revoked" }))).toBe(true);
  });

  it("reads browsers and systems from user agents", () => {
    expect(browserName("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")).toBe("Firefox 128 · Linux");
    expect(
      browserName("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0"),
    ).toBe("Edge 126 · Windows");
    expect(browserName("curl/8.0")).toBeNull();
    expect(browserName("Definitely Firefox (trust me)")).toBeNull();
  });
});
