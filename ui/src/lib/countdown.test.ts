import { describe, expect, it } from "vitest";
import { expiryMs, groupDigits, isUrgent, needsRefresh, ringFraction, secondsLeft } from "./countdown";

describe("countdown", () => {
  it("expires at the start of the next period", () => {
    // 1700000012.345 s with 18 s left: the code changes at 1700000030.
    expect(expiryMs(1_700_000_012_345, 18)).toBe(1_700_000_030_000);
  });

  it("counts whole seconds down to zero and never below", () => {
    const expiry = 1_700_000_030_000;
    expect(secondsLeft(expiry, 1_700_000_000_000)).toBe(30);
    expect(secondsLeft(expiry, 1_700_000_029_001)).toBe(1);
    expect(secondsLeft(expiry, 1_700_000_029_999)).toBe(1);
    expect(secondsLeft(expiry, 1_700_000_030_000)).toBe(0);
    expect(secondsLeft(expiry, 1_700_000_099_000)).toBe(0);
  });

  it("fills the ring in proportion, clamped", () => {
    expect(ringFraction(30, 30)).toBe(1);
    expect(ringFraction(15, 30)).toBe(0.5);
    expect(ringFraction(0, 30)).toBe(0);
    expect(ringFraction(45, 30)).toBe(1);
    expect(ringFraction(5, 0)).toBe(0);
  });

  it("asks for new codes once any has expired", () => {
    expect(needsRefresh([2000, 5000], 1999)).toBe(false);
    expect(needsRefresh([2000, 5000], 2000)).toBe(true);
    expect(needsRefresh([], 10)).toBe(false);
  });

  it("marks the last five seconds", () => {
    expect(isUrgent(6)).toBe(false);
    expect(isUrgent(5)).toBe(true);
  });

  it("groups digits for reading", () => {
    expect(groupDigits("123456")).toBe("123 456");
    expect(groupDigits("1234567")).toBe("123 4567");
    expect(groupDigits("12345678")).toBe("1234 5678");
    expect(groupDigits("123456789")).toBe("123 456 789");
    expect(groupDigits("12")).toBe("12");
  });
});
