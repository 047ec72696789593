// The content script: runs in each HTTPS (and loopback HTTP) page's top frame, in the browser's
// isolated world. It
//   - finds QR codes (<img>, <canvas>, inline <svg>) whose text is an otpauth:// URI and puts a
//     "Tambahkan ke Otentik" button next to each; a click sends the URI with the page's origin;
//   - finds one-time-code fields and puts a fill button next to each; a click asks for the
//     accounts bound to this origin and fills the chosen one's code.
// Nothing happens without a real click (`isTrusted`): a page's script cannot press the buttons,
// and our buttons live in closed shadow roots the page cannot read. It never talks to the host
// itself: the background does, after checking this frame's origin.

import { ext } from "./ext.js";
import type { Answer, ContentMessage } from "./messages.js";
import { isCodeOrigin } from "./origin.js";
import { isOtpField, type FieldInfo } from "./otp-field.js";
import { classifyQrText, normalizeOtpauthUri } from "./otpauth.js";
import type { AccountName, AccountsReply, AddedReply, CodeReply } from "./protocol.js";
import { decodeCanvas, decodeImage, decodeSvg, plausibleQrBox } from "./qr.js";
import { bilingual, failureText, T, type Text } from "./strings.js";

const MARK = "data-otentik";

const STYLE = `
:host { all: initial; }
.box { display: inline-flex; flex-direction: column; gap: 4px; margin: 6px 0; font: 14px/1.3 system-ui, sans-serif; color: #1d2733; max-width: 100%; }
button { all: unset; box-sizing: border-box; cursor: pointer; background: #0d47a1; color: #fff; border-radius: 4px; padding: 6px 12px; font: 600 14px/1.2 system-ui, sans-serif; text-align: left; }
button.small { background: #37474f; padding: 4px 10px; font-size: 13px; }
button.account { background: #eceff1; color: #1d2733; font-weight: 500; }
button:focus-visible { outline: 2px solid #ffb300; outline-offset: 2px; }
button[disabled] { opacity: .6; cursor: default; }
.en { display: block; font-size: 11px; font-weight: 400; opacity: .8; }
.status { padding: 6px 8px; border-radius: 4px; }
.status:empty { display: none; }
.ok { background: #e8f5e9; color: #1b5e20; }
.warn { background: #fff3e0; color: #8a3b00; border: 1px solid #ffb74d; }
.err { background: #ffebee; color: #b71c1c; }
.busy { background: #eceff1; }
.list { display: flex; flex-direction: column; gap: 4px; }
`;

type Tone = "ok" | "warn" | "err" | "busy";

/** A small panel in a closed shadow root, inserted right after `anchor`. */
class Panel {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  readonly button: HTMLButtonElement;
  private readonly status: HTMLDivElement;
  private readonly list: HTMLDivElement;

  constructor(anchor: Element, label: Text, small: boolean, onClick: () => void, role: string) {
    this.host = document.createElement("span");
    this.host.setAttribute(MARK, role);
    this.host.style.setProperty("all", "initial", "important");
    this.host.style.setProperty("display", "block", "important");
    this.root = this.host.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    const box = document.createElement("div");
    box.className = "box";
    this.button = document.createElement("button");
    this.button.type = "button";
    if (small) this.button.className = "small";
    setText(this.button, label);
    this.button.addEventListener("click", (event) => {
      event.preventDefault();
      event.stopPropagation();
      if (!event.isTrusted || this.button.disabled) return; // a page's script cannot press it
      onClick();
    });
    this.list = document.createElement("div");
    this.list.className = "list";
    this.status = document.createElement("div");
    this.status.className = "status";
    this.status.setAttribute("role", "status");
    box.append(this.button, this.list, this.status);
    this.root.append(style, box);
    anchor.after(this.host);
  }

  show(text: Text | null, tone: Tone): void {
    this.status.className = `status ${tone}`;
    this.status.replaceChildren();
    if (text !== null) setText(this.status, text);
    this.button.disabled = tone === "busy";
  }

  /** A list of accounts to choose from; `pick` runs on a real click. */
  choose(accounts: AccountName[], pick: (account: AccountName) => void): void {
    this.list.replaceChildren();
    const title = document.createElement("div");
    setText(title, T.choose);
    this.list.append(title);
    for (const account of accounts) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "account";
      b.textContent = accountTitle(account);
      b.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        if (!event.isTrusted) return;
        this.list.replaceChildren();
        pick(account);
      });
      this.list.append(b);
    }
    this.show(null, "ok");
  }

  clearChoice(): void {
    this.list.replaceChildren();
  }

  remove(): void {
    this.host.remove();
  }
}

