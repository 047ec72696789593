import { describe, expect, it } from "vitest";
import { isCodeOrigin, originOf, sameOrigin } from "../src/origin.js";

describe("isCodeOrigin", () => {
  it.each([
    "https://lpse.example.go.id",
    "https://lpse.bandung.go.id:8443",
    "https://spse.inaproc.id",
    "http://127.0.0.1:8080",
    "http://127.0.0.1",
    "http://localhost:3000",
    "http://[::1]:8080",
  ])("allows %s", (origin) => expect(isCodeOrigin(origin)).toBe(true));

  it.each([
    ["plain http", "http://lpse.example.go.id"],
    ["http on a private address", "http://192.168.1.10"],
    ["http on another loopback address", "http://127.0.0.2:8080"],
    ["a subdomain of localhost", "http://evil.localhost"],
    ["localhost with a trailing dot", "http://localhost.:8080"],
    ["a path", "https://lpse.example.go.id/eproc4"],
    ["a trailing slash", "https://lpse.example.go.id/"],
    ["userinfo", "https://user@lpse.example.go.id"],
    ["upper case (not canonical)", "https://LPSE.example.go.id"],
    ["a shortened IPv4", "http://127.1"],
    ["the default port written out", "https://lpse.example.go.id:443"],
    ["ftp", "ftp://lpse.example.go.id"],
    ["a file", "file:///etc/passwd"],
    ["an extension page", "chrome-extension://fkamgadhljpfghnogkmljbkocmcioimp"],
    ["an opaque origin", "null"],
    ["empty", ""],
    ["data", "data:text/html,hi"],
  ])("refuses %s", (_, origin) => expect(isCodeOrigin(origin)).toBe(false));
});

describe("originOf", () => {
  it("serializes http(s) URLs", () => {
    expect(originOf("https://LPSE.Example.go.id/eproc4/login?x=1#y")).toBe("https://lpse.example.go.id");
    expect(originOf("http://127.0.0.1:8080/login/kode")).toBe("http://127.0.0.1:8080");
    expect(originOf("https://a.example:443/")).toBe("https://a.example");
  });
  it("has none for other schemes and garbage", () => {
    expect(originOf("chrome://extensions")).toBeNull();
    expect(originOf("about:blank")).toBeNull();
    expect(originOf("not a url")).toBeNull();
    expect(originOf(undefined)).toBeNull();
  });
});

describe("sameOrigin", () => {
  it("is exact", () => {
    expect(sameOrigin("https://lpse.example.go.id", "https://lpse.example.go.id")).toBe(true);
    expect(sameOrigin("https://lpse.example.go.id", "https://lpse.example.go.id.evil.example")).toBe(false);
    expect(sameOrigin("https://lpse.example.go.id", "https://1pse.example.go.id")).toBe(false);
    expect(sameOrigin("http://127.0.0.1:8080", "http://localhost:8080")).toBe(false);
    expect(sameOrigin("http://127.0.0.1:8080", "http://127.0.0.1:8081")).toBe(false);
  });
});
