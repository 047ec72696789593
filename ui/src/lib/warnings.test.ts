import { describe, expect, it } from "vitest";
import type { UriWarning } from "./bindings";
import { CATALOGUES, LANGUAGES, translate } from "./i18n/translate";
import { WARNING_CODES, warningKey } from "./warnings";

describe("URI warnings", () => {
  it("have a message for every code in both languages", () => {
    for (const language of LANGUAGES) {
      const catalogue = CATALOGUES[language] as Record<string, string>;
      for (const code of WARNING_CODES) {
        expect(catalogue[`warning.${code}`], `${language} warning.${code}`).toBeTruthy();
      }
    }
  });

  it("are translated with their values filled in", () => {
    const warning: UriWarning = {
      code: "short_secret",
      message: "the secret is only 80 bits long; 128 or more is recommended",
      values: { bits: "80", recommended: "128" },
    };
    const found = warningKey(warning);
    expect(found).not.toBeNull();
    const id = translate("id", found!.key, found!.params);
    expect(id).toContain("80 bit");
    expect(id).toContain("128");
    expect(id).not.toMatch(/\{\w+\}/);
    expect(translate("en", found!.key, found!.params)).toContain("80 bits");
  });

  it("leave no placeholder unfilled for the values Rust sends", () => {
    const samples: UriWarning[] = [
      { code: "issuer_mismatch", message: "", values: { issuer: "New", prefix: "Old" } },
      { code: "short_secret", message: "", values: { bits: "80", recommended: "128" } },
      {
        code: "export_account_skipped",
        message: "",
        values: { index: "2", label: "Old:eve", reason: "unknown algorithm 9" },
      },
      { code: "export_part", message: "", values: { part: "1", of: "2" } },
    ];
    expect(samples.map((s) => s.code).sort()).toEqual([...WARNING_CODES].sort());
    for (const language of LANGUAGES) {
      for (const sample of samples) {
        const found = warningKey(sample)!;
        expect(translate(language, found.key, found.params), sample.code).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it("fall back to the English message for a code from a newer core", () => {
    const unknown = { code: "from_the_future", message: "odd", values: {} } as unknown as UriWarning;
    expect(warningKey(unknown)).toBeNull();
  });
});