function setText(element: HTMLElement, text: Text): void {
  element.replaceChildren(...bilingual(text));
}

function accountTitle(account: AccountName): string {
  if (account.issuer !== "" && account.label !== "") return `${account.issuer} — ${account.label}`;
  return account.issuer || account.label || account.id;
}

async function send<T>(message: ContentMessage): Promise<Answer<T>> {
  try {
    const answer = (await ext.runtime.sendMessage(message)) as Answer<T> | undefined;
    if (answer === undefined || answer === null || typeof answer !== "object") {
      return { ok: false, error: { code: "host_unavailable", message: "No answer from the extension." } };
    }
    return answer;
  } catch (e) {
    return { ok: false, error: { code: "host_unavailable", message: e instanceof Error ? e.message : String(e) } };
  }
}

// ---- QR codes -------------------------------------------------------------------------------

type QrSource = HTMLImageElement | HTMLCanvasElement | SVGSVGElement;

interface QrSeen {
  signature: string;
  attempts: number;
  panel: Panel | null;
}

const qrSeen = new Map<QrSource, QrSeen>();

function qrSignature(el: QrSource): string {
  if (el instanceof HTMLImageElement) return `img:${el.currentSrc || el.src}`;
  if (el instanceof HTMLCanvasElement) return `canvas:${el.width}x${el.height}`;
  const markup = el.outerHTML;
  return `svg:${markup.length}:${markup.slice(0, 64)}:${markup.slice(-256)}`;
}

async function decode(el: QrSource): Promise<string | null> {
  if (el instanceof HTMLImageElement) return decodeImage(el);
  if (el instanceof HTMLCanvasElement) return decodeCanvas(el);
  return decodeSvg(el);
}

async function lookAtQr(el: QrSource): Promise<void> {
  const box = el.getBoundingClientRect();
  if (!plausibleQrBox(box.width, box.height)) return;
  const signature = qrSignature(el);
  let seen = qrSeen.get(el);
  if (seen !== undefined && seen.signature === signature) {
    // A canvas may be drawn after it appears: look again a few times.
    if (seen.panel !== null || !(el instanceof HTMLCanvasElement) || seen.attempts >= 4) return;
  } else {
    seen?.panel?.remove();
    seen = { signature, attempts: 0, panel: null };
    qrSeen.set(el, seen);
  }
  seen.attempts++;
  let text: string | null = null;
  try {
    text = await decode(el);
  } catch {
    text = null;
  }
  if (qrSeen.get(el) !== seen || seen.panel !== null || text === null) return;
  if (classifyQrText(text) !== "otpauth") return; // migration exports and other QR codes get nothing
  const uri = normalizeOtpauthUri(text);
  if (uri === null) return;
  const entry = seen;
  const panel = new Panel(el, T.addButton, false, () => void add(uri, panel), "add");
  entry.panel = panel;
}

async function add(uri: string, panel: Panel): Promise<void> {
  panel.show(T.adding, "busy");
  const answer = await send<AddedReply>({ type: "add", origin: location.origin, uri });
  if (answer.ok) {
    const name = accountTitle(answer.reply.account);
    panel.show({ id: `${T.added.id}: ${name}`, en: T.added.en }, "ok");
  } else {
    panel.show(failureText(answer.error.code, answer.error.message), ["declined", "duplicate"].includes(answer.error.code) ? "warn" : "err");
  }
}

// ---- One-time-code fields -------------------------------------------------------------------

const fieldPanels = new Map<HTMLInputElement, Panel>();

function labelText(input: HTMLInputElement): string {
  const parts: string[] = [];
  for (const label of input.labels ?? []) parts.push(label.textContent ?? "");
  for (const id of (input.getAttribute("aria-labelledby") ?? "").split(/\s+/)) {
    if (id !== "") parts.push(document.getElementById(id)?.textContent ?? "");
  }
  return parts.join(" ").slice(0, 500);
}

