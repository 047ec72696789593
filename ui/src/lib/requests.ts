// Pure helpers of the login-request screens: which requests an account has, the countdown,
// the words for an outcome and for a push state, a readable browser name.

import type { AnswerView, PushView } from "./bindings";
import type { MessageKey } from "./i18n/id";

export interface Deadlined {
  account_id: string;
  deadline: number;
}

/** The requests of one account (or all when `accountId` is null), as given (newest first). */
export function requestsFor<T extends Deadlined>(requests: T[], accountId: string | null): T[] {
  return accountId === null ? requests : requests.filter((r) => r.account_id === accountId);
}

/** Whole seconds left before `deadline` (ms), never negative. */
export function secondsToAnswer(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** The catalogue key that says how an answer ended. */
export function outcomeKey(answer: AnswerView): MessageKey {
  if (answer.wrong_number) return "request.result.wrongNumber";
  switch (answer.status) {
    case "approved":
      return "request.result.approved";
    case "not_me":
      return "request.result.notMe";
    case "expired":
      return "request.result.expired";
    case "denied":
    case "pending":
      return "request.result.denied";
  }
}

/** The catalogue key for an account's push state, as the list and the detail show it. */
export function pushStateKey(push: PushView): MessageKey {
  switch (push.state) {
    case "active":
      return push.reachable ? "push.state.active" : "push.state.unreachable";
    case "revoked":
      return "push.state.revoked";
    case "failed":
      return "push.state.failed";
    case "pending":
      return "push.state.pending";
    case "restored":
      return "push.state.restored";
  }
}

/** Whether the state is a problem the user should look at. */
export function pushNeedsAttention(push: PushView): boolean {
  return push.state !== "active" || !push.reachable || push.clock_off;
}

/**
 * "Firefox 128 · Linux" from a user agent; `null` when no browser is recognised (the screen
 * then says "Peramban tidak dikenal" and keeps the raw text behind a details toggle, since a
 * hostile site or browser chooses that text).
 */
export function browserName(userAgent: string): string | null {
  const browsers: [RegExp, string][] = [
    [/Edg\/(\d+)/, "Edge"],
    [/OPR\/(\d+)/, "Opera"],
    [/Firefox\/(\d+)/, "Firefox"],
    [/Chrome\/(\d+)/, "Chrome"],
    [/Version\/(\d+).*Safari/, "Safari"],
  ];
  const systems: [RegExp, string][] = [
    [/Windows/, "Windows"],
    [/Android/, "Android"],
    [/iPhone|iPad/, "iOS"],
    [/Mac OS X/, "macOS"],
    [/Linux|X11/, "Linux"],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent));
  const system = systems.find(([pattern]) => pattern.test(userAgent));
  if (!browser) return null;
  const version = userAgent.match(browser[0])?.[1];
  const name = version ? `${browser[1]} ${version}` : browser[1];
  return system ? `${name} · ${system[1]}` : name;
}
