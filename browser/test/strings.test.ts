import { describe, expect, it } from "vitest";
import { failureText, T } from "../src/strings.js";

describe("failureText", () => {
  it("says in our words what the app answered to an add", () => {
    expect(failureText("declined", "declined in Otentik: nothing was added")).toBe(T.declined);
    expect(failureText("app_not_running", "the Otentik app is not running")).toBe(T.appNotRunning);
    expect(failureText("duplicate", "Demo: budi is already in Otentik")).toBe(T.duplicate);
    expect(failureText("not_confirmed", "put aside")).toBe(T.notConfirmed);
    expect(failureText("app_unreachable", "the Otentik app closed the request")).toBe(T.appUnreachable);
    expect(T.appNotRunning.id).toMatch(/buka aplikasi Otentik/);
  });

  it("passes on the host's message for a code it does not know", () => {
    const text = failureText("busy", "Otentik already has several accounts from the browser waiting");
    expect(text.id).toBe("Gagal: Otentik already has several accounts from the browser waiting");
    expect(text.en).toBe("Failed (busy)");
  });
});
