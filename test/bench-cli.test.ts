import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HammingIndex, PackedHashes } from '../src/search/types.js';
import { runInProcess } from './support/cli.js';

/**
 * CLI tests run the built binary; checks that stop before timing, the gating verdicts and the
 * injected-fault test run in-process through main() (the fault test must swap the index).
 */
const BIN = fileURLToPath(new URL('../bin/hashsieve.js', import.meta.url));

/** In-process runs can be given an index that drops the first result of every query. */
const fault = vi.hoisted(() => ({ dropFirst: false }));

vi.mock('../src/search/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/search/index.js')>();
  return {
    ...real,
    buildHammingIndex(packed: PackedHashes): HammingIndex {
      const inner = real.buildHammingIndex(packed);
      if (!fault.dropFirst) return inner;
      return { bits: inner.bits, size: inner.size, query: (h, r) => inner.query(h, r).slice(1) };
    },
  };
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const SMALL = ['bench', 'match', '--n', '3000', '--queries', '300', '--repeat', '2', '--warmup', '0', '--check', '30'];

let dir: string;
let saved: Record<string, unknown> & { figures: { name: string; median: number; better?: string; params: Record<string, unknown> }[] };

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'hashsieve-bench-test-'));
  const r = await run([...SMALL, '--json', '--save', join(dir, 'base.json')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  saved = JSON.parse(await readFile(join(dir, 'base.json'), 'utf8'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bench parameter validation', () => {
  it.each([
    [['--n', '-5'], 'Expected a positive integer for --n but received "-5"'],
    [['--n', 'many'], 'Expected a positive integer for --n but received "many"'],
    [['--bits', '128'], 'Expected one of 256, 64 for --bits but received "128"'],
    [['--near-fraction', '1.5'], 'Expected a number from 0 to 1 for --near-fraction but received "1.5"'],
    [['--radius', '300'], 'Expected at most 256 (256-bit hashes) for --radius but received 300'],
    [['--bits', '64', '--max-flip', '65'], 'Expected at most 64 (64-bit hashes) for --max-flip'],
    [['--workers', '0'], 'Expected a positive integer for --workers but received "0"'],
    [['--repeat', '0'], 'Expected a positive integer for --repeat but received "0"'],
    [['--seed', '-1'], 'Expected a non-negative integer for --seed'],
    [['--max-regression', '5%'], '--max-regression and --require-all need --baseline FILE'],
    [['--signal', 'pdq'], '--signal applies to a stored list'],
  ])('bench match %j fails with a clear message and exit 2', async (args, message) => {
    const r = await runInProcess(['bench', 'match', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--workers', '1,0'], 'Expected a positive integer for --workers but received "0"'],
    [['--generate', '64x48'], 'Expected WIDTHxHEIGHT:COUNT'],
    [['--algo', 'nope'], 'Unknown signal "nope"'],
    [['somewhere', '--generate', '8x8:1'], 'Give either paths or --generate, not both'],
  ])('bench hash %j fails with a clear message and exit 2', async (args, message) => {
    const r = await runInProcess(['bench', 'hash', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('the built binary reports a usage error the same way', async () => {
    const r = await run(['bench', 'match', '--n', '-5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hashsieve: Expected a positive integer for --n but received "-5"\n');
  });

  it('refuses a baseline that is missing or not a bench result', async () => {
    const missing = await runInProcess([...SMALL, '--baseline', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the baseline');
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    const other = await runInProcess([...SMALL, '--baseline', join(dir, 'other.json')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is not a hashsieve bench JSON result: expected schema');
  });
});

describe('bench match --json', () => {
  it('carries figures with median and spread, parameters, seed and environment', () => {
    expect(saved).toMatchObject({
      schema: 'hashsieve-bench/1',
      kind: 'match',
      seed: 1,
      parameters: { source: 'synthetic', bits: 256, n: 3000, queries: 300, nearFraction: 0.1, radius: 31, maxFlip: 31, threads: 1, repeat: 2, warmup: 0, check: 30 },
      crossCheck: { ok: true, queries: 30, mismatches: 0 },
      workload: { nearQueries: 30, randomQueries: 270 },
    });
    expect(Date.parse(saved.startedAt as string)).not.toBeNaN();
    const env = saved.environment as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual(
      ['arch', 'cores', 'cpuModel', 'hashsieve', 'libvips', 'loadAverage', 'node', 'platform', 'sharp', 'totalMemoryBytes'].sort(),
    );
    expect(env.node).toBe(process.version);
    expect(env.loadAverage).toHaveLength(3);
    expect(typeof env.libvips).toBe('string');
    expect(saved.figures.map((f) => f.name)).toEqual(['queries_per_s', 'index_build_ms', 'index_memory_bytes', 'rss_after_build_bytes']);
    for (const f of saved.figures as unknown as Record<string, unknown>[]) {
      expect(f).toMatchObject({ median: expect.any(Number), min: expect.any(Number), max: expect.any(Number), q1: expect.any(Number), q3: expect.any(Number) });
      expect(f.values).toHaveLength(2);
      expect(['higher', 'lower']).toContain(f.better);
    }
    expect(saved.figures[0]).toMatchObject({ better: 'higher', unit: 'queries/s' });
  });

  it('is reproducible from the seed: same workload, and a different seed gives another', async () => {
    const r = await runInProcess([...SMALL, '--json']);
    expect(r.stderr).toBe('');
    const again = JSON.parse(r.stdout);
    const counts = (w: Record<string, unknown>) => ({ near: w.nearQueries, random: w.randomQueries, matches: w.matchesPerRound });
    expect(counts(again.workload)).toEqual(counts(saved.workload as Record<string, unknown>));
    const other = JSON.parse((await runInProcess([...SMALL, '--json', '--seed', '99', '--near-fraction', '0.5'])).stdout);
    expect(other.seed).toBe(99);
    expect(other.workload.nearQueries).toBe(150);
  });

  it('prints a table on a terminal-style run', async () => {
    const r = await run([...SMALL, '--bits', '64']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/figure\s+median\s+min\s+max\s+q1\s+q3/);
    expect(r.stdout).toContain('3,000 × 64-bit hashes (synthetic)');
    expect(r.stdout).toContain('cross-check: 30 sampled queries gave the same answers as LinearIndex');
    expect(r.stdout).toMatch(/machine: .*cores, load/);
  });

  it('queries from several threads over one shared list, cross-checked', async () => {
    const r = await run([...SMALL, '--workers', '2', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.crossCheck).toMatchObject({ ok: true, queries: 30 });
    expect(j.figures[0].params.threads).toBe(2);
    expect(j.workload.matchesPerRound).toBe((saved.workload as Record<string, number>).matchesPerRound);
  });
});

describe('bench gating against a baseline', () => {
  /**
   * The saved result with chosen medians scaled; every other figure gets a baseline this run
   * cannot regress against (timings on a shared machine are noise, the verdicts must not be).
   */
  async function baselineWith(scale: Record<string, number>, drop: string[] = []): Promise<string> {
    const safe = (f: { better?: unknown }): number => (f.better === 'higher' ? 1e-9 : 1e9);
    const figures = saved.figures
      .filter((f) => !drop.includes(f.name))
      .map((f) => ({ ...f, median: f.median * (scale[f.name] ?? safe(f)) }));
    const file = join(dir, `baseline-${Object.entries(scale).join('-')}-${drop.join('-')}.json`);
    await writeFile(file, JSON.stringify({ ...saved, figures }));
    return file;
  }

  it('exits 1 and says which figure regressed when throughput fell beyond the limit', async () => {
    const file = await baselineWith({ queries_per_s: 1000 });
    const r = await runInProcess([...SMALL, '--baseline', file, '--max-regression', '10%']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/queries_per_s .*REGRESSED/);
    expect(r.stdout).toContain('FAIL: 1 figure(s) regressed by more than 10% (3 improved)');
  });

  it('exits 1 when a lower-is-better figure grew beyond the limit', async () => {
    const file = await baselineWith({ index_build_ms: 1e-6 });
    const r = await runInProcess([...SMALL, '--baseline', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/index_build_ms .*REGRESSED/);
    const j = JSON.parse(r.stdout);
    const rows = j.comparison.rows as { name: string; status: string }[];
    expect(rows.find((x) => x.name === 'index_build_ms')?.status).toBe('regressed');
    expect(rows.find((x) => x.name === 'queries_per_s')?.status).toBe('improved');
  });

  it('passes improvements, reporting them', async () => {
    const file = await baselineWith({});
    const r = await runInProcess([...SMALL, '--baseline', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pass: no figure regressed by more than 10%');
    expect(r.stdout).toContain('(4 improved)');
  });

  it('reports missing figures without failing, unless --require-all', async () => {
    const file = await baselineWith({}, ['queries_per_s']);
    const r = await runInProcess([...SMALL, '--baseline', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queries_per_s .*new \(not in baseline\)/);
    expect(r.stdout).toContain('1 figure(s) on one side only: reported, not failed');
    const strict = await runInProcess([...SMALL, '--baseline', file, '--require-all']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('1 missing (--require-all)');
  });
});

describe('bench match on a stored list', () => {
  it('loads the list read-only and never prints its hashes', async () => {
    const { openStore, importList } = await import('../src/store/index.js');
    const db = join(dir, 'lists.db');
    const hashes = Array.from({ length: 200 }, (_, i) => Buffer.alloc(32, i + 1).toString('hex'));
    await writeFile(join(dir, 'list.txt'), `${hashes.map((h) => `pdq ${h}`).join('\n')}\n`);
    const store = openStore(db);
    await importList(store, join(dir, 'list.txt'), { name: 'demo' });
    store.close();
    const r = await run(['bench', 'match', '--db', db, '--lists', 'demo', '--queries', '100', '--repeat', '1', '--warmup', '0', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.parameters).toMatchObject({ source: 'lists:demo', signal: 'pdq', bits: 256, n: 200, radius: 31 });
    expect(j.crossCheck.ok).toBe(true);
    for (const h of hashes) expect(r.stdout).not.toContain(h.slice(0, 16));
    const bad = await runInProcess(['bench', 'match', '--db', db, '--n', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--n and --bits describe a synthetic list');
  });
});

describe('bench hash', () => {
  it('times the decode floor, each signal and all at once on a generated corpus', async () => {
    const r = await run(['bench', 'hash', '--generate', '64x48:3', '--algo', 'pdq,sha256', '--workers', '1', '--repeat', '1', '--warmup', '0', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ kind: 'hash', parameters: { corpus: 'generated:64x48:3:jpeg', images: 3, signals: 'pdq,sha256', workers: '1' } });
    expect(j.figures.map((f: { params: { mode: string } }) => f.params.mode)).toEqual(['decode', 'pdq', 'sha256', 'all']);
    for (const f of j.figures) expect(f).toMatchObject({ name: 'images_per_s', better: 'higher', params: { workers: 1 } });
    expect(j.notes.join('\n')).toContain('against the decode-only floor');
  });

  it('times files given as paths, per worker count', async () => {
    const { generateSource } = await import('../src/synthetic/images.js');
    const corpus = join(dir, 'corpus');
    await rm(corpus, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(corpus));
    for (const i of [1, 2]) await writeFile(join(corpus, `img${i}.png`), await generateSource(i, 48, 40));
    const r = await run(['bench', 'hash', corpus, '--algo', 'blockhash', '--workers', '1,2', '--repeat', '1', '--warmup', '0', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.parameters.corpus).toMatch(/^files:2:\d+$/);
    expect(j.figures.map((f: { params: { mode: string; workers: number } }) => `${f.params.mode}/${f.params.workers}`)).toEqual([
      'decode/1', 'blockhash/1', 'decode/2', 'blockhash/2',
    ]);
  });
});

describe('a benchmark whose index answers wrongly', () => {
  it('fails with exit 2, says so, and saves nothing (index made to drop a result)', async () => {
    const save = join(dir, 'wrong.json');
    fault.dropFirst = true;
    const r = await runInProcess([...SMALL, '--near-fraction', '1', '--json', '--save', save]).finally(() => {
      fault.dropFirst = false;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('wrong answers');
    expect(r.stderr).toContain(`${save} not written`);
    expect(JSON.parse(r.stdout).crossCheck).toMatchObject({ ok: false, queries: 30, mismatches: 30 });
    expect(existsSync(save)).toBe(false);
  });
});
