// Which input fields ask for a one-time code. Pure: the content script reads the attributes and
// the label text off the DOM and asks `isOtpField`.
//
// A field is a one-time-code field when
//   - its autocomplete names `one-time-code` (the standard way), or
//   - its id, name, placeholder, aria-label or label text names a TOTP/OTP code: a word such as
//     "totp", "otp", "2fa", "mfa", "authenticator", "one-time", or "kode"/"code" together with
//     "verifikasi"/"verification"/"autentikasi"/"authentication"/"otentikasi";
// and not when those words name a captcha or another kind of code ("Kode Keamanan" on SPSE's
// login form is a captcha, and a plain "kode" field is not a one-time code).

export interface FieldInfo {
  tag: string; // "input", "textarea", …
  type: string; // the input's type attribute ("" when absent)
  autocomplete: string;
  id: string;
  name: string;
  placeholder: string;
  ariaLabel: string;
  label: string; // the text of its <label>s and aria-labelledby elements
  disabled?: boolean;
  readOnly?: boolean;
}

const TEXT_TYPES = new Set(["", "text", "tel", "number", "password"]);

/** Words that alone say "one-time code". */
const OTP_WORDS = new Set([
  "totp",
  "hotp",
  "otp",
  "2fa",
  "mfa",
  "tfa",
  "authenticator",
  "otentik",
  "onetime",
  "otpcode",
  "totpcode",
]);

/** Words that, next to "kode"/"code"/"token", say "one-time code". */
const CODE_QUALIFIERS = new Set([
  "verifikasi",
  "verification",
  "verify",
  "autentikasi",
  "otentikasi",
  "authentication",
  "auth",
  "2step",
  "twofactor",
  "sekali",
]);
const CODE_WORDS = new Set(["kode", "code", "token"]);

/** Words that say it is some other code, whatever else the field says. */
const NOT_OTP_WORDS = new Set([
  "captcha",
  "recaptcha",
  "keamanan", // SPSE: "Kode Keamanan" is the captcha
  "cvv",
  "cvc",
  "csc",
  "kartu",
  "card",
  "promo",
  "voucher",
  "coupon",
  "kupon",
  "referral",
  "referal",
  "postal",
  "zip",
  "pos",
  "recovery",
  "pemulihan",
  "backup",
  "cadangan",
]);

/** Splits identifiers and text into lower-case words: "totpCode" → ["totp", "code"]. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Joins "one time", "2 step", "two factor" and similar pairs into one word each. */
function joinPairs(list: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const w = list[i]!;
    const next = list[i + 1];
    if (next !== undefined) {
      const pair = w + next;
      if (pair === "onetime" || pair === "2step" || pair === "twofactor" || pair === "twostep") {
        out.push(pair === "twostep" ? "2step" : pair);
        i++;
        continue;
      }
    }
    out.push(w);
  }
  return out;
}

function mentionsOtp(text: string): { otp: boolean; notOtp: boolean } {
  const list = joinPairs(words(text));
  const set = new Set(list);
  const notOtp = list.some((w) => NOT_OTP_WORDS.has(w));
  const direct = list.some((w) => OTP_WORDS.has(w));
  const qualified = list.some((w) => CODE_WORDS.has(w)) && list.some((w) => CODE_QUALIFIERS.has(w));
  return { otp: direct || qualified || (set.has("kode") && set.has("otp")), notOtp };
}

/** Whether the autocomplete attribute names a one-time code ("one-time-code", maybe with a section). */
export function autocompleteIsOtp(autocomplete: string): boolean {
  return autocomplete.toLowerCase().split(/\s+/).includes("one-time-code");
}

/** Whether a field asks for a one-time code. */
export function isOtpField(field: FieldInfo): boolean {
  if (field.tag.toLowerCase() !== "input") return false;
  if (!TEXT_TYPES.has(field.type.toLowerCase())) return false;
  if (field.disabled === true || field.readOnly === true) return false;
  if (autocompleteIsOtp(field.autocomplete)) return true;
  let otp = false;
  for (const text of [field.id, field.name, field.placeholder, field.ariaLabel, field.label]) {
    if (text === "") continue;
    const found = mentionsOtp(text);
    if (found.notOtp) return false;
    otp ||= found.otp;
  }
  return otp;
}
