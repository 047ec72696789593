#!/usr/bin/env node
// The extension in a real Chromium (Debian's `chromium` + `chromium-driver`), driven over
// WebDriver, on the demo site (`otentik-server --demo`): log in → ENABLE TOTP → "Tambahkan ke
// Otentik" → the host got the URI with the demo's origin → confirm ENABLE TOTP with the filled
// code → log out → log in with "Gunakan kode TOTP" → fill → Beranda; then the same demo on a second
// loopback origin (a look-alike) gets no code and shows the warning. No npm packages: plain fetch.
//
// Build the extension first (npm run build). Environment:
//   OTENTIK_E2E_DEMO       the demo's base URL, e.g. http://127.0.0.1:9000 (required)
//   OTENTIK_E2E_LOOKALIKE  the same demo on another origin, e.g. http://localhost:9000 (optional;
//                          a content script runs only on https, 127.0.0.1, localhost and [::1])
//   OTENTIK_E2E_PROFILE    Chromium's --user-data-dir (default: a new temporary folder). Chromium
//                          reads host manifests from <profile>/NativeMessagingHosts/: install the
//                          real host there, or set OTENTIK_E2E_FAKE_HOST=1 to use e2e/fake-host.py
//   OTENTIK_E2E_SHOTS      where screenshots go (default: <profile>/screenshots)
//   OTENTIK_E2E_HEADLESS=1 --headless=new instead of a display (Xvfb: run under xvfb-run -a)
//   OTENTIK_E2E_USER       demo user (default penyedia1; its TOTP must be off at the start)
// Prints one line a step and "N passed, N failed" at the end; exits 1 on a failure.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const EXT = join(here, "..", "dist");
const EXTENSION_ID = "fkamgadhljpfghnogkmljbkocmcioimp";
const HOST_NAME = "id.otentik.browser_host";
const USERS = {
  penyedia1: ["penyedia1-rahasia", "penyedia"],
  penyedia2: ["penyedia2-rahasia", "penyedia"],
  penyedia3: ["penyedia3-rahasia", "penyedia"],
};

const demo = process.env.OTENTIK_E2E_DEMO;
const lookalike = process.env.OTENTIK_E2E_LOOKALIKE;
if (!demo) {
  console.error("OTENTIK_E2E_DEMO is not set (the demo site's base URL)");
  process.exit(2);
}
if (!existsSync(join(EXT, "manifest.json"))) {
  console.error(`${EXT} has no manifest.json: run npm run build first`);
  process.exit(2);
}
const user = process.env.OTENTIK_E2E_USER ?? "penyedia1";
const [password, kind] = USERS[user] ?? [];
const profile = process.env.OTENTIK_E2E_PROFILE ?? mkdtempSync(join(tmpdir(), "otentik-chromium-"));
const shots = process.env.OTENTIK_E2E_SHOTS ?? join(profile, "screenshots");
mkdirSync(shots, { recursive: true });

if (process.env.OTENTIK_E2E_FAKE_HOST === "1") {
  const hosts = join(profile, "NativeMessagingHosts");
  mkdirSync(hosts, { recursive: true });
  const manifest = {
    name: HOST_NAME,
    description: "Otentik (fake host for tests)",
    path: join(here, "fake-host.py"),
    type: "stdio",
    allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
  };
  writeFileSync(join(hosts, `${HOST_NAME}.json`), JSON.stringify(manifest, null, 2));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW = "shadow-6066-11e4-a52e-4f735466cecf";

const port = await freePort();
const driver = spawn("chromedriver", [`--port=${port}`], { stdio: "ignore" });
const base = `http://127.0.0.1:${port}`;

async function wd(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (json.value && json.value.error) throw new Error(`${method} ${path}: ${json.value.error}: ${String(json.value.message).split("\n")[0]}`);
  return json.value;
}

async function until(what, probe, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    await sleep(200);
  }
}

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}