export function fieldInfo(input: HTMLInputElement): FieldInfo {
  return {
    tag: input.tagName,
    type: input.getAttribute("type") ?? "",
    autocomplete: input.getAttribute("autocomplete") ?? "",
    id: input.id,
    name: input.getAttribute("name") ?? "",
    placeholder: input.getAttribute("placeholder") ?? "",
    ariaLabel: input.getAttribute("aria-label") ?? "",
    label: labelText(input),
    disabled: input.disabled,
    readOnly: input.readOnly,
  };
}

function lookAtField(input: HTMLInputElement): void {
  if (fieldPanels.has(input) || !isOtpField(fieldInfo(input))) return;
  const panel = new Panel(input, T.fillButton, true, () => void fill(input, panel), "fill");
  fieldPanels.set(input, panel);
}

async function fill(input: HTMLInputElement, panel: Panel): Promise<void> {
  panel.clearChoice();
  const origin = location.origin;
  if (!isCodeOrigin(origin)) {
    panel.show(T.notAllowed, "warn"); // not even asked: codes go only to HTTPS (or loopback) origins
    return;
  }
  panel.show(T.filling, "busy");
  const list = await send<AccountsReply>({ type: "accounts", origin });
  if (!list.ok) {
    panel.show(failureText(list.error.code, list.error.message), tone(list.error.code));
    return;
  }
  const accounts = list.reply.accounts;
  if (accounts.length === 0) {
    panel.show(T.notBound, "warn");
    return;
  }
  if (accounts.length === 1) {
    await fillWith(input, panel, origin, accounts[0]!);
    return;
  }
  panel.choose(accounts, (account) => void fillWith(input, panel, origin, account));
}

async function fillWith(input: HTMLInputElement, panel: Panel, origin: string, account: AccountName): Promise<void> {
  panel.show(T.filling, "busy");
  const answer = await send<CodeReply>({ type: "code", origin, account: account.id });
  if (!answer.ok) {
    panel.show(failureText(answer.error.code, answer.error.message), tone(answer.error.code));
    return;
  }
  if (location.origin !== origin || !input.isConnected) {
    panel.show(null, "ok");
    return;
  }
  setValue(input, answer.reply.code);
  panel.show(T.filled, "ok");
}

function tone(code: string): Tone {
  return code === "origin_not_bound" || code === "origin_not_allowed" || code === "vault_locked" ? "warn" : "err";
}

/** Sets the value as typing would be seen: the native setter, then input and change events. */
function setValue(input: HTMLInputElement, value: string): void {
  input.focus();
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
  if (setter !== undefined) setter.call(input, value);
  else input.value = value;
  input.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertText", data: value }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

// ---- Scanning -------------------------------------------------------------------------------

function prune(): void {
  for (const [el, seen] of qrSeen) {
    if (!el.isConnected) {
      seen.panel?.remove();
      qrSeen.delete(el);
    }
  }
  for (const [input, panel] of fieldPanels) {
    if (!input.isConnected) {
      panel.remove();
      fieldPanels.delete(input);
    }
  }
}

function scan(): void {
  prune();
  for (const input of document.querySelectorAll("input")) lookAtField(input);
  const sources = document.querySelectorAll<HTMLImageElement | HTMLCanvasElement | SVGSVGElement>("img, canvas, svg");
  for (const el of sources) {
    if (el instanceof SVGSVGElement && el.ownerSVGElement !== null) continue; // nested: the outer one is enough
    void lookAtQr(el);
  }
}

let timer: ReturnType<typeof setTimeout> | null = null;

function scanSoon(delay = 300): void {
  if (timer !== null) return;
  timer = setTimeout(() => {
    timer = null;
    scan();
  }, delay);
}

function isOurs(node: Node): boolean {
  return node instanceof Element && node.hasAttribute(MARK);
}

function start(): void {
  const flag = "__otentikContentScript";
  const scope = globalThis as Record<string, unknown>;
  if (scope[flag] === true) return;
  scope[flag] = true;
  scan();
  new MutationObserver((records) => {
    const relevant = records.some(
      (r) => r.type === "attributes" || [...r.addedNodes, ...r.removedNodes].some((n) => !isOurs(n)),
    );
    if (relevant) scanSoon();
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["src", "srcset", "autocomplete", "name", "id", "placeholder", "aria-label", "width", "height", "d"],
  });
  // A canvas may be drawn after it appears, and an <img> may finish loading later.
  setTimeout(() => scanSoon(0), 1000);
  setTimeout(() => scanSoon(0), 3000);
  document.addEventListener("load", (e) => e.target instanceof HTMLImageElement && scanSoon(), true);
}

start();
