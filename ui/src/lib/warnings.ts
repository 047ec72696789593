// Warnings about an accepted URI arrive as `{code, message, values}`: the code picks the
// catalogue entry (`warning.<code>`), the values fill its placeholders, the English message is
// the fallback for a code this UI does not know yet.

import type { UriWarning, WarningCode } from "./bindings";

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
): { key: string; params: Record<string, string> } | null {
  if (!(WARNING_CODES as string[]).includes(warning.code)) return null;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(warning.values ?? {})) {
    if (typeof value === "string") params[name] = value;
  }
  return { key: `warning.${warning.code}`, params };
}
