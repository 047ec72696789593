#!/usr/bin/env node
// Issue 17 end to end with the REAL native host (`otentik browser-host`) and the REAL Otentik app:
// Debian's `chromium` + `chromedriver` over WebDriver, the unpacked extension (dist/), the desktop
// app (`otentik-app`, driven through `tauri-driver` and WebKitWebDriver on the same display), the
// demo site (`otentik-server --demo`, started here on a free port) and a fresh vault.
//
//   1. setup      demo server on 127.0.0.1:<port>; a new vault folder and keyring service;
//                 `otentik browser install --browser chromium --dir <profile>/NativeMessagingHosts`
//                 before Chromium starts with that --user-data-dir
//   2. no app     log in, ENABLE TOTP: the QR gets "Tambahkan ke Otentik"; a click reaches the
//                 real host, which finds no app running and starts it (OTENTIK_APP); the app
//                 listens and shows the request; quitting it (SIGTERM) instead of answering ends
//                 the request with the host's error in the panel, and nothing is kept
//   3. add        the app through tauri-driver (replacing the socket the quit one left): a click
//                 → its window shows the account and the page's origin. Batal → the panel says
//                 "Ditolak di Otentik", nothing is kept. Again, Tambah → "Berhasil tambah akun",
//                 `otentik list` holds it bound to the demo's origin, and its push enrolment
//                 completes ENABLE TOTP (the page reloads; that enrolment sends the current code,
//                 so the site counts that period as used)
//   4. login      log out, log in, "Gunakan kode TOTP" (the push request is left pending): the
//                 fill button fills exactly `otentik code`'s current code (in a period after any
//                 code already used) → Beranda
//   5. look-alike the same demo on http://localhost:<port>: no code, "Situs ini bukan situs tempat
//                 akun ditambahkan"
// Each step prints ok/FAIL with its time; a failed step skips the rest; exit 0 only if all passed.
// Chromium, chromedriver, the apps, tauri-driver, the host and the server are always stopped
// (every process started here carries a marker in its environment; leftovers with it are killed
// at the end).
//
// Needs a Secret Service: run inside scripts/with-keyring.sh (scripts/browser-e2e.sh does it all).
// Environment:
//   OTENTIK_BIN            the otentik CLI (default: <repo>/target/debug/otentik)
//   OTENTIK_SERVER_BIN     otentik-server (default: <repo>/target/debug/otentik-server)
//   OTENTIK_APP_BIN        the desktop app (default: <repo>/target/debug/otentik-app)
//   TAURI_DRIVER           tauri-driver (default: found on PATH, then in $CARGO_HOME/bin or ~/.cargo/bin)
//   OTENTIK_E2E_SHOTS      where screenshots and logs go (default: browser/e2e/shots)
//   OTENTIK_E2E_HEADLESS=1 --headless=new instead of a display (otherwise run under xvfb-run -a)
//   OTENTIK_E2E_KEEP=1     keep the temporary profile, vault and server folders

