/**
 * The published package holds the library and CLI only: no test support, no fixtures, and no
 * module that imports a dev dependency. Reads `npm pack --dry-run` of the built tree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The packed path's source, for dist/src/x.js; null for files that are not build output. */
function sourceOf(path: string): string | null {
  const m = /^dist\/(src\/.*)\.(js|d\.ts|js\.map)$/.exec(path);
  return m ? join(ROOT, `${m[1]}.ts`) : null;
}

/** Bare module specifiers a built module imports (static, re-export and dynamic). */
function importedPackages(js: string): string[] {
  const specs = [...js.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specs
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

let files: string[] = [];

beforeAll(() => {
  const out = execFileSync(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  // Build output whose source is gone is a stale file of an earlier build, not what `npm pack` ships
  // after its build step (npm run build empties dist/ first).
  files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files
    .map((f) => f.path)
    .filter((p) => sourceOf(p) === null || existsSync(sourceOf(p)!));
}, 60_000);

describe('npm pack', () => {
  it('ships the built library and the CLI entry', () => {
    expect(files).toContain('bin/hashsieve.js');
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/cli/main.js');
  });

  it('lists no test support, tests or fixtures', () => {
    const offenders = files.filter(
      (p) => /(^|\/)test\//.test(p) || /\.test\./.test(p) || p.startsWith('fixtures/') || p.startsWith('dist/fixtures/') || /checklist|conformance-support|testutil|test-hooks|faulty/.test(p),
    );
    expect(offenders).toEqual([]);
  });

  it('holds no module that imports a dev dependency', () => {
    const dev = new Set(Object.keys(pkg.devDependencies));
    const offenders = files
      .filter((p) => p.endsWith('.js'))
      .flatMap((p) => importedPackages(readFileSync(join(ROOT, p), 'utf8')).filter((name) => dev.has(name)).map((name) => `${p} imports ${name}`));
    expect(offenders).toEqual([]);
  });
});
