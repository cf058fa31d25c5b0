import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { exportList } from './export.js';
import { importList, type ImportOptions } from './import.js';
import { openStore, type Store } from './store.js';
import { dumpStore, fakeHex, fileDigestAfterCheckpoint, tempDir, writeFile } from '../../test/support/store.js';
import { verifyStore } from './verify.js';
import { PassThrough } from 'node:stream';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
let store: Store;
beforeEach(() => {
  store?.close();
  store = openStore(join(dir, `db${++n}`, 'lists.db'));
});

const PDQ = (i: number | string) => fakeHex(256, `pdq${i}`);
const MD5 = (i: number | string) => fakeHex(128, `md5${i}`);
const SHA1 = (i: number | string) => fakeHex(160, `sha1${i}`);
const SHA256 = (i: number | string) => fakeHex(256, `sha256${i}`);

function file(name: string, content: string | Buffer): string {
  return writeFile(dir, `${n}-${name}`, content);
}

async function rejects(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}

function imp(path: string, opts: Partial<ImportOptions> = {}) {
  return importList(store, path, { name: 'L', ...opts });
}

async function exportText(name: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportList(store, name, out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('text format', () => {
  it('imports "signal hash" lines with comments, blank lines, CRLF, a BOM and upper-case hex', async () => {
    const p = file('a.txt', `\ufeff# comment\r\npdq ${PDQ(1)}\r\n\r\n  md5   ${MD5(1).toUpperCase()}  \nsha1 ${SHA1(1)}`);
    const s = await imp(p, { sourceOrg: 'Org', version: 'v1' });
    expect(s.imported).toEqual({ md5: 1, pdq: 1, sha1: 1 });
    expect(s.duplicates).toBe(0);
    expect(s.format).toBe('text');
    const info = store.requireList('L');
    expect(info).toMatchObject({ sourceOrg: 'Org', version: 'v1', counts: { md5: 1, pdq: 1, sha1: 1 }, sourceFile: `${n}-a.txt` });
    const packed = store.loadPacked('md5');
    expect(Buffer.from(packed.bytes).toString('hex')).toBe(MD5(1));
  });

  it('takes bare hashes with --signal and keeps duplicates once, counting them', async () => {
    const p = file('bare.txt', `${PDQ(1)}\n${PDQ(2)}\n${PDQ(1)}\n${PDQ(1).toUpperCase()}\n`);
    const s = await imp(p, { signal: 'pdq' });
    expect(s.imported).toEqual({ pdq: 2 });
    expect(s.duplicates).toBe(2);
  });

  it('needs --signal for a bare hash', async () => {
    const msg = await rejects(imp(file('bare2.txt', `${PDQ(1)}\n`)));
    expect(msg).toMatch(/:1: bare hash without a signal/);
  });

  it.each([
    ['wrong hash length', `pdq ${PDQ(1)}00`, /Expected 64 hex characters for a pdq hash but received 66/],
    ['odd hex', `pdq ${PDQ(1).slice(1)}`, /received 63/],
    ['non-hex digits', `md5 ${MD5(1).slice(0, 31)}g`, /only hex digits/],
    ['an unknown signal', `photodna ${MD5(1)}`, /unknown signal type "photodna"/],
    ['three fields', `pdq ${PDQ(1)} extra`, /found 3 fields/],
    ['a hash where the signal goes', `${MD5(1)} ${MD5(2)}`, /:3: unknown signal type; nothing/],
  ])('rejects the whole file on %s, naming file:line but never the line', async (_what, bad, reason) => {
    const p = file('bad.txt', `pdq ${PDQ(1)}\n# ok\n${bad}\npdq ${PDQ(2)}\n`);
    const before = dumpStore(store);
    const msg = await rejects(imp(p));
    expect(msg.startsWith(`${p}:3: `)).toBe(true);
    expect(msg).toMatch(reason);
    for (const token of bad.split(' ').filter((t) => t.length > 8)) expect(msg).not.toContain(token);
    expect(msg).toContain('nothing imported');
    expect(dumpStore(store)).toBe(before);
  });

  it('rejects non-UTF-8 bytes and a 10 MB line with their line numbers', async () => {
    const bytes = Buffer.concat([Buffer.from(`pdq ${PDQ(1)}\n`), Buffer.from([0x70, 0x64, 0x71, 0x20, 0xc3, 0x28, 0x0a])]);
    expect(await rejects(imp(file('latin.txt', bytes)))).toMatch(/:2: not valid UTF-8/);
    const big = `pdq ${PDQ(1)}\n${'a'.repeat(10 * 1024 * 1024)}\npdq ${PDQ(2)}\n`;
    expect(await rejects(imp(file('big.txt', big)))).toMatch(/:2: line longer than/);
  });

  it('with --skip-invalid imports the good lines and counts the rest by reason', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`pdq ${PDQ(1)}\npdq abc\npdq ${PDQ(2)}\npdq xyz\nmd5 ${MD5(1)}\nfoo ${MD5(2)}\n`),
      Buffer.from([0xff, 0x0a]),
      Buffer.from(`${'b'.repeat(2 * 1024 * 1024)}\n`),
    ]);
    const s = await imp(file('mixed.txt', bytes), { skipInvalid: true });
    expect(s.imported).toEqual({ md5: 1, pdq: 2 });
    expect(s.skipped).toEqual({
      'Expected 64 hex characters for a pdq hash but received 3': 2,
      'unknown signal type "foo"': 1,
      'not valid UTF-8': 1,
      'line longer than 1048576 bytes': 1,
    });
  });

  it('refuses an empty file, or one with only comments, and writes nothing', async () => {
    const before = dumpStore(store);
    expect(await rejects(imp(file('empty.txt', '')))).toMatch(/no hash entries found/);
    expect(await rejects(imp(file('comments.txt', '# nothing\n\n')))).toMatch(/no hash entries found/);
    expect(dumpStore(store)).toBe(before);
  });
});