import { execFile, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const EXT = resolve(here, "..", "dist");
const HOST_NAME = "id.otentik.browser_host";
const EXTENSION_ID = "fkamgadhljpfghnogkmljbkocmcioimp";
const USER = "penyedia1";
const PASSWORD = "penyedia1-rahasia";
const KIND = "penyedia";
const PERIOD = 30;
const NOT_BOUND = "Situs ini bukan situs tempat akun ditambahkan";

const OTENTIK = resolve(process.env.OTENTIK_BIN ?? join(repo, "target/debug/otentik"));
const SERVER = resolve(process.env.OTENTIK_SERVER_BIN ?? join(repo, "target/debug/otentik-server"));
const APP = resolve(process.env.OTENTIK_APP_BIN ?? join(repo, "target/debug/otentik-app"));
const TAURI_DRIVER = process.env.TAURI_DRIVER ??
  [...(process.env.PATH ?? "").split(":").filter(Boolean), join(process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo"), "bin")]
    .map((d) => join(d, "tauri-driver"))
    .find((p) => existsSync(p)) ??
  "tauri-driver";
const STEPS = 5;
const shots = resolve(process.env.OTENTIK_E2E_SHOTS ?? join(here, "shots"));
const headless = process.env.OTENTIK_E2E_HEADLESS === "1";
const keep = process.env.OTENTIK_E2E_KEEP === "1";

for (const [what, path] of [
  ["otentik (OTENTIK_BIN)", OTENTIK],
  ["otentik-server (OTENTIK_SERVER_BIN)", SERVER],
  ["otentik-app (OTENTIK_APP_BIN)", APP],
  ["tauri-driver (cargo install tauri-driver --locked)", TAURI_DRIVER],
  ["the built extension (npm run build)", join(EXT, "manifest.json")],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    process.exit(2);
  }
}
if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
  console.error("no D-Bus session (the vault needs a Secret Service): run inside scripts/with-keyring.sh");
  process.exit(2);
}

mkdirSync(shots, { recursive: true });
// Only what an earlier run wrote here (the folder may hold other things).
for (const name of readdirSync(shots)) if (/^(\d-[a-z-]+\.png|failure\.png|app-failure\.png|server\.log|chromedriver\.log|app\.log)$/.test(name)) rmSync(join(shots, name), { force: true });

// Every process started here (and what they start: Chromium's children, the host) inherits it.
const RUN_MARK = `OTENTIK_E2E_RUN=${process.pid}-${randomBytes(6).toString("hex")}`;
const work = mkdtempSync(join(tmpdir(), "otentik-e2e-"));
const profile = join(work, "profile");
const vaultDir = join(work, "vault");
const serverDir = join(work, "server");
const appHome = join(work, "app-home");
for (const d of [profile, vaultDir, serverDir, appHome]) mkdirSync(d, { recursive: true });
const baseEnv = { ...process.env, OTENTIK_E2E_RUN: RUN_MARK.split("=")[1] };
const vaultEnv = {
  ...baseEnv,
  OTENTIK_DATA_DIR: vaultDir,
  OTENTIK_KEYRING_SERVICE: `otentik-e2e-${RUN_MARK.split("=")[1]}`,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now() / 1000;
const counter = () => Math.floor(now() / PERIOD);
const secondsLeft = () => PERIOD - (now() % PERIOD);

/** Runs the otentik CLI on the test vault; resolves its stdout, rejects with its stderr. */
function otentik(...args) {
  return new Promise((resolveRun, reject) => {
    execFile(OTENTIK, args, { env: vaultEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`otentik ${args.join(" ")}: ${error.message.split("\n")[0]}; stderr: ${stderr.trim()}`));
      else resolveRun(stdout.trim());
    });
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on("error", reject);
  });
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

// ---- Results ----------------------------------------------------------------------------------

const results = [];
let stepChecks = [];
function check(name, ok, detail = "") {
  stepChecks.push(ok);
  console.log(`  ${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
  return ok;
}
/** A step: its checks must all pass and it must not throw; after a failure the rest are skipped. */
async function step(name, body) {
  if (results.some((r) => r.status !== "ok")) {
    results.push({ name, status: "skipped", seconds: 0 });
    console.log(`SKIP ${name}`);
    return;
  }
  console.log(`---- ${name}`);
  stepChecks = [];
  const start = Date.now();
  let error = null;
  try {
    await body();
  } catch (e) {
    error = e;
    check("no error", false, e.message);
  }
  const seconds = (Date.now() - start) / 1000;
  const ok = error === null && stepChecks.every(Boolean);
  results.push({ name, status: ok ? "ok" : "FAIL", seconds });
  console.log(`${ok ? "ok  " : "FAIL"} ${name} (${seconds.toFixed(1)} s)`);
  if (!ok) await failureShot();
}

// ---- Processes --------------------------------------------------------------------------------

let server = null;
let driver = null;
let sid = null;
let wdBase = null;
let appDriver = null;
let appSid = null;
let appBase = null;
const logs = {};

function logFile(name) {
  const path = join(shots, name);
  logs[name] = path;
  return openSync(path, "w");
}

async function startServer() {
  const out = logFile("server.log");
  server = spawn(
    SERVER,
    ["--listen", "127.0.0.1:0", "--demo", "--db", join(serverDir, "server.sqlite3"), "--outbox", join(serverDir, "outbox")],
    {
      env: { ...baseEnv, OTENTIK_SERVER_DATA_DIR: serverDir, OTENTIK_SITE_KEY: `e2e-site-key-${randomBytes(16).toString("hex")}` },
      stdio: ["ignore", "pipe", out],
    },
  );
  closeSync(out);
  let seen = "";
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`otentik-server did not start in 15 s: ${seen}`)), 15_000);
    server.on("exit", (code) => reject(new Error(`otentik-server exited (${code}): ${seen}${readFileSync(logs["server.log"], "utf8")}`)));
    server.stdout.on("data", (chunk) => {
      seen += chunk;
      const m = /otentik-server listening on (http:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
  });
  server.stdout.resume();
  return url;
}

const wd = (method, path, body) => wdAt(wdBase, method, path, body);
/** WebDriver on the Otentik app's window (tauri-driver). */
const awd = (method, path, body) => wdAt(appBase, method, path, body);

async function wdAt(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (json.value && json.value.error) throw new Error(`${method} ${path}: ${json.value.error}: ${String(json.value.message).split("\n")[0]}`);
  return json.value;
}

async function startChromium() {
  const port = await freePort();
  const out = logFile("chromedriver.log"); // Chromium's and the native host's stderr end up here
  // The host Chromium starts inherits this environment, and the app the host starts for an add
  // when none runs (OTENTIK_APP): its settings and caches go to the test's folders.
  const env = {
    ...baseEnv,
    NO_AT_BRIDGE: "1",
    OTENTIK_APP: APP,
    XDG_CONFIG_HOME: join(appHome, ".config"),
    XDG_CACHE_HOME: join(appHome, ".cache"),
    XDG_DATA_HOME: join(appHome, ".local/share"),
  };
  driver = spawn("chromedriver", [`--port=${port}`], { env, stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  wdBase = `http://127.0.0.1:${port}`;
  await until("chromedriver", () => wd("GET", "/status"), 10_000);
  const args = [
    "--no-sandbox", // as root, Chromium does not start without it
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--password-store=basic", // Chromium's own passwords stay out of the test keyring
    "--disable-features=NativeNotifications,SystemNotifications",
    `--user-data-dir=${profile}`,
    `--load-extension=${EXT}`,
    `--disable-extensions-except=${EXT}`,
    "--window-size=1000,900",
  ];
  if (headless) args.push("--headless=new");
  const session = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { browserName: "chrome", "goog:chromeOptions": { binary: "/usr/bin/chromium", args } } },
  });
  sid = session.sessionId;
  return session.capabilities.browserVersion;
}

