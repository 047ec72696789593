// Warnings about an accepted URI arrive as `{code, message, values}`: the code picks the
// catalogue entry (`warning.<code>`), the values fill its placeholders, the English message is
// the fallback for a code this UI does not know yet.

import type { UriWarning, WarningCode } from "./bindings";
import type { MessageKey } from "./i18n/id";

const CODES = {
  issuer_mismatch: true,
  short_secret: true,
  export_account_skipped: true,
  export_part: true,
} satisfies Record<WarningCode, true>;

export const WARNING_CODES = Object.keys(CODES) as WarningCode[];

/** The catalogue key and placeholder values of a warning; `null` for an unknown code. */
export function warningKey(
  warning: UriWarning,
): { key: MessageKey; params: Record<string, string> } | null {
  if (!(WARNING_CODES as string[]).includes(warning.code)) return null;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(warning.values ?? {})) {
    if (typeof value === "string") params[name] = value;
  }
  const key: MessageKey = `warning.${warning.code}`;
  return { key, params };
}
