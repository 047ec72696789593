// Searching the account list: by issuer or account name, ignoring case and accents.

export interface Searchable {
  issuer: string;
  name: string;
}

/** Lower case, accents removed, spaces collapsed. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** Accounts matching every word of `query` (in issuer or name), in their order. */
export function filterAccounts<T extends Searchable>(accounts: readonly T[], query: string): T[] {
  const words = fold(query).split(" ").filter((w) => w.length > 0);
  if (words.length === 0) return [...accounts];
  return accounts.filter((account) => {
    const haystack = fold(`${account.issuer} ${account.name}`);
    return words.every((word) => haystack.includes(word));
  });
}
