import { describe, expect, it } from "vitest";
import { autocompleteIsOtp, isOtpField, words, type FieldInfo } from "../src/otp-field.js";

function field(over: Partial<FieldInfo>): FieldInfo {
  return { tag: "INPUT", type: "", autocomplete: "", id: "", name: "", placeholder: "", ariaLabel: "", label: "", ...over };
}

describe("isOtpField", () => {
  it("takes autocomplete=one-time-code", () => {
    expect(isOtpField(field({ autocomplete: "one-time-code" }))).toBe(true);
    expect(isOtpField(field({ autocomplete: "section-login one-time-code" }))).toBe(true);
    expect(isOtpField(field({ autocomplete: "One-Time-Code", type: "tel" }))).toBe(true);
  });

  it("takes the demo site's code fields", () => {
    // Login with a code, and DISABLE TOTP: autocomplete names it.
    expect(
      isOtpField(field({ id: "totp", name: "totp", autocomplete: "one-time-code", label: "Kode TOTP (6 angka) 6-digit code" })),
    ).toBe(true);
    // ENABLE TOTP's confirmation field: only its name says so.
    expect(isOtpField(field({ id: "totp", name: "totp", label: "Kode TOTP" }))).toBe(true);
  });

  it("takes fields that name a one-time code", () => {
    for (const over of [
      { name: "otp" },
      { id: "otpCode" },
      { name: "totp_code" },
      { name: "kodeOTP" },
      { placeholder: "Masukkan kode OTP" },
      { ariaLabel: "Kode verifikasi" },
      { label: "Verification code" },
      { label: "Kode autentikasi dari aplikasi" },
      { placeholder: "One-time code" },
      { placeholder: "6-digit code from your authenticator" },
      { name: "mfa_token" },
      { label: "2FA code" },
      { label: "Two-factor code" },
      { type: "number", name: "otp" },
      { type: "password", name: "otp" },
    ] satisfies Partial<FieldInfo>[]) {
      expect(isOtpField(field(over)), JSON.stringify(over)).toBe(true);
    }
  });

  it("leaves other fields alone", () => {
    for (const over of [
      // SPSE's login captcha: "Kode Keamanan", autocomplete=off.
      { id: "kode", name: "kode", autocomplete: "off", label: "Kode Keamanan (security code)" },
      { name: "kode" },
      { name: "code" },
      { id: "userid", name: "userid", autocomplete: "username" },
      { id: "password", name: "password", type: "password", autocomplete: "current-password" },
      { name: "email", type: "email" },
      { name: "captcha_code", label: "Kode captcha" },
      { name: "otp_captcha" },
      { label: "Kode pos" },
      { label: "Kode voucher" },
      { label: "Recovery code for 2FA" },
      { name: "cvv", label: "Card security code" },
      { name: "hotpink" },
      { name: "footprint" },
      { name: "otp", type: "hidden" },
      { name: "otp", type: "checkbox" },
      { tag: "TEXTAREA", name: "otp" },
      { name: "otp", disabled: true },
      { name: "otp", readOnly: true },
      {},
    ] satisfies Partial<FieldInfo>[]) {
      expect(isOtpField(field(over)), JSON.stringify(over)).toBe(false);
    }
  });
});

describe("words", () => {
  it("splits identifiers and text", () => {
    expect(words("totpCode")).toEqual(["totp", "code"]);
    expect(words("OTPCode")).toEqual(["otp", "code"]);
    expect(words("kode_otp-2fa")).toEqual(["kode", "otp", "2fa"]);
    expect(words("Kode TOTP (6 angka)")).toEqual(["kode", "totp", "6", "angka"]);
  });
});

describe("autocompleteIsOtp", () => {
  it("reads the tokens", () => {
    expect(autocompleteIsOtp("one-time-code")).toBe(true);
    expect(autocompleteIsOtp("off")).toBe(false);
    expect(autocompleteIsOtp("one-time-codes")).toBe(false);
  });
});
