import { describe, expect, it } from "vitest";
import { classifyQrText, isOtpauthUri, normalizeOtpauthUri } from "../src/otpauth.js";

const LPSE = "otpauth://totp/LPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE";

describe("classifyQrText", () => {
  it("finds account URIs", () => {
    expect(classifyQrText(LPSE)).toBe("otpauth");
    expect(classifyQrText("OTPAUTH://TOTP/x?secret=jbswy3dpehpk3pxp")).toBe("otpauth");
    expect(classifyQrText("otpauth://hotp/Example:alice?secret=JBSWY3DPEHPK3PXP&counter=7")).toBe("otpauth");
    expect(classifyQrText(`  ${LPSE}\n`)).toBe("otpauth");
    expect(
      classifyQrText("otpauth://totp/SPSE%20Demo:budi%40example.id?secret=GEZDGNBVGY3TQOJQ&issuer=SPSE%20Demo&digits=6&period=30"),
    ).toBe("otpauth");
  });
  it("sets Google Authenticator exports apart", () => {
    expect(classifyQrText("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SBUFsaWNl")).toBe("migration");
  });
  it("ignores everything else", () => {
    for (const text of [
      "https://lpse.example.go.id",
      "otpauth://totp/nosecret",
      "otpauth://totp/x?issuer=LPSE",
      "otpauth://totp/x?secret=",
      "otpauth://totp/x?secret=!!!!",
      "otpauth://steam/x?secret=JBSWY3DPEHPK3PXP",
      "otpauth:/totp/x?secret=JBSWY3DPEHPK3PXP",
      "otpauth://totp/x y?secret=JBSWY3DPEHPK3PXP",
      "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\u0000",
      "WIFI:S:lpse;T:WPA;P:secret;;",
      "",
    ]) {
      expect(classifyQrText(text), text).toBe("other");
    }
  });
  it("refuses an oversized URI", () => {
    expect(isOtpauthUri(`${LPSE}&x=${"a".repeat(5000)}`)).toBe(false);
  });
});

describe("normalizeOtpauthUri", () => {
  it("trims, or says no", () => {
    expect(normalizeOtpauthUri(` ${LPSE} `)).toBe(LPSE);
    expect(normalizeOtpauthUri("hello")).toBeNull();
  });
});