function portOpen(port) {
  return new Promise((resolveOpen) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => {
      socket.end();
      resolveOpen(true);
    });
    socket.on("error", () => resolveOpen(false));
  });
}

/** The Otentik app over the test vault, in its own home, on this display, through tauri-driver. */
async function startApp() {
  const port = await freePort();
  const nativePort = await freePort();
  const out = logFile("app.log"); // the app's own messages, and the drivers'
  appDriver = spawn(TAURI_DRIVER, ["--port", String(port), "--native-port", String(nativePort)], {
    env: {
      ...vaultEnv,
      HOME: appHome,
      XDG_CONFIG_HOME: join(appHome, ".config"),
      XDG_CACHE_HOME: join(appHome, ".cache"),
      LANG: "C.UTF-8",
      RUST_LOG: "info",
    },
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  appBase = `http://127.0.0.1:${port}`;
  // A session asked for before WebKitWebDriver listens fails: wait for both ports.
  await until("tauri-driver and WebKitWebDriver", async () => (await portOpen(port)) && (await portOpen(nativePort)), 20_000);
  const session = await awd("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application: APP, args: [] } }, firstMatch: [{}] },
  });
  appSid = session.sessionId;
}

/** The app's socket for the test vault. */
const socket = join(vaultDir, "run", "browser.sock");

/** Whether an app accepts connections on `path` now. */
function portless(path) {
  return new Promise((resolveOpen) => {
    const probe = connect({ path }, () => {
      probe.end();
      resolveOpen(true);
    });
    probe.on("error", () => resolveOpen(false));
  });
}

/** Pids of this run's Otentik apps. */
function appProcesses() {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0")[0];
      if (!argv0.endsWith("otentik-app")) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (environ.includes(RUN_MARK)) found.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return found;
}

/** Kills what is left of this run: every process whose environment carries RUN_MARK. */
function killLeftovers() {
  const killed = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (!environ.includes(RUN_MARK)) continue;
      process.kill(Number(entry), "SIGKILL");
      killed.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0")[0]}`);
    } catch {
      // gone already, or not ours to read
    }
  }
  return killed;
}

