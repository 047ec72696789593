// The account list and its codes, shared by the screens. Codes come from Rust only; the UI
// counts down with its own clock and asks again when a code expires.

import { tick as domUpdated } from "svelte";
import { api } from "./api";
import type { AccountView, BackupView, Failure, LockView, Pending, RequestView } from "./bindings";
import { expiryMs, needsRefresh } from "./countdown";
import { toFailure } from "./errors";

export interface ShownCode {
  code: string;
  expiry: number;
  period: number;
}

export const store = $state({
  accounts: [] as AccountView[],
  loaded: false,
  failure: null as Failure | null,
  codes: {} as Record<string, ShownCode>,
  codeFailures: {} as Record<string, Failure>,
  hotp: {} as Record<string, string>,
  /** Rust's clock minus ours, so the countdown matches the codes. */
  offsetMs: 0,
  now: Date.now(),
  /** A link or scan waiting for the user's confirmation (shown on the add screen). */
  pending: null as Pending | null,
  /** Login requests waiting, newest first. */
  requests: [] as ShownRequest[],
  /** Requests that expired while shown, by id (the screen explains what happened). */
  expired: [] as ShownRequest[],
  /** The automatic backups (a failure shows as a banner on Akun). */
  backup: null as BackupView | null,
  /** The app lock; while it is `locked` the window shows only the lock screen. */
  lock: null as LockView | null,
});

/** Whether the window must show only the lock screen. */
export function isLocked(): boolean {
  return store.lock?.state === "locked";
}

/** What the lock screen shows when the app locked but its state could not be read. */
const LOCKED: LockView = { state: "locked", wait_seconds: 0, idle_seconds: 0, backups_on: false, requests: 0 };

/** Shows the lock screen, with `view` when it could be read. */
export function showLocked(view: LockView | null = null): void {
  forgetAccounts();
  store.lock = view && view.state === "locked" ? view : LOCKED;
}

/**
 * Records a failed call; `vault_locked` means the app locked behind the page's back (another
 * window, a race with the idle lock): the page drops the accounts and shows the lock screen.
 */
function failed(error: unknown): void {
  const failure = toFailure(error);
  if (failure.code === "vault_locked") {
    showLocked();
    return;
  }
  store.failure = failure;
}

/** Drops every account name, code and request from the page (the app locked). */
export function forgetAccounts(): void {
  store.accounts = [];
  store.codes = {};
  store.codeFailures = {};
  store.hotp = {};
  store.pending = null;
  store.requests = [];
  store.expired = [];
  store.loaded = false;
  store.failure = null;
}

/** Fetches the automatic backups' state (at start, and when Rust says it changed). */
export async function loadBackup(): Promise<void> {
  try {
    store.backup = await api.backupSettings();
  } catch {
    // The vault's own failure is shown by the account list.
  }
}

export interface ShownRequest extends RequestView {
  /** When it expires, on the UI's clock (ms). */
  deadline: number;
}

/** Fetches the login requests waiting (after a push event, and at start). */
export async function loadRequests(): Promise<void> {
  try {
    const result = await api.pushRequests();
    if (isLocked()) return;
    const received = Date.now();
    store.requests = result.requests.map((r) => ({ ...r, deadline: received + r.expires_in_ms }));
  } catch (error) {
    failed(error);
  }
}

/** Moves requests past their deadline to `expired` (called every second). */
export function expireRequests(now: number): void {
  const over = store.requests.filter((r) => r.deadline <= now);
  if (over.length === 0) return;
  store.requests = store.requests.filter((r) => r.deadline > now);
  store.expired = [...over, ...store.expired].slice(0, 10);
}

let refreshing = false;

export async function loadAccounts(): Promise<void> {
  try {
    const accounts = await api.listAccounts();
    // A reply that arrives after the app locked is dropped.
    if (isLocked()) return;
    store.accounts = accounts;
    store.failure = null;
    store.loaded = true;
    await refreshCodes();
  } catch (error) {
    failed(error);
    if (!isLocked()) store.loaded = true;
  }
}

export async function refreshCodes(): Promise<void> {
  if (refreshing) return;
  refreshing = true;
  try {
    const result = await api.codes();
    if (isLocked()) return;
    store.offsetMs = result.at_ms - Date.now();
    const codes: Record<string, ShownCode> = {};
    for (const c of result.codes) {
      codes[c.id] = { code: c.code, expiry: expiryMs(result.at_ms, c.remaining), period: c.period };
    }
    const failures: Record<string, Failure> = {};
    for (const f of result.failures) failures[f.id] = f.error;
    store.codes = codes;
    store.codeFailures = failures;
    store.now = Date.now() + store.offsetMs;
    markFirstCode(result.codes.length);
  } catch (error) {
    failed(error);
  } finally {
    refreshing = false;
  }
}

/** Called every second. */
export function tick(): void {
  store.now = Date.now() + store.offsetMs;
  expireRequests(Date.now());
  const expiries = Object.values(store.codes).map((c) => c.expiry);
  if (store.loaded && !store.failure && !isLocked() && needsRefresh(expiries, store.now)) void refreshCodes();
}

/** Records when the first codes reached the DOM (performance.now(), ms) for the start-up benchmark. */
function markFirstCode(count: number): void {
  const page = window as unknown as { __otentikFirstCode?: number };
  if (count === 0 || page.__otentikFirstCode !== undefined) return;
  page.__otentikFirstCode = -1;
  // After Svelte has written the codes into the DOM.
  void domUpdated().then(() => (page.__otentikFirstCode = performance.now()));
}
