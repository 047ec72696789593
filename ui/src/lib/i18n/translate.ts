// Looking up a message: the chosen catalogue, then Indonesian, then the key itself.

import { en } from "./en";
import { id, type MessageKey } from "./id";

export type Language = "id" | "en";
export const LANGUAGES: readonly Language[] = ["id", "en"];
export const CATALOGUES: Record<Language, Record<MessageKey, string>> = { id, en };

export function isLanguage(value: unknown): value is Language {
  return value === "id" || value === "en";
}

/** Fills `{name}` placeholders; unknown ones stay as they are. */
export function interpolate(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function translate(
  language: Language,
  key: string,
  params?: Record<string, string | number>,
): string {
  const catalogue = CATALOGUES[language] as Record<string, string>;
  const fallback = CATALOGUES.id as Record<string, string>;
  const template = catalogue[key] ?? fallback[key] ?? key;
  return interpolate(template, params);
}

/** The language to start in: the saved choice, else Bahasa Indonesia. */
export function initialLanguage(saved: string | null): Language {
  return isLanguage(saved) ? saved : "id";
}