let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  if (sid) await Promise.race([wd("DELETE", `/session/${sid}`).catch(() => {}), sleep(10_000)]);
  if (appSid) await Promise.race([awd("DELETE", `/session/${appSid}`).catch(() => {}), sleep(10_000)]);
  if (appDriver && appDriver.exitCode === null) {
    try {
      process.kill(-appDriver.pid, "SIGTERM");
    } catch {}
  }
  if (driver && driver.exitCode === null) {
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {}
  }
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await Promise.race([new Promise((r) => server.once("exit", r)), sleep(5_000)]);
  }
  await sleep(300);
  const killed = killLeftovers();
  if (killed.length > 0) console.log(`killed leftovers: ${killed.join(", ")}`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    console.log(`${signal}: stopping`);
    await cleanUp();
    process.exit(130);
  });
}

// ---- WebDriver helpers ------------------------------------------------------------------------

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW = "shadow-6066-11e4-a52e-4f735466cecf";
const go = (url) => wd("POST", `/session/${sid}/url`, { url });
const findNow = async (css) => (await wd("POST", `/session/${sid}/element`, { using: "css selector", value: css }))[ELEMENT];
const find = (css, timeoutMs) => until(css, () => findNow(css), timeoutMs);
const exec = (script, ...args) => wd("POST", `/session/${sid}/execute/sync`, { script, args });
const type = async (css, text) => wd("POST", `/session/${sid}/element/${await find(css)}/value`, { text });
const click = (element) => wd("POST", `/session/${sid}/element/${element}/click`, {});
const text = (element) => wd("GET", `/session/${sid}/element/${element}/text`);
const path = () => exec("return location.pathname");
const png = (b64) => Buffer.from(b64, "base64");
const shot = async (name) => writeFileSync(join(shots, `${name}.png`), png(await wd("GET", `/session/${sid}/screenshot`)));
async function failureShot() {
  if (appSid) await ashot("app-failure").catch(() => {});
  if (!sid) return;
  try {
    writeFileSync(join(shots, "failure.png"), png(await wd("GET", `/session/${sid}/screenshot`)));
    console.log(`  page at failure: ${await exec("return location.href")} (failure.png)`);
  } catch {}
}
// The app's window.
const afindNow = async (css) => (await awd("POST", `/session/${appSid}/element`, { using: "css selector", value: css }))[ELEMENT];
const afind = (css, timeoutMs) => until(`${css} in the app`, () => afindNow(css), timeoutMs);
const aclick = (element) => awd("POST", `/session/${appSid}/element/${element}/click`, {});
const aattr = (element, name) => awd("GET", `/session/${appSid}/element/${element}/attribute/${name}`);
const ashot = async (name) => writeFileSync(join(shots, `${name}.png`), png(await awd("GET", `/session/${appSid}/screenshot`)));

// Our panels live in closed shadow roots; WebDriver reaches into them, a page cannot.
async function inPanel(role, css) {
  const host = await find(`[data-otentik=${role}]`);
  const root = (await wd("GET", `/session/${sid}/element/${host}/shadow`))[SHADOW];
  return (await wd("POST", `/session/${sid}/shadow/${root}/element`, { using: "css selector", value: css }))[ELEMENT];
}
/** The panel's status: its first (Indonesian) line, its whole text, its tone. */
async function panelStatus(role) {
  const status = await inPanel(role, ".status");
  const all = await text(status);
  const tone = (await wd("GET", `/session/${sid}/element/${status}/attribute/class`)) ?? "";
  return { line: all.split("\n")[0], all, tone: tone.replace("status", "").trim() };
}
const settled = (role) =>
  until(`the ${role} panel's answer`, async () => {
    const s = await panelStatus(role);
    return s.line !== "" && s.tone !== "busy" && !/…/.test(s.line) ? s : null;
  }, 30_000);

