import { describe, expect, it } from "vitest";
import { IDLE_CHOICES, throttle, waitText } from "./lock";

describe("the lock's helpers", () => {
  it("words a wait as minutes and seconds, rounding up", () => {
    expect(waitText(30)).toBe("0:30");
    expect(waitText(299.2)).toBe("5:00");
    expect(waitText(3600)).toBe("60:00");
    expect(waitText(-3)).toBe("0:00");
  });

  it("reports use at most once per interval", () => {
    let clock = 0;
    let sent = 0;
    const report = throttle(() => sent++, 10_000, () => clock);
    report();
    report();
    clock = 9_999;
    report();
    expect(sent).toBe(1);
    clock = 10_000;
    report();
    expect(sent).toBe(2);
  });

  it("offers five minutes, the default, and never", () => {
    expect(IDLE_CHOICES).toContain(300);
    expect(IDLE_CHOICES).toContain(0);
  });
});
