// The origin rule. The host enforces it too; the extension does not even ask for a code elsewhere.
//
// A code is asked for only on an origin that is
//   - https://<host>[:port], or
//   - http:// on loopback (127.0.0.1, [::1] or localhost, any port), for the demo site.
// The account must then be bound to exactly that origin (scheme, host and port): the host checks
// that, and a look-alike domain — or the same site on another port — gets nothing.

export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "[::1]", "localhost"];

/** The serialized origin of `url` ("https://host[:port]"), or null when it has none. */
export function originOf(url: string | undefined | null): string | null {
  if (typeof url !== "string") return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  return parsed.origin;
}

/**
 * Whether codes may be asked for on `origin`: a canonical serialized origin (exactly what
 * `location.origin` gives; no path, no trailing slash) over HTTPS, or HTTP on loopback.
 */
export function isCodeOrigin(origin: string): boolean {
  if (typeof origin !== "string" || origin.length === 0 || origin.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin !== origin) return false; // not canonical: a path, userinfo, a trailing slash, "127.1"…
  if (parsed.username !== "" || parsed.password !== "") return false;
  if (parsed.protocol === "https:") return parsed.hostname !== "";
  if (parsed.protocol === "http:") return LOOPBACK_HOSTS.includes(parsed.hostname);
  return false;
}

/** The one comparison the binding uses: the same serialized origin, character for character. */
export function sameOrigin(a: string, b: string): boolean {
  return a === b;
}
