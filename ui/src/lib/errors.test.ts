import { describe, expect, it } from "vitest";
import { ERROR_CODES, errorKeys, isKeyringProblem, toFailure } from "./errors";
import { CATALOGUES, LANGUAGES } from "./i18n/translate";

describe("error display", () => {
  it("keeps a Rust failure as it is", () => {
    expect(toFailure({ code: "keyring_locked", message: "the keyring is locked" })).toEqual({
      code: "keyring_locked",
      message: "the keyring is locked",
    });
    expect(toFailure({ code: "invalid_secret", message: "bad", field: "secret" }).field).toBe("secret");
  });

  it("turns anything else into an internal failure with its text", () => {
    expect(toFailure("Command copy_code not allowed by ACL")).toEqual({
      code: "internal",
      message: "Command copy_code not allowed by ACL",
    });
    expect(toFailure(new Error("boom"))).toEqual({ code: "internal", message: "boom" });
    expect(toFailure({ code: "from_the_future", message: "x" }).code).toBe("internal");
  });

  it("has a title and a hint for every code in both languages", () => {
    for (const language of LANGUAGES) {
      const catalogue = CATALOGUES[language] as Record<string, string>;
      for (const code of ERROR_CODES) {
        const keys = errorKeys({ code, message: "" });
        expect(catalogue[keys.title], `${language} ${keys.title}`).toBeTruthy();
        expect(catalogue[keys.hint], `${language} ${keys.hint}`).toBeTruthy();
      }
    }
  });

  it("knows which failures block the whole list", () => {
    expect(isKeyringProblem({ code: "keyring_locked", message: "" })).toBe(true);
    expect(isKeyringProblem({ code: "qr_not_found", message: "" })).toBe(false);
  });
});
