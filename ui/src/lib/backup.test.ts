import { describe, expect, it } from "vitest";
import { FORMATS, backupTime, formatName, passwordProblem } from "./backup";

describe("backup", () => {
  it("names every format by its app", () => {
    expect(FORMATS).toHaveLength(10);
    expect(formatName("2fas")).toBe("2FAS");
    expect(formatName("freeotp-plus")).toBe("FreeOTP+");
  });

  it("checks a new backup password", () => {
    expect(passwordProblem("short", "short")).toBe("short");
    expect(passwordProblem("kata sandi panjang", "kata sandi panjang")).toBeNull();
    expect(passwordProblem("kata sandi panjang", "kata sandi panjanG")).toBe("differ");
    // Characters, not bytes: seven accented letters are still too short.
    expect(passwordProblem("ééééééé", "ééééééé")).toBe("short");
  });

  it("shows a backup time in the UI's language", () => {
    expect(backupTime(1767225600, "en")).toContain("2026");
  });
});
