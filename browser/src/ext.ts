// One name for the extension APIs in both browsers: Firefox's promise-based `browser`, or
// Chromium's `chrome` (whose MV3 APIs return promises too). Only APIs both have are used.

const scope = globalThis as { browser?: typeof chrome; chrome?: typeof chrome };

export const ext: typeof chrome = (scope.browser ?? scope.chrome) as typeof chrome;
