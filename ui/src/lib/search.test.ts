import { describe, expect, it } from "vitest";
import { filterAccounts, fold } from "./search";

const accounts = [
  { issuer: "LPSE Kota Bandung", name: "budi.santoso" },
  { issuer: "GitHub", name: "budi@example.id" },
  { issuer: "", name: "Sékolah" },
];

describe("search", () => {
  it("matches issuer or name, ignoring case", () => {
    expect(filterAccounts(accounts, "lpse").map((a) => a.issuer)).toEqual(["LPSE Kota Bandung"]);
    expect(filterAccounts(accounts, "BUDI")).toHaveLength(2);
  });

  it("needs every word, in any field", () => {
    expect(filterAccounts(accounts, "bandung budi")).toHaveLength(1);
    expect(filterAccounts(accounts, "github santoso")).toHaveLength(0);
  });

  it("ignores accents and extra spaces", () => {
    expect(fold("  Sékolah   Dasar ")).toBe("sekolah dasar");
    expect(filterAccounts(accounts, "sekolah")).toHaveLength(1);
  });

  it("returns everything, in order, for an empty query", () => {
    expect(filterAccounts(accounts, "   ")).toEqual(accounts);
  });
});
