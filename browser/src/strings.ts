// What the extension says: Bahasa Indonesia first, English on a second, smaller line.

export interface Text {
  id: string;
  en: string;
}

export const T = {
  addButton: { id: "Tambahkan ke Otentik", en: "Add to Otentik" },
  adding: { id: "Konfirmasi di Otentik…", en: "Confirm in Otentik…" },
  added: { id: "Berhasil tambah akun", en: "Account added" },
  fillButton: { id: "Isi kode dari Otentik", en: "Fill the code from Otentik" },
  filling: { id: "Meminta kode…", en: "Asking for the code…" },
  filled: { id: "Kode diisi", en: "Code filled" },
  choose: { id: "Pilih akun:", en: "Choose an account:" },
  notBound: { id: "Situs ini bukan situs tempat akun ditambahkan", en: "This site is not where the account was added" },
  notAllowed: {
    id: "Situs ini bukan situs tempat akun ditambahkan: Otentik hanya mengisi kode di HTTPS",
    en: "This site is not where the account was added: Otentik fills codes only over HTTPS",
  },
  locked: {
    id: "Otentik terkunci: buka kunci di aplikasi Otentik, lalu coba lagi",
    en: "Otentik is locked: unlock it in the Otentik app, then try again",
  },
  declined: { id: "Ditolak di Otentik", en: "Declined in Otentik" },
  appNotRunning: {
    id: "Otentik belum berjalan: buka aplikasi Otentik, lalu tekan tombol ini lagi",
    en: "Otentik is not running: open the Otentik app, then press this button again",
  },
  appUnreachable: {
    id: "Otentik tertutup atau berhenti menjawab sebelum akun dikonfirmasi: tekan tombol ini lagi",
    en: "Otentik closed or stopped answering before the account was confirmed: press this button again",
  },
  duplicate: {
    id: "Akun ini sudah ada di Otentik. Untuk mengisi kodenya di situs ini, tambahkan situs ini di Detail akun",
    en: "This account is already in Otentik. To fill its codes on this site, add this site in Detail akun",
  },
  notConfirmed: {
    id: "Akun belum ditambahkan (Otentik terkunci atau ada permintaan lain): tekan tombol ini lagi",
    en: "The account was not added (Otentik locked, or other requests came in): press this button again",
  },
  hostUnavailable: {
    id: "Otentik tidak terhubung. Jalankan: otentik browser install",
    en: "Otentik is not connected. Run: otentik browser install",
  },
  timeout: { id: "Otentik tidak menjawab", en: "Otentik did not answer" },
  invalidUri: { id: "Kode QR ini bukan akun yang sah", en: "This QR code is not a valid account" },
  tooLarge: { id: "Data terlalu besar", en: "Too much data" },
  failed: { id: "Gagal", en: "Failed" },
  popupTitle: { id: "Kode untuk situs ini", en: "Codes for this site" },
  popupNone: { id: "Tidak ada akun untuk situs ini", en: "No account for this site" },
  popupNoSite: { id: "Buka situs HTTPS untuk melihat kodenya", en: "Open an HTTPS site to see its codes" },
  secondsLeft: { id: "detik lagi", en: "seconds left" },
  copy: { id: "Salin", en: "Copy" },
  copied: { id: "Disalin", en: "Copied" },
} as const satisfies Record<string, Text>;

/** What to tell the user for a failure: our words for the known codes, the host's otherwise. */
export function failureText(code: string, message: string): Text {
  switch (code) {
    case "vault_locked":
      return T.locked;
    case "origin_not_bound":
      return T.notBound;
    case "origin_not_allowed":
      return T.notAllowed;
    case "declined":
      return T.declined;
    case "app_not_running":
      return T.appNotRunning;
    case "app_unreachable":
      return T.appUnreachable;
    case "duplicate":
      return T.duplicate;
    case "not_confirmed":
      return T.notConfirmed;
    case "host_unavailable":
      return T.hostUnavailable;
    case "timeout":
      return T.timeout;
    case "invalid_uri":
      return T.invalidUri;
    case "too_large":
      return T.tooLarge;
    default:
      return { id: `${T.failed.id}: ${message || code}`, en: `${T.failed.en} (${code})` };
  }
}

/** "123456" → "123 456", "12345678" → "1234 5678", others unchanged. */
export function groupCode(code: string): string {
  if (code.length === 6) return `${code.slice(0, 3)} ${code.slice(3)}`;
  if (code.length === 8) return `${code.slice(0, 4)} ${code.slice(4)}`;
  return code;
}

/** A message's two lines as elements: the Indonesian text, then the English one (class `en`). */
export function bilingual(text: Text): [HTMLSpanElement, HTMLSpanElement] {
  const main = document.createElement("span");
  main.textContent = text.id;
  const en = document.createElement("span");
  en.className = "en";
  en.textContent = text.en;
  return [main, en];
}
