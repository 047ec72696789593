// The connection to the native host, over a `chrome.runtime.connectNative` port. Only the
// background uses it. Requests get an id; replies are matched by the id the host echoes (or, from
// a host that echoes none, in order), checked with `validateReply`, and every request ends: with
// the host's reply, or a local error when the host is missing, exits, answers nonsense or takes
// too long. The port is closed after a while without requests, which ends the host process.

import { replyMatches, validateReply, type ErrorReply, type HostReply, type HostRequest } from "./protocol.js";

/** The part of `chrome.runtime.Port` used here (Firefox's `browser.runtime.Port` too). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: (port: PortLike) => void): void };
  /** Firefox reports why a port closed here. */
  error?: { message?: string } | null;
}

export interface NativeOptions {
  /** Opens a port to the host (`() => chrome.runtime.connectNative(HOST_NAME)`); may throw. */
  connect: () => PortLike;
  /** Chromium reports why a port closed in `chrome.runtime.lastError`. */
  lastError?: () => string | undefined;
  /** Closes the port after this long without a request waiting; 0 keeps it open. */
  idleMs?: number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Pending {
  request: HostRequest;
  resolve: (reply: HostReply) => void;
  timer: unknown;
}

export function localError(code: string, message: string, id?: string): ErrorReply {
  return id === undefined ? { type: "error", code, message } : { type: "error", code, message, id };
}

export class NativeClient {
  private port: PortLike | null = null;
  private readonly pending = new Map<string, Pending>();
  private next = 1;
  private idleTimer: unknown = null;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: NativeOptions) {
    this.setTimer = options.setTimer ?? ((cb, ms) => setTimeout(cb, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Whether a port is open now. */
  get connected(): boolean {
    return this.port !== null;
  }

  /**
   * Sends `request` (its `id` is replaced) and resolves with the host's reply — possibly an error
   * reply, from the host or made here (`host_unavailable`, `timeout`, `bad_reply`). Never rejects.
   */
  request(request: HostRequest, timeoutMs: number): Promise<HostReply> {
    const id = `r${this.next++}`;
    const sent: HostRequest = { ...request, id };
    return new Promise<HostReply>((resolve) => {
      this.cancelIdle();
      let port: PortLike;
      try {
        port = this.open();
      } catch (e) {
        resolve(localError("host_unavailable", errorText(e), id));
        this.scheduleIdle();
        return;
      }
      const timer = this.setTimer(() => {
        if (this.pending.delete(id)) {
          resolve(localError("timeout", "Otentik did not answer in time.", id));
          this.scheduleIdle();
        }
      }, timeoutMs);
      this.pending.set(id, { request: sent, resolve, timer });
      try {
        port.postMessage(sent);
      } catch (e) {
        this.finish(id, localError("host_unavailable", errorText(e), id));
      }
    });
  }

  /** Closes the port; whatever is waiting ends with `host_unavailable`. */
  close(): void {
    const port = this.port;
    this.port = null;
    this.cancelIdle();
    if (port !== null) {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    }
    this.failAll("The connection to Otentik was closed.");
  }

  private open(): PortLike {
    if (this.port !== null) return this.port;
    const port = this.options.connect();
    this.port = port;
    port.onMessage.addListener((message) => {
      if (this.port === port) this.receive(message);
    });
    port.onDisconnect.addListener((p) => {
      if (this.port !== port) return;
      this.port = null;
      const why = this.options.lastError?.() ?? p?.error?.message ?? port.error?.message ?? "Otentik's browser host exited.";
      this.failAll(why);
    });
    return port;
  }

  private receive(message: unknown): void {
    const reply = validateReply(message);
    if (reply === null) {
      // Nonsense from the host: end the request it names, if any, and otherwise drop it.
      const id = typeof message === "object" && message !== null ? (message as { id?: unknown }).id : undefined;
      if (typeof id === "string" && this.pending.has(id)) {
        this.finish(id, localError("bad_reply", "Otentik answered something this extension does not understand.", id));
      }
      return;
    }
    let id = reply.id;
    if (id === undefined) {
      // A host that does not echo ids answers in order.
      id = this.pending.keys().next().value;
      if (id === undefined) return;
    }
    const waiting = this.pending.get(id);
    if (waiting === undefined) return; // late, after a timeout
    if (!replyMatches(waiting.request, reply)) {
      this.finish(id, localError("bad_reply", `Otentik answered "${reply.type}" to "${waiting.request.type}".`, id));
      return;
    }
    this.finish(id, { ...reply, id });
  }

  private finish(id: string, reply: HostReply): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    this.pending.delete(id);
    this.clearTimer(waiting.timer);
    waiting.resolve(reply);
    this.scheduleIdle();
  }

  private failAll(why: string): void {
    for (const id of [...this.pending.keys()]) this.finish(id, localError("host_unavailable", why, id));
  }

  private scheduleIdle(): void {
    const idleMs = this.options.idleMs ?? 0;
    if (idleMs <= 0 || this.pending.size > 0 || this.port === null) return;
    this.cancelIdle();
    this.idleTimer = this.setTimer(() => {
      this.idleTimer = null;
      if (this.pending.size === 0) this.close();
    }, idleMs);
  }

  private cancelIdle(): void {
    if (this.idleTimer !== null) {
      this.clearTimer(this.idleTimer);
      this.idleTimer = null;
    }
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
