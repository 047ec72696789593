// The current language, reactive, saved in local storage.

import type { MessageKey } from "./id";
import { initialLanguage, translate, type Language } from "./translate";

const STORAGE_KEY = "otentik.language";

function saved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export const i18n = $state<{ language: Language }>({
  language: initialLanguage(saved()),
});

export function setLanguage(language: Language): void {
  i18n.language = language;
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode or storage off: the choice lasts for this session.
  }
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(i18n.language, key, params);
}
