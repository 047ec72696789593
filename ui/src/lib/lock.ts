// The app lock on the UI side: the idle times Pengaturan offers, how the lock screen words a
// wait, and how often the window reports that it is being used.

/** The idle times offered in Pengaturan, in seconds (0: never). */
export const IDLE_CHOICES = [60, 120, 300, 600, 900, 1800, 3600, 0] as const;

/** A wait in seconds as minutes and seconds ("4:05"), for the lock screen's countdown. */
export function waitText(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${minutes}:${String(rest).padStart(2, "0")}`;
}

/**
 * Calls `send` at most once per `intervalMs` however often the returned function is called:
 * a key or mouse event reports use without an IPC call per event.
 */
export function throttle(send: () => void, intervalMs: number, now: () => number = Date.now): () => void {
  let last = -Infinity;
  return () => {
    const at = now();
    if (at - last >= intervalMs) {
      last = at;
      send();
    }
  };
}