async function login(origin) {
  await go(`${origin}/login/${KIND}`);
  await type("#userid", USER);
  await type("#password", PASSWORD);
  await type("#kode", await exec("return document.getElementById('kode-keamanan').dataset.kode"));
  await sleep(500);
  const panels = await exec("return document.querySelectorAll('[data-otentik]').length");
  check("no button on the login form (its Kode Keamanan is a captcha)", panels === 0, `${panels} panels`);
  await click(await find("form button[type=submit]"));
  await until("the page after LOGIN", async () => (await path()) !== `/login/${KIND}`);
}

/** On the waiting page (a push request went to Otentik), "Gunakan kode TOTP" instead. */
async function useCode() {
  if ((await path()) !== "/login/tunggu") return;
  const link = await find("a[href='/login/kode']");
  check("the push request waits; 'Gunakan kode TOTP' instead", (await text(link)) === "Gunakan kode TOTP", await text(link));
  await click(link);
  await until("the code form", async () => (await path()) === "/login/kode");
}

/** Waits until the code's period is after `after` and at least `margin` seconds of it are left. */
async function freshPeriod(after, margin) {
  for (;;) {
    const c = counter();
    if (c > after && secondsLeft() >= margin) return c;
    const wait = c > after ? secondsLeft() : (after + 1) * PERIOD - now();
    await sleep(wait * 1000 + 300);
  }
}

// ---- The run ----------------------------------------------------------------------------------

let demo;
let lookalike;
let accountId;
let enableCounter;
const started = Date.now();

