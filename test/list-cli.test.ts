import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'hashsieve.js');
const dir = mkdtempSync(join(tmpdir(), 'hashsieve-list-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (bits: number, label: string | number): string => {
  let out = '';
  for (let i = 0; out.length < bits / 4; i++) out += createHash('sha256').update(`${label}/${i}`).digest('hex');
  return out.slice(0, bits / 4);
};
const PDQ = (i: number) => hex(256, `pdq${i}`);
const MD5 = (i: number) => hex(128, `md5${i}`);

let dbn = 0;
function freshDb(): string {
  return join(dir, `db${++dbn}`, 'lists.db');
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, HASHSIEVE_DB: '', XDG_DATA_HOME: join(dir, 'xdg-unused'), ...env },
    encoding: 'utf8',
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const listText = `# sample\npdq ${PDQ(1)}\npdq ${PDQ(2)}\nmd5 ${MD5(1)}\npdq ${PDQ(1)}\n`;

describe('hashsieve list (built binary)', () => {
  it('imports, then ls and info show provenance and counts but never hashes', () => {
    const db = freshDb();
    const p = file('a.txt', listText);
    const imp = run(['list', 'import', p, '--name', 'hotline', '--source', 'Org', '--version', '2026-11', '--description', 'test list', '--db', db]);
    expect(imp.code).toBe(0);
    expect(imp.stderr).toMatch(/Imported 3 new entries into list "hotline"/);
    expect(imp.stderr).toMatch(/pdq: 2/);
    expect(imp.stderr).toMatch(/duplicates \(kept once\): 1/);
    const ls = run(['list', 'ls', '--db', db]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^NAME\s+SOURCE\s+VERSION\s+IMPORTED\s+SIGNATURE\s+ENTRIES/);
    expect(ls.stdout).toMatch(/hotline\s+Org\s+2026-11\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+unsigned\s+md5=1 pdq=2/);
    const info = run(['list', 'info', 'hotline', '--db', db]);
    expect(info.stdout).toMatch(/description:\s+test list/);
    expect(info.stdout).toMatch(/entries pdq:\s+2/);
    const json = JSON.parse(run(['list', 'info', 'hotline', '--json', '--db', db]).stdout);
    expect(json).toMatchObject({ name: 'hotline', sourceOrg: 'Org', version: '2026-11', counts: { pdq: 2, md5: 1 } });
    expect(json.sourceSha256).toBe(createHash('sha256').update(listText).digest('hex'));
    const lsJson = JSON.parse(run(['list', 'ls', '--json', '--db', db]).stdout);
    expect(lsJson.map((l: { name: string }) => l.name)).toEqual(['hotline']);
    for (const out of [imp.stdout, imp.stderr, ls.stdout, info.stdout, JSON.stringify(lsJson)]) {
      for (const h of [PDQ(1), PDQ(2), MD5(1)]) expect(out).not.toContain(h);
    }
  });

  it('uses HASHSIEVE_DB, else XDG_DATA_HOME, creating the folder 0700 and the file 0600', () => {
    const xdg = join(dir, 'xdg');
    const p = file('x.txt', listText);
    expect(run(['list', 'import', p, '--name', 'x'], { XDG_DATA_HOME: xdg }).code).toBe(0);
    const dbPath = join(xdg, 'hashsieve', 'lists.db');
    expect(statSync(join(xdg, 'hashsieve')).mode & 0o777).toBe(0o700);
    expect(statSync(dbPath).mode & 0o777).toBe(0o600);
    const envDb = join(dir, 'envdb', 'lists.db');
    expect(run(['list', 'import', p, '--name', 'y'], { HASHSIEVE_DB: envDb }).code).toBe(0);
    expect(run(['list', 'ls', '--json'], { HASHSIEVE_DB: envDb }).stdout).toContain('"y"');
  });

  it('explains a missing database instead of creating one for read commands', () => {
    const db = freshDb();
    const r = run(['list', 'ls', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No list database at .*hashsieve list import/);
    expect(existsSync(db)).toBe(false);
  });

  it('rejects a bad line with file:line and writes nothing; --skip-invalid counts it', () => {
    const db = freshDb();
    const bad = file('bad.txt', `pdq ${PDQ(1)}\npdq ${PDQ(2).slice(0, 60)}\n`);
    const r = run(['list', 'import', bad, '--name', 'b', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: Expected 64 hex characters for a pdq hash but received 60`);
    expect(r.stderr).not.toContain(PDQ(2).slice(0, 60));
    expect(JSON.parse(run(['list', 'ls', '--json', '--db', db]).stdout)).toEqual([]);
    const s = run(['list', 'import', bad, '--name', 'b', '--skip-invalid', '--json', '--db', db]);
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(/skipped: 1\n\s+1 × Expected 64 hex characters/);
    expect(JSON.parse(s.stdout)).toMatchObject({ imported: { pdq: 1 }, skipped: { 'Expected 64 hex characters for a pdq hash but received 60': 1 } });
  });

  it('needs --replace or --append for an existing name, never both', () => {
    const db = freshDb();
    const p = file('r.txt', listText);
    expect(run(['list', 'import', p, '--name', 'n', '--db', db]).code).toBe(0);
    const again = run(['list', 'import', p, '--name', 'n', '--db', db]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; use --replace or --append/);
    expect(run(['list', 'import', p, '--name', 'n', '--replace', '--append', '--db', db]).stderr).toMatch(/not both/);
    const q = file('r2.txt', `md5 ${MD5(2)}\n`);
    expect(run(['list', 'import', q, '--name', 'n', '--append', '--db', db]).stderr).toMatch(/list now holds: md5=2 pdq=2/);
    expect(run(['list', 'import', q, '--name', 'n', '--replace', '--db', db]).stderr).toMatch(/list now holds: md5=1\n/);
  });

  it('says how many PhotoDNA values a VICS file had and that they were not imported', () => {
    const db = freshDb();
    const vics = JSON.stringify({
      '@odata.context': 'http://example.invalid/$metadata#Media',
      value: [
        { MediaID: 1, Category: 1, MD5: MD5(1), PhotoDNA: 'AAAA' },
        { MediaID: 2, Category: 2, PhotoDNA: 'BBBB' },
      ],
    });
    const r = run(['list', 'import', file('v.json', vics), '--name', 'v', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/PhotoDNA values NOT imported: 2/);
    const cut = run(['list', 'import', file('cut.json', vics.slice(0, 90)), '--name', 'c', '--db', db]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/cut\.json: record \d+: JSON ends in the middle of a record at byte \d+/);
  });

  it('exports (the only command printing hashes) and re-imports to the same digest', () => {
    const db = freshDb();
    run(['list', 'import', file('e.txt', listText), '--name', 'orig', '--source', 'Org', '--db', db]);
    const out = run(['list', 'export', 'orig', '--db', db]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(PDQ(1));
    const outFile = join(dir, 'export.txt');
    const toFile = run(['list', 'export', 'orig', '--out', outFile, '--db', db]);
    expect(toFile.code).toBe(0);
    expect(statSync(outFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(outFile, 'utf8')).toBe(out.stdout);
    expect(run(['list', 'export', 'orig', '--out', outFile, '--db', db]).code).toBe(2);
    expect(run(['list', 'import', outFile, '--name', 'copy', '--db', db]).code).toBe(0);
    const info = (n: string) => JSON.parse(run(['list', 'info', n, '--json', '--db', db]).stdout);
    expect(info('copy').entriesDigest).toBe(info('orig').entriesDigest);
    expect(info('copy').sourceOrg).toBe('Org');
  });

  it('verify passes on a clean store and fails (exit 1) after tampering', () => {
    const db = freshDb();
    run(['list', 'import', file('t.txt', listText), '--name', 't', '--db', db]);
    const ok = run(['list', 'verify', '--db', db]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('database: ok\nt: ok\n');
    const raw = new Database(db);
    raw.exec("UPDATE entries SET category = 'changed'");
    raw.close();
    const bad = run(['list', 'verify', 't', '--db', db]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/t: FAILED\n\s+entries digest differs/);
  });

  it('remove deletes a list; removing a missing one is an error', () => {
    const db = freshDb();
    run(['list', 'import', file('rm.txt', listText), '--name', 'gone', '--db', db]);
    expect(run(['list', 'remove', 'gone', '--db', db]).code).toBe(0);
    expect(run(['list', 'ls', '--db', db]).stdout).toBe('No lists imported yet.\n');
    expect(run(['list', 'remove', 'gone', '--db', db]).code).toBe(2);
  });

  it('checks --sha256 and Ed25519 signatures', () => {
    const db = freshDb();
    const content = Buffer.from(listText);
    const p = file('s.txt', content);
    const wrongSha = run(['list', 'import', p, '--name', 's', '--sha256', '0'.repeat(64), '--db', db]);
    expect(wrongSha.code).toBe(2);
    expect(wrongSha.stderr).toMatch(/not the expected 0{64}; nothing imported/);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = file('pub.pem', publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const badSig = file('bad.sig', sign(null, Buffer.from('other'), privateKey));
    const goodSig = file('good.sig', sign(null, content, privateKey));
    const bad = run(['list', 'import', p, '--name', 's', '--signature', badSig, '--public-key', key, '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/does not verify/);
    expect(run(['list', 'import', p, '--name', 's', '--signature', badSig, '--db', db]).stderr).toMatch(/go together/);
    const sha = createHash('sha256').update(content).digest('hex');
    const good = run(['list', 'import', p, '--name', 's', '--sha256', sha, '--signature', goodSig, '--public-key', key, '--db', db]);
    expect(good.code).toBe(0);
    const info = run(['list', 'info', 's', '--db', db]).stdout;
    expect(info).toMatch(/signature:\s+verified \(key sha256 [0-9a-f]{64}\)/);
  });

  it('reads CSV with --columns and rejects a malformed mapping', () => {
    const db = freshDb();
    const csv = file('c.csv', `id,md5 hash\n"'); DROP TABLE entries;--",${MD5(1)}\n`);
    const ok = run(['list', 'import', csv, '--name', 'c', '--columns', 'hash=md5 hash,id=id', '--signal', 'md5', '--db', db]);
    expect(ok.code).toBe(0);
    expect(run(['list', 'import', csv, '--name', 'd', '--columns', 'nope=x', '--db', db]).stderr).toMatch(/Expected FIELD=COLUMN pairs like hash=COL,id=COL,category=COL,signal=COL,tags=COL for --columns but received "nope=x"/);
    expect(run(['list', 'ls', '--db', db]).stdout).toMatch(/c\s.*md5=1/);
  });
});
