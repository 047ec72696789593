// Countdown arithmetic for the code list. Rust says, at instant `at_ms`, how many whole
// seconds each code has left; the UI only extrapolates from there with its own clock.

/** The instant (ms since the epoch, on Rust's clock) a code stops being valid. */
export function expiryMs(atMs: number, remaining: number): number {
  return (Math.floor(atMs / 1000) + remaining) * 1000;
}

/** Whole seconds left at `nowMs` (never negative), as a person reads a countdown. */
export function secondsLeft(expiry: number, nowMs: number): number {
  return Math.max(0, Math.ceil((expiry - nowMs) / 1000));
}

/** How full the ring is: 1 right after a code appears, 0 when it expires. */
export function ringFraction(left: number, period: number): number {
  if (period <= 0) return 0;
  return Math.min(1, Math.max(0, left / period));
}

/** Whether any code has expired at `nowMs` and the list must ask Rust again. */
export function needsRefresh(expiries: Iterable<number>, nowMs: number): boolean {
  for (const expiry of expiries) {
    if (expiry <= nowMs) return true;
  }
  return false;
}

/** The last few seconds are shown in a warning colour. */
export function isUrgent(left: number): boolean {
  return left <= 5;
}

/** "123456" → "123 456", "12345678" → "1234 5678": easier to read and to type. */
export function groupDigits(code: string): string {
  if (code.length === 6) return `${code.slice(0, 3)} ${code.slice(3)}`;
  if (code.length === 7) return `${code.slice(0, 3)} ${code.slice(3)}`;
  if (code.length === 8) return `${code.slice(0, 4)} ${code.slice(4)}`;
  if (code.length === 9) return `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
  return code;
}
