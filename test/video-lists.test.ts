/**
 * vPDQ lists end to end on the BUILT binary: reference hash files imported as a list (one per
 * video), pytx CSV and exports round trips, and matching generated videos and their transforms
 * with `match` (precomputed vPDQ) and `scan` (videos recognised by content, not by name).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystemProgram } from './system-deps.js';
import { makeVideo, sourceGraph, transformVideo } from '../src/video/synthetic.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'hashsieve.js');
const CONF = join(ROOT, 'test', 'conformance', 'vpdq');
const ok = requireSystemProgram('ffmpeg', 'ffmpeg');

describe.skipIf(!ok)('vPDQ lists, match and scan', () => {
  let dir: string;
  let db: string;
  const run = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...process.env, HASHSIEVE_DB: db }, timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const records = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hashsieve-vlists-'));
    db = join(dir, 'lists.db');
    const src = makeVideo(join(dir, 'known.mp4'), sourceGraph('mandelbrot', '320x240', '25', 6));
    mkdirSync(join(dir, 'refs'));
    // The list: the known video's reference-format hash file, plus unrelated videos'.
    writeFileSync(join(dir, 'refs', 'known-1.txt'), run(['hash', src, '--format', 'vpdq']).stdout);
    for (const [i, s] of (['life', 'cellauto', 'testsrc2'] as const).entries()) {
      const other = makeVideo(join(dir, `other${i}.mp4`), sourceGraph(s, '320x240', '25', 4, i + 3));
      writeFileSync(join(dir, 'refs', `other-${i}.txt`), run(['hash', other, '--format', 'vpdq']).stdout);
    }
    mkdirSync(join(dir, 'scan'));
    for (const t of ['reencode', 'scale', 'trim']) copyFileSync(transformVideo(src, dir, t), join(dir, 'scan', `copy-${t}.dat`));
    makeVideo(join(dir, 'scan', 'unrelated.bin'), sourceGraph('shapes', '320x240', '25', 5, 7));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports one reference hash file per video as one list, each id its file name', () => {
    const files = ['known-1.txt', 'other-0.txt', 'other-1.txt', 'other-2.txt'].map((f) => join(dir, 'refs', f));
    const r = run(['list', 'import', '--name', 'videos', '--format', 'vpdq', ...files, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.counts.vpdq).toBeGreaterThan(15);
    const exported = run(['list', 'export', 'videos']).stdout;
    const ids = new Set(exported.split('\n').filter((l) => l.startsWith('vpdq\t')).map((l) => l.split('\t')[2]));
    expect([...ids].sort()).toEqual(['known-1', 'other-0', 'other-1', 'other-2']);
  });

  it('a bad line in any of the files rejects the whole import', () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '0,100,zz,0.000\n');
    const r = run(['list', 'import', '--name', 'half', '--format', 'vpdq', join(dir, 'refs', 'known-1.txt'), bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.txt:1: .*nothing imported/);
    expect(run(['list', 'ls', '--json']).stdout).not.toMatch(/"half"/);
  });

  it('scan: re-encoded, scaled and trimmed copies match the known video (whatever their names); an unrelated video does not', () => {
    const r = run(['scan', join(dir, 'scan'), '--format', 'ndjson']);
    const byName = Object.fromEntries(records(r.stdout).map((rec) => [rec.path.split('/').pop(), rec]));
    for (const t of ['reencode', 'scale', 'trim']) {
      const rec = byName[`copy-${t}.dat`];
      expect(rec.status, t).toBe('match');
      expect(rec.matches.map((m: { entry: string }) => m.entry)).toEqual(['known-1']);
      expect(rec.matches[0].queryMatchPercent).toBeGreaterThanOrEqual(80);
      expect(rec.matches[0]).toHaveProperty('comparedMatchPercent');
      expect(rec.hashes.vpdq.length).toBeGreaterThan(2);
    }
    expect(byName['unrelated.bin'].status).toBe('clean');
    expect(r.code).toBe(1);
  });

  it('scan --threshold vpdq=N sets the frame distance: at 0 a re-encoded copy no longer matches', () => {
    const copy = join(dir, 'scan', 'copy-reencode.dat');
    expect(records(run(['scan', copy, '-q']).stdout)[0].status).toBe('match');
    expect(records(run(['scan', copy, '--threshold', 'vpdq=0', '-q']).stdout)[0].status).toBe('clean');
  });

  it('--vpdq-match sets the shares: a trimmed copy covers too little of the list video for compared=95', () => {
    const copy = join(dir, 'scan', 'copy-trim.dat');
    const [rec] = records(run(['scan', copy, '-q']).stdout);
    expect(rec.matches[0].comparedMatchPercent).toBeLessThan(95);
    expect(records(run(['scan', copy, '--vpdq-match', 'compared=95', '-q']).stdout)[0].status).toBe('clean');
    const hashed = run(['hash', copy, '--format', 'ndjson']).stdout;
    expect(records(run(['match', '-', '--vpdq-match', 'compared=95'], hashed).stdout)[0].status).toBe('clean');
    expect(run(['scan', copy, '--vpdq-match', 'query=101']).stderr).toMatch(/--vpdq-match/);
  });

  it('scan: a video whose frames are all below quality 50 is low_quality, not clean', () => {
    mkdirSync(join(dir, 'flat'));
    // A drifting linear ramp: ffmpeg's own `gradients` source is not the same from run to run even with a seed.
    makeVideo(join(dir, 'flat', 'smooth.mkv'), "color=c=black:s=320x240:r=25:d=3,geq=lum='40+(X+Y+T*30)*150/(W+H)':cb=128:cr=128");
    const [rec] = records(run(['scan', join(dir, 'flat'), '--format', 'ndjson']).stdout);
    expect(rec.hashes.vpdq.every((f: { quality: number }) => f.quality < 50)).toBe(true);
    expect(rec.status).toBe('low_quality');
  });

  it('match: precomputed vPDQ from `hash` matches as the scan does', () => {
    const hashed = run(['hash', join(dir, 'scan', 'copy-scale.dat'), join(dir, 'scan', 'unrelated.bin'), '--format', 'ndjson']).stdout;
    const r = run(['match', '-'], hashed);
    const recs = records(r.stdout);
    expect(recs.map((x) => x.status)).toEqual(['match', 'clean']);
    expect(recs[0].matches[0]).toMatchObject({ list: 'videos', entry: 'known-1', signal: 'vpdq' });
  });

  it('a python-threatexchange CSV with signal_type vpdq imports and matches the same video', () => {
    const frames = readFileSync(join(dir, 'refs', 'known-1.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [, q, h, ts] = l.split(',');
        return `${h},${q},${Number(ts)}`;
      });
    const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = `signal_type,signal_str,category,tags\nvpdq,${csvField(JSON.stringify(frames))},known,\n`;
    writeFileSync(join(dir, 'pytx.csv'), csv);
    const imp = run(['list', 'import', '--name', 'pytx', join(dir, 'pytx.csv'), '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout).counts.vpdq).toBe(frames.length);
    const hashed = run(['hash', join(dir, 'scan', 'copy-reencode.dat'), '--format', 'ndjson']).stdout;
    const recs = records(run(['match', '-', '--lists', 'pytx'], hashed).stdout);
    expect(recs[0].status).toBe('match');
    expect(recs[0].matches[0]).toMatchObject({ list: 'pytx', category: 'known', signal: 'vpdq' });
  });

  it('hash --format pytx writes python-threatexchange\'s signal string (timestamps as Python\'s .3), which imports and matches', () => {
    const video = join(CONF, 'videos', 's04_cellauto_640x480_29.97fps.mp4');
    const out = run(['hash', video, '--format', 'pytx']).stdout;
    const [header, row] = out.trim().split('\n');
    expect(header).toBe('signal_type,signal_str');
    const signal = JSON.parse(row.slice('vpdq,'.length).slice(1, -1).replace(/""/g, '"')) as string[];
    // Python: f'{float32(frame) / float32(30000/1001):.3}' for frames 0, 29, 58, ...
    expect(signal.map((s) => s.split(',')[2])).toEqual(['0.0', '0.968', '1.94', '2.9', '3.87', '4.84', '5.81', '6.77', '7.74']);
    expect(signal.map((s) => s.split(',')[0])).toEqual(
      readFileSync(join(CONF, 'hashes-r1', 's04_cellauto_640x480_29.97fps.txt'), 'utf8').trim().split('\n').map((l) => l.split(',')[2]),
    );
    writeFileSync(join(dir, 'exported.csv'), out);
    expect(run(['list', 'import', '--name', 'exported', join(dir, 'exported.csv')]).code).toBe(0);
    const [rec] = records(run(['scan', video, '--lists', 'exported', '-q']).stdout);
    expect(rec.status).toBe('match');
  });

  it('hash NDJSON of videos imports as a list (frames under hashes.vpdq) and a re-encoded copy matches it', () => {
    writeFileSync(join(dir, 'known.ndjson'), run(['hash', join(dir, 'known.mp4'), '--format', 'ndjson']).stdout);
    const imp = run(['list', 'import', '--name', 'fromhash', join(dir, 'known.ndjson'), '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout).counts.vpdq).toBeGreaterThan(3);
    const [rec] = records(run(['scan', join(dir, 'scan', 'copy-reencode.dat'), '--lists', 'fromhash', '-q']).stdout);
    expect(rec.matches.map((m: { signal: string }) => m.signal)).toEqual(['vpdq']);
  });

  it('the conformance videos match their own reference files', () => {
    const r = run(['list', 'import', '--name', 'conformance', '--format', 'vpdq', ...['e02_testsrc2_320x240_16fps', 's04_cellauto_640x480_29.97fps'].map((n) => join(CONF, 'hashes', `${n}.txt`))]);
    expect(r.code).toBe(0);
    const recs = records(run(['scan', join(CONF, 'videos'), '--lists', 'conformance', '--format', 'ndjson']).stdout);
    const matched = recs.filter((x) => x.status === 'match').map((x) => x.matches[0].entry).sort();
    expect(matched).toEqual(['e02_testsrc2_320x240_16fps', 's04_cellauto_640x480_29.97fps']);
    // scan takes the video flags too: every frame, and the frame limit.
    const e02 = join(CONF, 'videos', 'e02_testsrc2_320x240_16fps.mp4');
    const [every] = records(run(['scan', e02, '--lists', 'conformance', '--seconds-per-hash', '0', '-q']).stdout);
    expect(every.hashes.vpdq.map((f: { hash: string }) => f.hash).join('\n')).toBe(
      readFileSync(join(CONF, 'hashes', 'e02_testsrc2_320x240_16fps.txt'), 'utf8').trim().split('\n').map((l) => l.split(',')[2]).join('\n'),
    );
    const [limited] = records(run(['scan', e02, '--lists', 'conformance', '--max-video-frames', '10', '-q']).stdout);
    expect(limited.error?.code).toBe('TOO_LARGE');
  });
});
