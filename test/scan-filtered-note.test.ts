/** Files an --include/--exclude glob leaves out are counted on stderr, so `*.png` silently missing `A.PNG` is visible. */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, makeList, runCli } from './scan-helpers.js';

test('scan names how many entries the globs left out, even when some files were scanned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-filtered-'));
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  const png = join(ROOT, 'fixtures', 'images', 'a.png');
  copyFileSync(png, join(tree, 'a.png'));
  copyFileSync(png, join(tree, 'B.PNG'));
  copyFileSync(png, join(tree, 'noext'));
  const db = join(dir, 'lists.db');
  await makeList(db, 'L', [{ signal: 'md5', hash: 'd41d8cd98f00b204e9800998ecf8427e', id: 'x', category: 'c' }]);
  const r = runCli(['scan', '--db', db, '--include', '*.png', tree]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/2 entries left out by --include\/--exclude \(not scanned\)/);
  const all = runCli(['scan', '--db', db, tree]);
  expect(all.stderr).not.toMatch(/left out by/);
});