try {
  await step("1. setup: demo server, fresh vault, otentik browser install, Chromium", async () => {
    demo = await startServer();
    const port = new URL(demo).port;
    lookalike = `http://localhost:${port}`;
    check("demo server started", (await fetch(`${demo}/`)).ok, demo);
    const hosts = join(profile, "NativeMessagingHosts");
    const said = await otentik("browser", "install", "--browser", "chromium", "--dir", hosts);
    const manifestPath = join(hosts, `${HOST_NAME}.json`);
    check("otentik browser install wrote the manifest", existsSync(manifestPath), said);
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    check(
      "the manifest names the host program for the extension",
      manifest.name === HOST_NAME && manifest.type === "stdio" && existsSync(manifest.path) &&
        JSON.stringify(manifest.allowed_origins) === JSON.stringify([`chrome-extension://${EXTENSION_ID}/`]),
      manifest.path,
    );
    const program = readFileSync(manifest.path, "utf8");
    check("the host program names this vault", program.includes(vaultDir) && program.includes(vaultEnv.OTENTIK_KEYRING_SERVICE));
    check("the vault starts empty", JSON.parse(await otentik("list", "--json")).length === 0);
    const version = await startChromium();
    check("Chromium started with the extension", Boolean(sid), `chromium ${version}${headless ? " (headless=new)" : ""}`);
  });

  await step("2. no app running: 'Tambahkan ke Otentik' starts Otentik, which asks; quitting it adds nothing", async () => {
    await login(demo);
    check("logged in without TOTP", (await path()) === "/beranda", await path());
    await click(await find("form[action='/totp/enable'] button"));
    await find("#qr svg");
    const label = await text(await until("the add button", () => inPanel("add", "button")));
    check("the QR code gets 'Tambahkan ke Otentik'", label.startsWith("Tambahkan ke Otentik"), JSON.stringify(label));
    await shot("1-enable-totp-qr");
    check("no app listens yet", !existsSync(socket));
    await click(await inPanel("add", "button"));
    const started = await until("the app the host started", () => appProcesses()[0], 30_000);
    check("the host started the Otentik app", Boolean(started), `pid ${started}`);
    check("it listens on the vault's socket", await until("the app's socket", () => existsSync(socket), 30_000));
    await sleep(1000);
    const waitingLine = (await panelStatus("add")).line;
    check("the panel waits for the confirmation in Otentik", /Konfirmasi di Otentik/.test(waitingLine), JSON.stringify(waitingLine));
    // The user quits Otentik instead of answering.
    process.kill(started, "SIGTERM");
    const answer = await settled("add");
    check(
      "the panel says Otentik closed before the account was confirmed",
      answer.tone === "err" && answer.line.startsWith("Otentik tertutup atau berhenti menjawab"),
      `${JSON.stringify(answer.all)} (${answer.tone})`,
    );
    check("nothing was added to the vault", JSON.parse(await otentik("list", "--json")).length === 0);
    await shot("1-app-quit");
  });

  await step("3. ENABLE TOTP with the app running: Batal declines, Tambah adds it bound to the page", async () => {
    await until("the started app to end", () => appProcesses().length === 0, 10_000);
    await startApp();
    await afind("main, #app, body");
    check("the Otentik app (driven by tauri-driver) listens, replacing the socket the quit one left", await until("the app's socket", () => portless(socket), 20_000), socket);
    await ashot("0-app-started");
    check("the page still offers the QR code", (await path()) === "/totp/enable" && (await exec("return document.querySelector('#qr svg') !== null")));

    /** Clicks the add button; waits for the app's window to show the account and the origin. */
    async function askApp() {
      await click(await inPanel("add", "button"));
      const waitingLine = (await panelStatus("add")).line;
      check("the panel says to confirm in Otentik", /Konfirmasi di Otentik/.test(waitingLine), JSON.stringify(waitingLine));
      const origin = await afind("[data-testid=pending-origin]", 20_000);
      check("the app's window names the page's origin", (await aattr(origin, "data-origin")) === demo, await aattr(origin, "data-origin"));
    }

    // Batal in the app: declined, nothing kept.
    await askApp();
    await ashot("2-app-confirm");
    await aclick(await afind("[data-testid=cancel-add]"));
    const declined = await settled("add");
    check("Batal in Otentik: the panel says 'Ditolak di Otentik'", declined.line === "Ditolak di Otentik" && declined.tone === "warn", `${JSON.stringify(declined.all)} (${declined.tone})`);
    check("nothing was added to the vault", JSON.parse(await otentik("list", "--json")).length === 0);
    check("the page stays", (await path()) === "/totp/enable" && (await exec("return document.querySelector('#qr svg') !== null")));
    await shot("3-add-declined");

    // Tambah in the app: added, bound to the demo's origin.
    await askApp();
    await aclick(await afind("[data-testid=confirm-add]"));
    // The push enrolment inside the add completes ENABLE TOTP, and the demo's page may reload
    // (taking the panel with it) before the host's answer arrives: either shows the add worked.
    const added = await until("the add panel's answer or the page's reload", async () => {
      if (await exec("return document.getElementById('hasil') !== null")) return { reloaded: true };
      const s = await panelStatus("add").catch(() => null);
      return s && s.line !== "" && s.tone !== "busy" && !/…/.test(s.line) ? s : null;
    }, 30_000);
    check(
      "Tambah in Otentik: the panel says 'Berhasil tambah akun' (or the page already reloaded as TOTP is on)",
      added.reloaded === true || (added.line.startsWith("Berhasil tambah akun") && added.tone === "ok"),
      added.reloaded ? "reloaded first" : `${JSON.stringify(added.all)} (${added.tone})`,
    );
    if (!added.reloaded) await shot("4-add-added");
    const accounts = JSON.parse(await otentik("list", "--json"));
    check("otentik list holds one account", accounts.length === 1, JSON.stringify(accounts.map((a) => `${a.issuer}:${a.account}`)));
    accountId = accounts[0]?.id;
    check("bound to the demo's origin, and only to it", (await otentik("origin", accountId)).trim() === demo);
    const success = await afind("[data-testid=add-success]", 20_000);
    const said = await awd("GET", `/session/${appSid}/element/${success}/text`);
    check("the app's window says 'Berhasil tambah akun'", said.startsWith("Berhasil tambah akun"), JSON.stringify(said));
    const enrolment = await aattr(await afind("[data-testid=enrolment]"), "data-state");
    check("and login approvals are on for it (the push enrolment)", enrolment === "active", enrolment);
    await ashot("4-app-added");
    // The demo's URI carries push_url: confirming enrolled Otentik as the push device, and the
    // page sees ENABLE TOTP complete and reloads. Otherwise confirm with a typed code.
    const pushed = await until("the page to reload", () => exec("return document.getElementById('hasil') !== null"), 15_000).catch(() => false);
    if (pushed) {
      check("the push enrolment completed ENABLE TOTP by itself", true);
      enableCounter = counter(); // at or after the enrolment's code: the login needs a later one
    } else {
      await exec("document.querySelector('details').open = true");
      await freshPeriod(-1, 5);
      enableCounter = counter();
      const { code } = JSON.parse(await otentik("code", accountId, "--json"));
      await type("#totp", code);
      await click(await find("form[action='/totp/enable/kode'] button"));
      check("ENABLE TOTP confirmed with otentik code", true, code);
    }
    const enabled = await until("Berhasil Enable TOTP", () => exec("return document.getElementById('hasil')?.textContent ?? null"));
    check("Berhasil Enable TOTP", enabled.startsWith("Berhasil Enable TOTP"), enabled);
    await shot("4-enabled");
  });

  await step("4. log out, log in with a code: the extension fills otentik code's current code → Beranda", async () => {
    await go(`${demo}/beranda`);
    await click(await find("form[action='/logout'] button"));
    // The log-out's own navigation lands first: going on at once let it overtake the next
    // page (the login form) and land on the welcome page instead.
    await until("the page after log-out", async () => (await path()) === "/");
    await login(demo);
    await useCode();
    check("the code form", (await path()) === "/login/kode", await path());
    let filled = null;
    let expected = null;
    for (let attempt = 1; attempt <= 3 && filled === null; attempt++) {
      // A code is good once: use a period after the one that enabled TOTP, not near its end.
      const c = await freshPeriod(enableCounter, 12);
      await exec("document.getElementById('totp').value = ''");
      await click(await inPanel("fill", "button"));
      const value = await until("a filled code", () => exec("return document.getElementById('totp').value || null"), 20_000);
      const cli = JSON.parse(await otentik("code", accountId, "--json"));
      if (counter() !== c) {
        console.log(`  (attempt ${attempt} crossed a period boundary: again)`);
        continue;
      }
      filled = value;
      expected = cli.code;
    }
    const status = await panelStatus("fill");
    check("the fill button says 'Kode diisi'", status.line === "Kode diisi", JSON.stringify(status.all));
    check("the field holds exactly otentik code's current code", filled !== null && filled === expected, `${filled} vs ${expected}`);
    await shot("5-login-filled");
    await click(await find("form button[type=submit]"));
    const after = await until("Beranda (or the demo's refusal)", async () =>
      (await path()) === "/beranda" ? "/beranda" : await exec("return document.querySelector('.error')?.textContent ?? null"));
    check("Beranda", after === "/beranda", after);
    check("Beranda shows TOTP on", (await exec("return document.getElementById('status-totp').dataset.enabled")) === "true");
    await shot("6-beranda");
  });

  await step("5. the look-alike origin (http://localhost:<port>): no code, the warning", async () => {
    await login(lookalike);
    await useCode();
    check("the look-alike's code form", (await path()) === "/login/kode", `${lookalike}${await path()}`);
    await click(await inPanel("fill", "button"));
    const warning = await settled("fill");
    await sleep(500);
    const value = await exec("return document.getElementById('totp').value");
    check("the warning", warning.line === NOT_BOUND && warning.tone === "warn", `${JSON.stringify(warning.all)} (${warning.tone})`);
    check("no code in the field", value === "", JSON.stringify(value));
    check("the account stays bound to the demo's origin only", (await otentik("origin", accountId)).trim() === demo);
    await shot("7-lookalike");
  });
} finally {
  await cleanUp();
}

const hostErrors = logs["chromedriver.log"] && existsSync(logs["chromedriver.log"])
  ? readFileSync(logs["chromedriver.log"], "utf8").split("\n").filter((l) => /otentik/i.test(l))
  : [];
if (hostErrors.length > 0) console.log(`the host's stderr (chromedriver.log):\n  ${hostErrors.slice(-20).join("\n  ")}`);
const passed = results.filter((r) => r.status === "ok").length;
console.log("");
for (const r of results) console.log(`${r.status.padEnd(7)} ${r.name}${r.status === "skipped" ? "" : ` (${r.seconds.toFixed(1)} s)`}`);
console.log(`${passed} of ${STEPS} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots and logs in ${shots}`);
process.exit(passed === STEPS && results.length === STEPS ? 0 : 1);
