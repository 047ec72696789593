import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { i18n } from "./lib/i18n/index.svelte";

// Console errors and unhandled failures are kept where the end-to-end tests can read them
// (WebKitWebDriver has no log endpoint): any entry fails the run.
const seen: string[] = [];
(window as unknown as { __otentikErrors: string[] }).__otentikErrors = seen;
const original = console.error.bind(console);
console.error = (...args: unknown[]) => {
  seen.push(args.map(String).join(" "));
  original(...args);
};
window.addEventListener("error", (event) => seen.push(`error: ${event.message}`));
document.addEventListener("securitypolicyviolation", (event) =>
  seen.push(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`),
);
window.addEventListener("unhandledrejection", (event) => seen.push(`unhandled rejection: ${String(event.reason)}`));

document.documentElement.lang = i18n.language;
const target = document.getElementById("app");
if (target) mount(App, { target });