let sid;
try {
  for (let i = 0; ; i++) {
    try {
      await wd("GET", "/status");
      break;
    } catch (e) {
      if (i > 50) throw e;
      await sleep(100);
    }
  }
  const args = [
    "--no-sandbox", // as root, Chromium does not start without it
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    `--load-extension=${EXT}`,
    `--disable-extensions-except=${EXT}`,
    "--window-size=1000,900",
  ];
  if (process.env.OTENTIK_E2E_HEADLESS === "1") args.push("--headless=new");
  const session = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { browserName: "chrome", "goog:chromeOptions": { binary: "/usr/bin/chromium", args } } },
  });
  sid = session.sessionId;
  console.log(`chromium ${session.capabilities.browserVersion}, profile ${profile}`);

  const go = (url) => wd("POST", `/session/${sid}/url`, { url });
  const find = (css, timeoutMs) =>
    until(css, async () => (await wd("POST", `/session/${sid}/element`, { using: "css selector", value: css }))[ELEMENT], timeoutMs);
  const exec = (script, ...args) => wd("POST", `/session/${sid}/execute/sync`, { script, args });
  const type = async (css, text) => wd("POST", `/session/${sid}/element/${await find(css)}/value`, { text });
  const click = (element) => wd("POST", `/session/${sid}/element/${element}/click`, {});
  const path = () => exec("return location.pathname");
  const shot = async (name) =>
    writeFileSync(join(shots, `${name}.png`), Buffer.from(await wd("GET", `/session/${sid}/screenshot`), "base64"));
  // Our buttons live in closed shadow roots; WebDriver reaches into them, a page cannot.
  const inPanel = async (role, css) => {
    const host = await find(`[data-otentik=${role}]`);
    const root = (await wd("GET", `/session/${sid}/element/${host}/shadow`))[SHADOW];
    return (await wd("POST", `/session/${sid}/shadow/${root}/element`, { using: "css selector", value: css }))[ELEMENT];
  };
  const panelStatus = async (role) => wd("GET", `/session/${sid}/element/${await inPanel(role, ".status")}/text`);
  const settled = (role) =>
    until(`the ${role} panel's answer`, async () => {
      const text = await panelStatus(role);
      return text !== "" && !/…/.test(text) ? text : null;
    }, 30_000);

  const login = async (origin) => {
    await go(`${origin}/login/${kind}`);
    await type("#userid", user);
    await type("#password", password);
    await type("#kode", await exec("return document.getElementById('kode-keamanan').dataset.kode"));
    await sleep(500);
    const panels = await exec("return document.querySelectorAll('[data-otentik]').length");
    check("no button on the login form (its Kode Keamanan is a captcha)", panels === 0, `${panels} panels`);
    await click(await find("form button[type=submit]"));
  };

  // 1. Enable TOTP → Tambahkan ke Otentik.
  await login(demo);
  check("logged in without TOTP", (await path()) === "/beranda", await path());
  await click(await find("form[action='/totp/enable'] button"));
  await find("#qr svg");
  const addLabel = await wd("GET", `/session/${sid}/element/${await inPanel("add", "button")}/text`);
  check("the QR code gets 'Tambahkan ke Otentik'", addLabel.startsWith("Tambahkan ke Otentik"), JSON.stringify(addLabel));
  await exec("document.querySelector('[data-otentik=add]').click()"); // a page's script: nothing happens
  check("a page's script cannot press it", (await panelStatus("add")) === "");
  await shot("1-enable-totp-qr");
  await click(await inPanel("add", "button"));
  const added = await settled("add");
  check("Berhasil tambah akun", added.startsWith("Berhasil tambah akun"), JSON.stringify(added));
  await shot("2-added");

  // A host that enrols the account's push device ends ENABLE TOTP by itself (the page reloads);
  // otherwise confirm it with a filled code (the form is inside a closed <details>).
  await sleep(2000);
  let first = "";
  if ((await exec("return document.getElementById('hasil') === null")) === true) {
    await exec("document.querySelector('details').open = true");
    await sleep(300);
    await click(await inPanel("fill", "button"));
    const filled = await settled("fill");
    first = await exec("return document.getElementById('totp').value");
    check("the enable form's code is filled", /^\d{6}$/.test(first), `${JSON.stringify(filled)} ${first}`);
    await shot("3-enable-filled");
    await click(await find("form[action='/totp/enable/kode'] button"));
  }
  const enabled = await until("Berhasil Enable TOTP", () => exec("return document.getElementById('hasil')?.textContent ?? null"));
  check("Berhasil Enable TOTP", enabled.startsWith("Berhasil Enable TOTP"), enabled);

  // 2. Log out; log in with a code. A code is good once: wait for the next period first.
  await go(`${demo}/beranda`);
  await click(await find("form[action='/logout'] button"));
  await login(demo);
  if ((await path()) !== "/login/kode") await click(await find("a[href='/login/kode']"));
  await sleep((30 - (Math.floor(Date.now() / 1000) % 30)) * 1000 + 1000);
  await click(await inPanel("fill", "button"));
  const second = await until("a filled code", () => exec("return document.getElementById('totp').value || null"), 30_000);
  check("the login code is filled", /^\d{6}$/.test(second) && second !== first, second);
  await shot("4-login-filled");
  await click(await find("form button[type=submit]"));
  await until("Beranda", async () => (await path()) === "/beranda");
  check("Beranda", (await path()) === "/beranda");
  await shot("5-beranda");

  // 3. The look-alike origin: the same pages, another origin.
  if (lookalike) {
    await login(lookalike);
    if ((await path()) !== "/login/kode") await click(await find("a[href='/login/kode']"));
    await click(await inPanel("fill", "button"));
    const warning = await settled("fill");
    const value = await exec("return document.getElementById('totp').value");
    check("the look-alike gets the warning", warning.startsWith("Situs ini bukan situs tempat akun ditambahkan"), JSON.stringify(warning));
    check("the look-alike gets no code", value === "", JSON.stringify(value));
    await shot("6-lookalike");
  }
} catch (e) {
  check("the run", false, e.message);
  if (sid) await wd("GET", `/session/${sid}/screenshot`).then((png) => writeFileSync(join(shots, "failure.png"), Buffer.from(png, "base64"))).catch(() => {});
} finally {
  if (sid) await wd("DELETE", `/session/${sid}`).catch(() => {});
  driver.kill();
}
console.log(`screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
