/**
 * The package as a consumer installs it (issue 16 item 9): its published types compile with
 * `skipLibCheck: false` against the runtime dependencies only (no dev-only @types), and the
 * README's ten-line "hash and match" example runs. Needs the build (npx tsc -p tsconfig.json).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hashsieve-consumer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's example: hash a file, import a list, match (kept in step with docs/library.md). */
export const EXAMPLE = `import { hashFile, importList, Matcher, openStore } from 'hashsieve';

const store = openStore('lists.db');
await importList(store, 'known.txt', { name: 'known' });
const matcher = Matcher.build(store, { signals: ['pdq', 'sha256'] });
const result = await hashFile('photo.png', { signals: ['pdq', 'sha256'] });
const { status, matches } = matcher.match(result);
console.log(status, matches.map((m) => \`\${m.list}:\${m.entry} \${m.signal} d=\${m.distance}\`));
store.close();
`;

beforeAll(() => {
  // node_modules/hashsieve as npm installs it: package.json and dist, no dev dependencies beside it.
  const pkgDir = join(dir, 'node_modules', 'hashsieve');
  mkdirSync(pkgDir, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(pkgDir, 'dist'), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) {
    mkdirSync(join(dir, 'node_modules', dep, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
});

describe('hashsieve as a library consumer sees it', () => {
  it('its types compile with skipLibCheck false and strict, with only runtime dependencies installed', () => {
    writeFileSync(join(dir, 'example.ts'), EXAMPLE);
    writeFileSync(
      join(dir, 'pool.ts'),
      "import { createPool, DEFAULT_HASH_OPTIONS, type Hasher } from 'hashsieve';\nconst pool: Hasher = await createPool({ workers: 1, fileTimeoutMs: 0 });\nconsole.log(await pool.hash({ path: 'x', signals: ['pdq'], options: DEFAULT_HASH_OPTIONS, limits: {} }));\n",
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] },
        files: ['example.ts', 'pool.ts'],
      }),
    );
    let out = '';
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(out).toBe('');
  }, 60_000);

  it('the ten-line example hashes a file and matches it against an imported list', () => {
    const photo = join(ROOT, 'fixtures', 'images', 'a.png');
    cpSync(photo, join(dir, 'photo.png'));
    const sha = execFileSync('sha256sum', [photo], { encoding: 'utf8' }).split(' ')[0];
    writeFileSync(join(dir, 'known.txt'), `sha256 ${sha}\n`);
    writeFileSync(join(dir, 'example.mjs'), EXAMPLE);
    const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe("match [ 'known:null sha256 d=0' ]");
  });

  it('createPool hashes on worker threads through the package entry (the scan\'s Hasher seam)', () => {
    const script = `import { createPool, DEFAULT_HASH_OPTIONS } from 'hashsieve';
const pool = await createPool({ workers: 1, fileTimeoutMs: 10000 });
const r = await pool.hash({ path: 'photo.png', signals: ['pdq', 'md5'], options: DEFAULT_HASH_OPTIONS, limits: {} });
await pool.close();
console.log(Object.keys(r.hashes).join(','), r.error ?? 'ok');
`;
    writeFileSync(join(dir, 'pool.mjs'), script);
    writeFileSync(join(dir, 'pool.ts'), script);
    expect(execFileSync(process.execPath, ['pool.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('pdq,md5 ok');
  });
});