describe('batched staging', () => {
  it('stores every entry across batch boundaries and signal changes, duplicates once', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 9000; i++) {
      lines.push(`pdq ${PDQ(i % 8500)}`);
      if (i % 1000 === 0) lines.push(`md5 ${MD5(i)}`, `sha1 ${SHA1(i)}`);
    }
    const s = await imp(file('many.txt', lines.join('\n')));
    expect(s.imported).toEqual({ md5: 9, pdq: 8500, sha1: 9 });
    expect(s.duplicates).toBe(500);
    const packed = store.loadPacked('pdq');
    const got = new Set<string>();
    for (let i = 0; i < packed.count; i++) got.add(Buffer.from(packed.bytes.subarray(i * 32, (i + 1) * 32)).toString('hex'));
    expect(got).toEqual(new Set(Array.from({ length: 8500 }, (_, i) => PDQ(i))));
    const reversed = await imp(file('many-rev.txt', [...lines].reverse().join('\n')), { name: 'rev' });
    expect(reversed.entriesDigest).toBe(s.entriesDigest);
  });
});

describe('CSV format', () => {
  it('reads python-threatexchange exports, tags and collab included', async () => {
    const csv = [
      'signal_type,signal_str,collab,category,tags',
      `pdq,${PDQ(1)},Hotline A,1,"tag1 tag2"`,
      `md5,${MD5(1)},,,`,
      '',
    ].join('\n');
    const s = await imp(file('te.csv', csv));
    expect(s.format).toBe('csv');
    expect(s.imported).toEqual({ md5: 1, pdq: 1 });
    const packed = store.loadPacked('pdq');
    const entry = store.entries([packed.ids[0]]).get(packed.ids[0]);
    expect(entry).toMatchObject({ list: 'L', signal: 'pdq', category: '1', externalId: null });
    expect(entry?.tags).toEqual(['collab:Hotline A', 'tag1', 'tag2']);
  });

  it('maps any CSV with --columns and stores SQL-looking ids verbatim', async () => {
    const evil = "'); DROP TABLE entries;--";
    const csv = [`File ID,Hash,Cat`, `"${evil}",${SHA256(1)},"a, ""quoted"" cat"`, `2,${SHA256(2)},`].join('\r\n');
    const s = await imp(file('any.csv', csv), { columns: { hash: 'hash', id: 'file id', category: 'Cat' }, signal: 'sha256' });
    expect(s.imported).toEqual({ sha256: 2 });
    const packed = store.loadPacked('sha256');
    const infos = [...store.entries([...packed.ids]).values()];
    expect(infos.map((e) => e.externalId).sort()).toEqual([evil, '2']);
    expect(infos.find((e) => e.externalId === evil)?.category).toBe('a, "quoted" cat');
    expect(store.db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(2);
  });

  it('explains a CSV without the needed columns, and a quote never closed', async () => {
    expect(await rejects(imp(file('nocols.csv', `a,b\n1,2\n`)))).toMatch(/`columns`/);
    expect(await rejects(imp(file('nocol.csv', `a,b\n1,2\n`), { columns: { hash: 'h' }, signal: 'md5' }))).toMatch(
      /no column "h"/,
    );
    const csv = `signal_type,signal_str\nmd5,${MD5(1)}\nmd5,"${MD5(2)}\nmd5,${MD5(3)}\n`;
    expect(await rejects(imp(file('open.csv', csv)))).toMatch(/:3: quoted field never closed/);
  });
});

const vics = (header: string, records: unknown[]) => JSON.stringify({ [header]: 'http://example.invalid/$metadata#Media', value: records }, null, 1);

describe('VICS JSON', () => {
  it.each(['odata.metadata', '@odata.context'])('imports %s files: MD5, SHA1, alternative hashes; counts PhotoDNA', async (header) => {
    const records = [
      { MediaID: 1, Category: 1, MD5: MD5(1).toUpperCase(), SHA1: SHA1(1).toUpperCase(), PhotoDNA: 'AAAA' },
      { MediaID: 2, Category: 2, MD5: MD5(2), AlternativeHashes: [{ HashName: 'PDQ', HashValue: PDQ(2) }, { HashName: 'Tiger', HashValue: 'x' }] },
      { MediaID: 3, Category: 0, PhotoDNA: 'BBBB' },
    ];
    const s = await imp(file('v.json', vics(header, records)));
    expect(s.format).toBe('vics');
    expect(s.imported).toEqual({ md5: 2, pdq: 1, sha1: 1 });
    expect(s.photoDna).toBe(2);
    expect(s.notes).toEqual({ 'VICS alternative hashes not imported: Tiger': 1 });
    const md5s = store.loadPacked('md5');
    const infos = [...store.entries([...md5s.ids]).values()].map((e) => [e.externalId, e.category]).sort();
    expect(infos).toEqual([
      ['1', '1'],
      ['2', '2'],
    ]);
  });

  it('fails cleanly on a file truncated mid-record, with its position, writing nothing', async () => {
    const full = vics('@odata.context', [
      { MediaID: 1, Category: 1, MD5: MD5(1) },
      { MediaID: 2, Category: 1, MD5: MD5(2) },
    ]);
    const cut = full.slice(0, full.lastIndexOf('MD5') + 8);
    const before = dumpStore(store);
    const msg = await rejects(imp(file('cut.json', cut)));
    expect(msg).toMatch(/record 2: JSON ends in the middle of a record at byte \d+ \(truncated file\?\)/);
    expect(msg).not.toContain(MD5(2).slice(0, 8));
    expect(dumpStore(store)).toBe(before);
  });

  it('rejects JSON that is not VICS, malformed JSON and non-UTF-8 bytes', async () => {
    expect(await rejects(imp(file('novics.json', JSON.stringify({ value: [{ MD5: MD5(1) }] }))))).toMatch(/not a VICS file/);
    expect(await rejects(imp(file('bad.json', '{"@odata.context": "x", "value": [ {"MD5": } ]}')))).toMatch(/malformed JSON at byte/);
    const bytes = Buffer.concat([Buffer.from('{"@odata.context": "x", "value": [{"MediaID": "'), Buffer.from([0xff]), Buffer.from('"}]}')]);
    expect(await rejects(imp(file('latin.json', bytes)))).toMatch(/not valid UTF-8/);
  });

  it('rejects a wrong-length MD5 by record number, or skips it with --skip-invalid', async () => {
    const text = vics('odata.metadata', [{ MediaID: 7, MD5: MD5(1) }, { MediaID: 8, MD5: 'abc' }]);
    expect(await rejects(imp(file('short.json', text)))).toMatch(/: record 2: Expected 32 hex characters/);
    const s = await imp(file('short2.json', text), { skipInvalid: true });
    expect(s.imported).toEqual({ md5: 1 });
  });
});

describe('hashdeep', () => {
  it('imports every known hash column with the filename as id and ## comments ignored', async () => {
    const text = [
      '%%%% HASHDEEP-1.0',
      '%%%% size,md5,sha256,filename',
      '## Invoked from: /tmp',
      '## $ hashdeep -r .',
      '##',
      `10,${MD5(1)},${SHA256(1)},/data/a, with comma.jpg`,
      `20,${MD5(2)},${SHA256(2)},/data/b.jpg`,
    ].join('\n');
    const s = await imp(file('h.txt', text));
    expect(s.format).toBe('hashdeep');
    expect(s.imported).toEqual({ md5: 2, sha256: 2 });
    const ids = store.loadPacked('md5').ids;
    expect([...store.entries([...ids]).values()].map((e) => e.externalId).sort()).toEqual(['/data/a, with comma.jpg', '/data/b.jpg']);
  });

  it('notes hash columns it cannot import and rejects a bad size or a missing header', async () => {
    const text = `%%%% HASHDEEP-1.0\n%%%% size,md5,tiger,filename\n5,${MD5(1)},abc,f\n`;
    const s = await imp(file('h2.txt', text), { format: 'hashdeep' });
    expect(s.notes).toEqual({ 'hashdeep column not imported: tiger': 1 });
    expect(await rejects(imp(file('h3.txt', `%%%% HASHDEEP-1.0\n%%%% size,md5,filename\nx,${MD5(1)},f\n`), { name: 'M' }))).toMatch(
      /:3: hashdeep size/,
    );
    expect(await rejects(imp(file('h4.txt', `size,md5,filename\n`), { format: 'hashdeep', name: 'M' }))).toMatch(/:1: expected the hashdeep header/);
  });
});

describe('export format', () => {
  it('round-trips exactly: same entries, same digest, same export', async () => {
    // Control characters (tab, newline) in ids are refused at import (see sink.ts); the rest round-trips.
    const tricky = 'id with comma, \\ backslash, \\t not a tab and ünïcode';
    const csv = [
      'signal,hash,id,category,tags',
      `pdq,${PDQ(1)},"${tricky}",cat A,"t1,t\\,2"`,
      `md5,${MD5(1)},plain,,`,
      `sha1,${SHA1(1)},,2,x y`,
    ].join('\n');
    const s1 = await imp(file('src.csv', csv), {
      columns: { signal: 'signal', hash: 'hash', id: 'id', category: 'category', tags: 'tags' },
      sourceOrg: 'Org',
      version: '3',
      description: 'desc',
    });
    const exported = await exportText('L');
    expect(exported.split('\n')[0]).toMatch(/^#hashsieve-export 1 \{/);
    const p = file('exp.txt', exported);
    const s2 = await importList(store, p, { name: 'copy' });
    expect(s2.format).toBe('export');
    expect(s2.entriesDigest).toBe(s1.entriesDigest);
    expect(store.requireList('copy')).toMatchObject({ sourceOrg: 'Org', version: '3', description: 'desc' });
    const again = await exportText('copy');
    const body = (t: string) => t.split('\n').slice(1).join('\n');
    expect(body(again)).toBe(body(exported));
    const ids = store.loadPacked('pdq', ['copy']).ids;
    expect(store.entries([...ids]).get(ids[0])).toMatchObject({ externalId: tricky, category: 'cat A', tags: ['2', 't1', 't\\'] });
  });

  it('refuses an export whose entries were edited (digest in its header)', async () => {
    await imp(file('src.txt', `pdq ${PDQ(1)}\npdq ${PDQ(2)}\n`));
    const edited = (await exportText('L')).replace(PDQ(2), PDQ(3));
    expect(await rejects(importList(store, file('edited.txt', edited), { name: 'copy' }))).toMatch(/do not match the digest/);
  });
});

describe('replace, append and existing names', () => {
  it('needs --replace or --append for an existing name; replace swaps, append adds', async () => {
    await imp(file('a.txt', `pdq ${PDQ(1)}\npdq ${PDQ(2)}\n`));
    expect(await rejects(imp(file('b.txt', `pdq ${PDQ(3)}\n`)))).toMatch(/exists; use `replace` or `append`/);
    const app = await imp(file('c.txt', `pdq ${PDQ(2)}\npdq ${PDQ(3)}\n`), { mode: 'append' });
    expect(app.imported).toEqual({ pdq: 1 });
    expect(app.duplicates).toBe(1);
    expect(store.requireList('L').counts).toEqual({ pdq: 3 });
    const rep = await imp(file('d.txt', `md5 ${MD5(1)}\n`), { mode: 'replace' });
    expect(rep.counts).toEqual({ md5: 1 });
    expect(store.loadPacked('pdq').count).toBe(0);
    expect(store.lists().map((l) => l.name)).toEqual(['L']);
    expect(verifyStore(store).ok).toBe(true);
  });

  it('append to a missing list is an error', async () => {
    expect(await rejects(imp(file('x.txt', `pdq ${PDQ(1)}\n`), { mode: 'append' }))).toMatch(/No list named "L" to append to/);
  });
});

describe('atomicity', () => {
  it.each(['while reading', 'after storing, before commit'])(
    'a throw %s leaves the database exactly as it was',
    async (when) => {
      await imp(file('base.txt', `pdq ${PDQ(1)}\nmd5 ${MD5(1)}\n`));
      const logical = dumpStore(store);
      const bytes = fileDigestAfterCheckpoint(store);
      const lines = Array.from({ length: 50 }, (_, i) => `pdq ${PDQ(100 + i)}`).join('\n');
      const boom = () => {
        throw new Error('injected');
      };
      const opts: Partial<ImportOptions> =
        when === 'while reading'
          ? { afterInsert: (k) => (k === 25 ? boom() : undefined) }
          : { beforeCommit: boom };
      await expect(imp(file('more.txt', lines), { ...opts, mode: 'replace' })).rejects.toThrow('injected');
      await expect(imp(file('more.txt', lines), { ...opts, name: 'other' })).rejects.toThrow('injected');
      expect(dumpStore(store)).toBe(logical);
      expect(fileDigestAfterCheckpoint(store)).toBe(bytes);
      expect(verifyStore(store).ok).toBe(true);
    },
  );
});

describe('integrity: sha256 and signatures', () => {
  it('records the file sha256 and refuses a --sha256 mismatch', async () => {
    const content = `pdq ${PDQ(1)}\n`;
    const sha = createHash('sha256').update(content).digest('hex');
    const p = file('s.txt', content);
    const before = dumpStore(store);
    expect(await rejects(imp(p, { sha256: 'ab'.repeat(32) }))).toMatch(/not the expected/);
    expect(await rejects(imp(p, { sha256: 'nothex' }))).toMatch(/64 hex characters for `sha256`/);
    expect(dumpStore(store)).toBe(before);
    const s = await imp(p, { sha256: sha.toUpperCase() });
    expect(s.sha256).toBe(sha);
    expect(store.requireList('L').sourceSha256).toBe(sha);
  });

  it('verifies an Ed25519 detached signature and records the key fingerprint; refuses a wrong one', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const content = Buffer.from(`pdq ${PDQ(1)}\n`);
    const p = file('signed.txt', content);
    const key = file('key.pem', publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const good = file('good.sig', sign(null, content, privateKey));
    const goodB64 = file('good.b64', sign(null, content, privateKey).toString('base64') + '\n');
    const wrong = file('wrong.sig', sign(null, content, other.privateKey));
    const tampered = file('tampered.sig', sign(null, Buffer.from('something else'), privateKey));
    const before = dumpStore(store);
    for (const sig of [wrong, tampered]) {
      expect(await rejects(imp(p, { signature: { signatureFile: sig, publicKeyFile: key } }))).toMatch(/does not verify/);
    }
    expect(dumpStore(store)).toBe(before);
    const s = await imp(p, { signature: { signatureFile: good, publicKeyFile: key } });
    const fingerprint = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    expect(s).toMatchObject({ signatureStatus: 'verified', keyFingerprint: fingerprint });
    expect(store.requireList('L')).toMatchObject({ signatureStatus: 'verified', keyFingerprint: fingerprint });
    const s2 = await imp(p, { name: 'b64', signature: { signatureFile: goodB64, publicKeyFile: key } });
    expect(s2.signatureStatus).toBe('verified');
  });
});

describe('list verify', () => {
  it.each([
    ['a changed hash', "UPDATE entries SET hash = zeroblob(32) WHERE signal = 'pdq' AND list_id = 1", /digest/],
    ['a changed category', "UPDATE entries SET category = 'x' WHERE signal = 'md5'", /digest/],
    ['a deleted entry', "DELETE FROM entries WHERE signal = 'md5'", /md5: 0 entries stored but 1 recorded/],
    ['a truncated hash', "UPDATE entries SET hash = x'00' WHERE signal = 'pdq' AND list_id = 1", /pdq hashes of 1 bytes/],
  ])('detects %s made behind its back', async (_what, sql, problem) => {
    await imp(file('v.txt', `pdq ${PDQ(1)}\nmd5 ${MD5(1)}\n`));
    await imp(file('w.txt', `pdq ${PDQ(2)}\n`), { name: 'untouched' });
    expect(verifyStore(store).ok).toBe(true);
    const raw = new Database(store.path);
    raw.exec(sql);
    raw.close();
    const v = verifyStore(store);
    expect(v.ok).toBe(false);
    expect(v.lists.find((l) => l.list === 'untouched')?.ok).toBe(true);
    const bad = v.lists.find((l) => l.list === 'L');
    expect(bad?.problems.join('\n')).toMatch(problem);
    expect(verifyStore(store, 'untouched').ok).toBe(true);
  });

  it('gives the same digest whatever the line order, and a different one for any change', async () => {
    const lines = [`pdq ${PDQ(1)}`, `pdq ${PDQ(2)}`, `md5 ${MD5(1)}`, `sha1 ${SHA1(1)}`];
    const a = await imp(file('o1.txt', lines.join('\n')), { name: 'a' });
    const b = await imp(file('o2.txt', [...lines].reverse().join('\n')), { name: 'b' });
    const c = await imp(file('o3.txt', [...lines.slice(1), `pdq ${PDQ(3)}`].join('\n')), { name: 'c' });
    expect(b.entriesDigest).toBe(a.entriesDigest);
    expect(c.entriesDigest).not.toBe(a.entriesDigest);
  });
});
