// The toolbar popup: the codes of the accounts bound to the current tab's origin, with the seconds
// each has left. The background reads the tab's URL (opening the popup grants `activeTab`), so
// the popup never names an origin itself.

import { ext } from "./ext.js";
import type { Answer, PopupAccounts, PopupMessage } from "./messages.js";
import type { AccountName, CodeReply } from "./protocol.js";
import { bilingual, failureText, groupCode, T, type Text } from "./strings.js";

const main = document.getElementById("main") as HTMLElement;
const originLine = document.getElementById("origin") as HTMLElement;

function textNode(text: Text, tag: "p" | "div" = "div", className = ""): HTMLElement {
  const el = document.createElement(tag);
  if (className !== "") el.className = className;
  el.append(...bilingual(text));
  return el;
}

function note(text: Text, tone = ""): void {
  main.replaceChildren(textNode(text, "p", `note ${tone}`.trim()));
}

async function send<T>(message: PopupMessage): Promise<Answer<T>> {
  try {
    return (await ext.runtime.sendMessage(message)) as Answer<T>;
  } catch (e) {
    return { ok: false, error: { code: "host_unavailable", message: e instanceof Error ? e.message : String(e) } };
  }
}

interface Row {
  account: AccountName;
  code: HTMLElement;
  left: HTMLElement;
  bar: HTMLElement;
  copy: HTMLButtonElement;
  value: string;
  period: number;
  until: number; // ms timestamp at which the code expires
  fetching: boolean;
}

async function refresh(tabId: number, row: Row): Promise<void> {
  row.fetching = true;
  const answer = await send<CodeReply>({ type: "popup-code", tabId, account: row.account.id });
  row.fetching = false;
  if (!answer.ok) {
    const text = failureText(answer.error.code, answer.error.message);
    row.code.textContent = "——";
    row.left.textContent = `${text.id} / ${text.en}`;
    row.until = Number.POSITIVE_INFINITY;
    return;
  }
  row.value = answer.reply.code;
  row.period = answer.reply.period;
  row.until = Date.now() + answer.reply.remaining * 1000;
  row.code.textContent = groupCode(answer.reply.code);
  tick(tabId, row);
}

function tick(tabId: number, row: Row): void {
  if (!Number.isFinite(row.until)) return;
  const seconds = Math.max(0, Math.ceil((row.until - Date.now()) / 1000));
  row.left.textContent = `${seconds} ${T.secondsLeft.id} · ${seconds} ${T.secondsLeft.en}`;
  (row.bar.firstElementChild as HTMLElement).style.width = `${Math.round((100 * seconds) / Math.max(1, row.period))}%`;
  if (seconds === 0 && !row.fetching) void refresh(tabId, row);
}

function accountRow(account: AccountName): { li: HTMLElement; row: Row } {
  const li = document.createElement("li");
  const name = document.createElement("div");
  name.className = "name";
  const issuer = document.createElement("b");
  issuer.textContent = account.issuer;
  name.append(issuer, document.createTextNode(account.issuer !== "" && account.label !== "" ? ` — ${account.label}` : account.label));
  const line = document.createElement("div");
  line.className = "row";
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = "··· ···";
  const copy = document.createElement("button");
  copy.type = "button";
  copy.textContent = `${T.copy.id} / ${T.copy.en}`;
  line.append(code, copy);
  const left = document.createElement("div");
  left.className = "left";
  const bar = document.createElement("div");
  bar.className = "bar";
  bar.append(document.createElement("div"));
  li.append(name, line, left, bar);
  const row: Row = { account, code, left, bar, copy, value: "", period: 30, until: Number.POSITIVE_INFINITY, fetching: false };
  copy.addEventListener("click", () => {
    if (row.value === "") return;
    void navigator.clipboard.writeText(row.value).then(() => {
      copy.textContent = `${T.copied.id} / ${T.copied.en}`;
      setTimeout(() => (copy.textContent = `${T.copy.id} / ${T.copy.en}`), 1500);
    });
  });
  return { li, row };
}

/**
 * The tab the popup is about: the active one, or — for tests, which cannot click the toolbar —
 * the one named by `popup.html?tab=<id>` (only the extension itself can open its popup page).
 */
async function currentTab(): Promise<number | undefined> {
  const named = new URLSearchParams(location.search).get("tab");
  if (named !== null && /^[0-9]{1,15}$/.test(named)) return Number(named);
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

async function show(): Promise<void> {
  const tabId = await currentTab();
  if (tabId === undefined) {
    note(T.popupNoSite);
    return;
  }
  const answer = await send<PopupAccounts>({ type: "popup-accounts", tabId });
  if (!answer.ok) {
    note(failureText(answer.error.code, answer.error.message), "err");
    return;
  }
  const { origin, allowed, locked, accounts } = answer.reply;
  originLine.textContent = origin ?? "";
  if (!allowed) return note(T.popupNoSite);
  if (locked) return note(T.locked, "warn");
  if (accounts.length === 0) return note({ id: `${T.popupNone.id}. ${T.notBound.id}.`, en: `${T.popupNone.en}. ${T.notBound.en}.` }, "warn");
  const list = document.createElement("ul");
  const rows: Row[] = [];
  for (const account of accounts) {
    const { li, row } = accountRow(account);
    list.append(li);
    rows.push(row);
  }
  main.replaceChildren(textNode(T.popupTitle, "div", "title"), list);
  await Promise.all(rows.map((row) => refresh(tabId, row)));
  setInterval(() => rows.forEach((row) => tick(tabId, row)), 1000);
}

void show();
