import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The layering rule: library code under src/ never imports src/cli/ and never names a command-line flag. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const FLAG = /(^|[^\w-])--[a-z][a-z0-9-]*/;
/** V8's own flags are not hashsieve's command line. */
const V8_FLAGS = new Set(['--expose-gc']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const library = sources(SRC).filter((f) => !relative(SRC, f).startsWith(`cli${sep}`));

/** Every string literal, template part and import specifier of a file, with its line. */
function literals(file: string): { text: string; line: number; importPath: boolean }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { text: string; line: number; importPath: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const parent = node.parent;
      const importPath =
        (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) ||
        (ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword);
      out.push({ text: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, importPath });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('layering: src/cli/ is the only home of the command line', () => {
  it('finds the library files', () => {
    expect(library.length).toBeGreaterThan(50);
  });

  it('no file under src/ outside src/cli/ imports src/cli/', () => {
    const offenders = library.flatMap((f) =>
      literals(f)
        .filter((l) => l.importPath && /(^|\/)cli\//.test(l.text))
        .map((l) => `${relative(ROOT, f)}:${l.line} imports ${l.text}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no string literal under src/ outside src/cli/ names a flag', () => {
    const offenders = library.flatMap((f) =>
      literals(f)
        .filter((l) => !l.importPath && !V8_FLAGS.has(l.text) && FLAG.test(l.text))
        .map((l) => `${relative(ROOT, f)}:${l.line} ${JSON.stringify(l.text)}`),
    );
    expect(offenders).toEqual([]);
  });
});
