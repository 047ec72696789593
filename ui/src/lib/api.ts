// Typed wrappers over the Rust commands (src-tauri/src/commands/). The types come from
// bindings.ts, which a Rust test generates, so the two sides cannot drift; a Rust test also
// checks that the commands invoked here are exactly the commands the app defines.

import { invoke } from "@tauri-apps/api/core";
import type {
  AccountView,
  AddResult,
  AnswerView,
  AppInfo,
  BackupView,
  CodeView,
  Codes,
  Decision,
  Format,
  ImportDone,
  ImportPreview,
  Language,
  LockView,
  ManualForm,
  Pending,
  PhoneTransfer,
  RemovalCheck,
  Requests,
  StagedFile,
  Strength,
} from "./bindings";

export type { Decision };

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  listAccounts: () => invoke<AccountView[]>("list_accounts"),
  codes: () => invoke<Codes>("codes"),
  nextHotp: (id: string) => invoke<CodeView>("next_hotp", { id }),
  copyCode: (id: string) => invoke<null>("copy_code", { id }),
  readText: (text: string) => invoke<Pending>("read_text", { text }),
  scanImage: (bytes: Uint8Array) => invoke<Pending>("scan_image", bytes),
  scanFrame: (rgba: Uint8Array, width: number, height: number) =>
    invoke<Pending | null>("scan_frame", rgba, {
      headers: { "x-width": String(width), "x-height": String(height) },
    }),
  scanScreen: () => invoke<Pending>("scan_screen"),
  scanClipboard: () => invoke<Pending>("scan_clipboard"),
  addManual: (form: ManualForm) => invoke<Pending>("add_manual", { form }),
  confirmAdd: (token: string) => invoke<AddResult>("confirm_add", { token }),
  cancelAdd: (token: string) => invoke<null>("cancel_add", { token }),
  takeLink: () => invoke<Pending | null>("take_link"),
  renameAccount: (id: string, issuer: string | null, name: string | null) =>
    invoke<AccountView>("rename_account", { id, issuer, name }),
  setAccountOrigins: (id: string, origins: string[]) =>
    invoke<AccountView>("set_account_origins", { id, origins }),
  moveAccount: (id: string, index: number) => invoke<null>("move_account", { id, index }),
  removeAccount: (id: string) => invoke<null>("remove_account", { id }),
  transferQr: (id: string) => invoke<string>("transfer_qr", { id }),
  exportUris: () => invoke<string[]>("export_uris"),
  pushRequests: () => invoke<Requests>("push_requests"),
  answerRequest: (id: string, decision: Decision, number: number | null) =>
    invoke<AnswerView>("answer_request", { id, decision, number }),
  retryPush: (id: string) => invoke<AccountView>("retry_push", { id }),
  checkRemoval: (id: string) => invoke<RemovalCheck>("check_removal", { id }),
  setLanguage: (language: Language) => invoke<null>("set_language", { language }),
  importStage: (bytes: Uint8Array) => invoke<StagedFile>("import_stage", bytes),
  importPreview: (files: string[], format: Format | null, password: string | null) =>
    invoke<ImportPreview>("import_preview", { files, format, password }),
  importConfirm: (token: string) => invoke<ImportDone>("import_confirm", { token }),
  importCancel: (token: string) => invoke<null>("import_cancel", { token }),
  backupSettings: () => invoke<BackupView>("backup_settings"),
  setBackup: (enabled: boolean, folder: string | null, password: string | null) =>
    invoke<BackupView>("set_backup", { enabled, folder, password }),
  backupNow: () => invoke<BackupView>("backup_now"),
  phoneTransfer: () => invoke<PhoneTransfer>("phone_transfer"),
  lockStatus: () => invoke<LockView>("lock_status"),
  unlock: (password: string) => invoke<LockView>("unlock", { password }),
  lockNow: () => invoke<LockView>("lock_now"),
  enableLock: (password: string, confirm: string) =>
    invoke<LockView>("enable_lock", { password, confirm }),
  changeLockPassword: (old: string, next: string, confirm: string) =>
    invoke<LockView>("change_lock_password", { old, new: next, confirm }),
  disableLock: (password: string) => invoke<LockView>("disable_lock", { password }),
  setIdleLock: (seconds: number) => invoke<LockView>("set_idle_lock", { seconds }),
  noteActivity: () => invoke<null>("note_activity"),
  passwordStrength: (password: string) => invoke<Strength>("password_strength", { password }),
};

/** Rust emits it when the app locked on its own (idle time, desktop session, tray). */
export const LOCK_EVENT = "otentik://lock";

/** Rust emits it when the automatic backups' state changed. */
export const BACKUP_EVENT = "otentik://backup";

/** Rust emits it when login requests or push states change. */
export const PUSH_EVENT = "otentik://push";

/** Rust emits it (with an account id) when a notification was clicked. */
export const OPEN_REQUEST_EVENT = "otentik://open-request";

/** The event Rust emits when an otpauth:// link opened the app. */
export const LINK_EVENT = "otentik://link";
