import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NativeClient, type PortLike } from "../src/native.js";
import type { HostRequest } from "../src/protocol.js";

/** A port whose other end the test plays. */
class FakePort implements PortLike {
  sent: Record<string, unknown>[] = [];
  disconnected = false;
  error: { message?: string } | null = null;
  private messageListeners: ((m: unknown) => void)[] = [];
  private disconnectListeners: ((p: PortLike) => void)[] = [];
  onMessage = { addListener: (cb: (m: unknown) => void) => void this.messageListeners.push(cb) };
  onDisconnect = { addListener: (cb: (p: PortLike) => void) => void this.disconnectListeners.push(cb) };
  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error("Attempting to use a disconnected port object");
    this.sent.push(message as Record<string, unknown>);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  reply(message: unknown): void {
    for (const cb of this.messageListeners) cb(message);
  }
  die(why?: string): void {
    this.disconnected = true;
    if (why !== undefined) this.error = { message: why };
    for (const cb of this.disconnectListeners) cb(this);
  }
}

const origin = "https://lpse.example.go.id";
const accounts: HostRequest = { type: "accounts", origin };

describe("NativeClient", () => {
  let ports: FakePort[];
  let client: NativeClient;
  beforeEach(() => {
    vi.useFakeTimers();
    ports = [];
    client = new NativeClient({
      connect: () => {
        const p = new FakePort();
        ports.push(p);
        return p;
      },
      idleMs: 60_000,
    });
  });
  afterEach(() => vi.useRealTimers());

  it("sends each request with an id and matches the echoed reply", async () => {
    const first = client.request(accounts, 1000);
    const second = client.request({ type: "status" }, 1000);
    expect(ports).toHaveLength(1);
    const [a, b] = ports[0]!.sent;
    expect(a).toEqual({ type: "accounts", origin, id: "r1" });
    expect(b).toEqual({ type: "status", id: "r2" });
    ports[0]!.reply({ type: "status", locked: false, version: "0.1.0", id: "r2" });
    ports[0]!.reply({ type: "accounts", origin, accounts: [{ id: "a", issuer: "LPSE", label: "budi" }], id: "r1" });
    expect(await second).toEqual({ type: "status", locked: false, version: "0.1.0", id: "r2" });
    expect(await first).toMatchObject({ type: "accounts", accounts: [{ id: "a" }] });
  });

  it("matches replies without an id in order", async () => {
    const first = client.request({ type: "status" }, 1000);
    ports[0]!.reply({ type: "status", locked: true, version: "0.1.0" });
    expect(await first).toMatchObject({ type: "status", locked: true, id: "r1" });
  });

  it("passes the host's errors on", async () => {
    const r = client.request({ type: "code", origin, account: "a" }, 1000);
    ports[0]!.reply({ type: "error", code: "vault_locked", message: "Otentik terkunci", id: "r1" });
    expect(await r).toEqual({ type: "error", code: "vault_locked", message: "Otentik terkunci", id: "r1" });
  });

  it("turns nonsense and mismatched replies into bad_reply", async () => {
    const one = client.request({ type: "status" }, 1000);
    ports[0]!.reply({ type: "status", locked: "maybe", id: "r1" });
    expect(await one).toMatchObject({ type: "error", code: "bad_reply" });
    const two = client.request({ type: "code", origin, account: "a" }, 1000);
    ports[0]!.reply({ type: "code", account: "b", code: "123456", period: 30, remaining: 3, id: "r2" });
    expect(await two).toMatchObject({ type: "error", code: "bad_reply" });
    const three = client.request({ type: "status" }, 1000);
    ports[0]!.reply("garbage");
    ports[0]!.reply({ type: "added", account: { id: "a", issuer: "", label: "" }, id: "r3" });
    expect(await three).toMatchObject({ type: "error", code: "bad_reply" });
  });

  it("times out", async () => {
    const r = client.request({ type: "status" }, 500);
    vi.advanceTimersByTime(501);
    expect(await r).toMatchObject({ type: "error", code: "timeout" });
    ports[0]!.reply({ type: "status", locked: false, version: "0.1.0", id: "r1" }); // late: dropped
  });

  it("reports a missing or exiting host, and reconnects after", async () => {
    const r = client.request({ type: "status" }, 1000);
    ports[0]!.die("Specified native messaging host not found.");
    expect(await r).toMatchObject({ type: "error", code: "host_unavailable", message: "Specified native messaging host not found." });
    expect(client.connected).toBe(false);
    const again = client.request({ type: "status" }, 1000);
    expect(ports).toHaveLength(2);
    ports[1]!.reply({ type: "status", locked: false, version: "0.1.0", id: "r2" });
    expect(await again).toMatchObject({ type: "status" });
  });

  it("prefers Chromium's lastError for why the port closed", async () => {
    const c = new NativeClient({ connect: () => { const p = new FakePort(); ports.push(p); return p; }, lastError: () => "Native host has exited." });
    const r = c.request({ type: "status" }, 1000);
    ports.at(-1)!.die();
    expect(await r).toMatchObject({ code: "host_unavailable", message: "Native host has exited." });
  });

  it("reports a connect that throws", async () => {
    const c = new NativeClient({ connect: () => { throw new Error("Access to the specified native messaging host is forbidden."); } });
    expect(await c.request({ type: "status" }, 1000)).toMatchObject({ code: "host_unavailable", message: expect.stringContaining("forbidden") });
  });

  it("closes the port when idle, not while a request waits", async () => {
    const r = client.request({ type: "add", origin, uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP" }, 300_000);
    vi.advanceTimersByTime(120_000);
    expect(ports[0]!.disconnected).toBe(false);
    ports[0]!.reply({ type: "added", account: { id: "a", issuer: "LPSE", label: "budi" }, id: "r1" });
    expect(await r).toMatchObject({ type: "added" });
    vi.advanceTimersByTime(59_000);
    expect(ports[0]!.disconnected).toBe(false);
    vi.advanceTimersByTime(2_000);
    expect(ports[0]!.disconnected).toBe(true);
    expect(client.connected).toBe(false);
  });

  it("ends everything waiting on close", async () => {
    const r = client.request({ type: "status" }, 1000);
    client.close();
    expect(await r).toMatchObject({ code: "host_unavailable" });
  });
});
