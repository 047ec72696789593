/// <reference types="node" />
// The compiler keeps the UI in step with Rust: when Rust gains an error or warning code, or a
// message key is misspelt, `npm run check` fails. These tests compile the real sources with the
// TypeScript compiler, once as they are (no error) and once with a code Rust has just added to
// the generated bindings (errors), so the guard itself is checked.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const lib = dirname(fileURLToPath(import.meta.url));

/** Diagnostics of `roots`, with `replace` swapping file contents (absolute path → text). */
function diagnostics(roots: string[], replace: Record<string, string> = {}): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2021,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    verbatimModuleSyntax: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => replace[resolve(file)] ?? read(file);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, create) => {
    const text = replace[resolve(file)];
    return text === undefined
      ? getSourceFile(file, language, onError, create)
      : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram(roots, options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

const bindingsPath = join(lib, "bindings.ts");
const bindings = readFileSync(bindingsPath, "utf8");
const roots = [join(lib, "errors.ts"), join(lib, "warnings.ts"), join(lib, "requests.ts")];

/** The bindings as they would be generated if Rust added `code` to the type `name`. */
function withNewCode(name: string, code: string): string {
  const declaration = new RegExp(`export type ${name} = ([^;]+);`);
  expect(bindings).toMatch(declaration);
  return bindings.replace(declaration, `export type ${name} = $1 | "${code}";`);
}

describe("the type check", () => {
  it("passes on the sources as they are", () => {
    expect(diagnostics(roots)).toEqual([]);
  });

  it("fails when Rust adds an error code the UI does not know", () => {
    const found = diagnostics(roots, { [resolve(bindingsPath)]: withNewCode("Code", "quantum_flux") });
    expect(found.some((d) => d.includes("errors.ts") && d.includes("quantum_flux"))).toBe(true);
  });

  it("fails when Rust adds a warning code the UI does not know", () => {
    const found = diagnostics(roots, {
      [resolve(bindingsPath)]: withNewCode("WarningCode", "quantum_flux"),
    });
    expect(found.some((d) => d.includes("warnings.ts") && d.includes("quantum_flux"))).toBe(true);
  });

  it("fails on a misspelt message key", () => {
    const probe = join(lib, "probe.ts");
    const found = diagnostics([probe], {
      [resolve(probe)]: `import type { MessageKey } from "./i18n/id";\nexport const key: MessageKey = "add.sucess";\n`,
    });
    expect(found.some((d) => d.includes("add.sucess"))).toBe(true);
  });
});
