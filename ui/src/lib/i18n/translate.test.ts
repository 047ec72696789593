import { describe, expect, it } from "vitest";
import { en } from "./en";
import { id } from "./id";
import { initialLanguage, interpolate, translate } from "./translate";

describe("catalogues", () => {
  it("have the same keys, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
    for (const [key, value] of [...Object.entries(id), ...Object.entries(en)]) {
      expect(value.trim(), key).not.toBe("");
    }
  });

  it("use the same placeholders in both languages", () => {
    const names = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(id) as (keyof typeof id)[]) {
      expect(names(en[key]), key).toEqual(names(id[key]));
    }
  });

  it("say the guide's words in Indonesian", () => {
    expect(translate("id", "add.success")).toBe("Berhasil tambah akun");
    expect(translate("id", "detail.remove")).toBe("Hapus");
    expect(translate("en", "add.success")).toBe("Account added");
  });

  it("fill placeholders and fall back to the key", () => {
    expect(interpolate("{a} and {b}", { a: 1 })).toBe("1 and {b}");
    expect(translate("en", "accounts.secondsLeft", { seconds: 7 })).toBe("7 seconds left");
    expect(translate("en", "no.such.key")).toBe("no.such.key");
  });

  it("start in Bahasa Indonesia unless English was chosen", () => {
    expect(initialLanguage(null)).toBe("id");
    expect(initialLanguage("en")).toBe("en");
    expect(initialLanguage("fr")).toBe("id");
  });
});
